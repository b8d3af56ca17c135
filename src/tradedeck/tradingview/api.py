"""`/api/v1/tradingview`: the session, scripts, links, grants, bulk jobs and the access log.

Admins manage everything; any signed-in user reads and sets their own TradingView link.
TradingView failures arrive as typed DomainErrors (409 session/captcha/2FA, 429, 404, 400,
502/503) and are answered by the one error handler.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Response, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel
from sqlalchemy import select

from tradedeck.api.auth import admin_only
from tradedeck.api.errors import ApiError, ErrorBody
from tradedeck.extensions import db
from tradedeck.tradingview import bulk, expiry, links, scripts, services, session
from tradedeck.tradingview.models import AccessGrant, AccessOperation, BulkJob
from tradedeck.tradingview.schemas import (
    CodeIn,
    CookiesIn,
    DriftOut,
    GrantIn,
    GrantList,
    GrantOut,
    JobIn,
    JobOut,
    JobPath,
    LinkIn,
    LinkOut,
    OperationList,
    OperationOut,
    PairIn,
    Removed,
    ScriptIn,
    ScriptList,
    ScriptOut,
    ScriptPath,
    SignInIn,
    UserPath,
)
from tradedeck.tradingview.services import Outcome
from tradedeck.tradingview.session import SessionState

RECENT_OPERATIONS = 200
bp = APIBlueprint(
    "tradingview_api",
    __name__,
    url_prefix="/api/v1/tradingview",
    abp_tags=[Tag(name="tradingview", description="Pine script access on TradingView")],
    abp_responses={
        "400": ErrorBody,
        "401": ErrorBody,
        "403": ErrorBody,
        "404": ErrorBody,
        "409": ErrorBody,
        "429": ErrorBody,
        "502": ErrorBody,
        "503": ErrorBody,
    },
)


def _json(model: BaseModel, status: int = 200) -> tuple[Response, int]:
    return jsonify(model.model_dump(mode="json")), status


@bp.get("/session", responses={"200": SessionState})
@admin_only
def get_session() -> tuple[Response, int]:
    return _json(session.state())


@bp.put("/session/cookies", responses={"200": SessionState})
@admin_only
def put_cookies(body: CookiesIn) -> tuple[Response, int]:
    """Store pasted `sessionid`/`sessionid_sign` after one probe accepts them."""
    state = session.set_cookies(body.sessionid, body.sessionid_sign, current_user)
    return _json(state)


@bp.post("/session/check", responses={"200": SessionState})
@admin_only
def check_session() -> tuple[Response, int]:
    return _json(session.probe(current_user))


@bp.post("/session/signin", responses={"200": SessionState})
@admin_only
def sign_in(body: SignInIn) -> tuple[Response, int]:
    """Password sign-in (fallback); 409 `tradingview_2fa_required` asks for /session/code."""
    return _json(session.sign_in(body.username, body.password, current_user))


@bp.post("/session/code", responses={"200": SessionState})
@admin_only
def submit_code(body: CodeIn) -> tuple[Response, int]:
    return _json(session.submit_code(body.code, current_user))


@bp.delete("/session", responses={"200": SessionState})
@admin_only
def clear_session() -> tuple[Response, int]:
    session.clear(current_user)
    return _json(session.state())


@bp.get("/scripts", responses={"200": ScriptList})
@admin_only
def list_scripts() -> tuple[Response, int]:
    return _json(ScriptList(scripts=[ScriptOut.model_validate(s) for s in scripts.list_scripts()]))


@bp.post("/scripts", responses={"201": ScriptOut})
@admin_only
def add_script(body: ScriptIn) -> tuple[Response, int]:
    script, warning = scripts.register(body.pine_id, body.name, body.description, current_user)
    out = ScriptOut.model_validate(script).model_copy(update={"warning": warning})
    return _json(out, 201)


@bp.delete("/scripts/<int:script_id>", responses={"200": Removed})
@admin_only
def turn_off_script(path: ScriptPath) -> tuple[Response, int]:
    """Turn a script off: its access is removed on TradingView, then the script itself."""
    return _json(Removed(removed_grants=scripts.turn_off(path.script_id, current_user)))


@bp.get("/link", responses={"200": LinkOut})
def get_link() -> tuple[Response, int]:
    found = links.link_of(current_user.id)
    return _json(LinkOut(username=found.username if found else None))


@bp.put("/link", responses={"200": LinkOut})
def put_link(body: LinkIn) -> tuple[Response, int]:
    """Link the caller's TradingView username (exact match, stored in TradingView's case)."""
    return _json(
        LinkOut(username=links.link(current_user.id, body.username, current_user).username)
    )


@bp.delete("/link", responses={"200": Removed})
def delete_link() -> tuple[Response, int]:
    return _json(Removed(removed_grants=links.unlink(current_user.id, current_user)))


@bp.put("/links/<int:user_id>", responses={"200": LinkOut})
@admin_only
def put_user_link(path: UserPath, body: LinkIn) -> tuple[Response, int]:
    """Link another user's TradingView username (admins)."""
    return _json(LinkOut(username=links.link(path.user_id, body.username, current_user).username))


@bp.delete("/links/<int:user_id>", responses={"200": Removed})
@admin_only
def delete_user_link(path: UserPath) -> tuple[Response, int]:
    """Remove a user's access on TradingView, then their link (admins)."""
    return _json(Removed(removed_grants=links.unlink(path.user_id, current_user)))


@bp.post("/reconcile", responses={"200": DriftOut})
@admin_only
def reconcile() -> tuple[Response, int]:
    """Compare every script's grants with TradingView's listing now (the worker's check)."""
    report = expiry.reconcile()
    return _json(DriftOut(scripts={pine_id: asdict(d) for pine_id, d in report.items()}))


@bp.get("/grants", responses={"200": GrantList})
@admin_only
def list_grants() -> tuple[Response, int]:
    rows = db.session.scalars(select(AccessGrant).order_by(AccessGrant.id))
    return _json(GrantList(grants=[GrantOut.model_validate(g) for g in rows]))


@bp.post("/grants", responses={"200": Outcome})
@admin_only
def grant(body: GrantIn) -> tuple[Response, int]:
    """Grant, or extend from the current expiry (if still ahead), for a duration."""
    outcome = services.grant(current_user, body.user_id, body.script_id, body.duration)
    return _json(outcome)


@bp.post("/grants/remove", responses={"200": Outcome})
@admin_only
def remove(body: PairIn) -> tuple[Response, int]:
    outcome = services.remove(current_user, body.user_id, body.script_id)
    return _json(outcome)


@bp.post("/jobs", responses={"202": JobOut})
@admin_only
def create_job(body: JobIn) -> tuple[Response, int]:
    """Queue a bulk grant/remove of every user-script pair; poll GET /jobs/<id>."""
    job = bulk.create_job(current_user, body.action, body.user_ids, body.script_ids, body.duration)
    return _json(JobOut.model_validate(job), 202)


@bp.get("/jobs/<int:job_id>", responses={"200": JobOut})
@admin_only
def get_job(path: JobPath) -> tuple[Response, int]:
    job = db.session.get(BulkJob, path.job_id)
    if job is None:
        raise ApiError(404, "not_found", "No such job.", "job_id")
    return _json(JobOut.model_validate(job))


@bp.get("/operations", responses={"200": OperationList})
@admin_only
def operations() -> tuple[Response, int]:
    rows = db.session.scalars(
        select(AccessOperation).order_by(AccessOperation.id.desc()).limit(RECENT_OPERATIONS)
    )
    return _json(OperationList(operations=[OperationOut.model_validate(o) for o in rows]))
