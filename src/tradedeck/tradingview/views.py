"""`/manage` (admins): the TradingView session, scripts, username links, grants, bulk jobs,
the drift report and the access-operation log. Every form posts with its CSRF token and
answers with a redirect and a flash message; a refused operation flashes its reason
(TradingView's failures included) instead of an error page.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tradedeck.accounts.models import User
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.tradingview import bulk, errors, expiry, links, scripts, services, session
from tradedeck.tradingview.durations import LABELS
from tradedeck.tradingview.forms import (
    ActionForm,
    BulkForm,
    CodeForm,
    CookiesForm,
    ExtendForm,
    GrantForm,
    LinkForm,
    ScriptForm,
    SignInForm,
)
from tradedeck.tradingview.models import (
    AccessGrant,
    AccessOperation,
    BulkJob,
    PineScript,
    TradingViewLink,
)

bp = Blueprint("tradingview", __name__)
RECENT = 25


@bp.before_request
@login_required
def _require_admin() -> None:
    if not current_user.is_admin:
        abort(403)


def run_form(
    form: FlaskForm, action: Callable[[], str], back: str = "tradingview.manage"
) -> Response:
    """Validate the form (CSRF, lengths), run the action, flash its message or its error, and
    redirect to the `back` endpoint."""
    target = redirect(url_for(back))
    if not form.validate_on_submit():
        problems = [f"{name}: {'; '.join(msgs)}" for name, msgs in form.errors.items()]
        flash(problems[0] if problems else "The form is invalid.", "danger")
        return target
    try:
        message = action()
    except DomainError as exc:
        db.session.rollback()
        field = f" ({exc.field})" if exc.field else ""
        flash(f"{exc.message}{field}", "danger")
        return target
    if message:
        flash(message, "success")
    return target


def _user_choices() -> list[SelectChoice]:
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    return [SelectChoice(str(u.id), u.username) for u in users]


def _script_choices(registered: list[PineScript] | None = None) -> list[SelectChoice]:
    rows = scripts.list_scripts() if registered is None else registered
    return [SelectChoice(str(s.id), f"{s.name} ({s.pine_id})") for s in rows]


@bp.get("/manage")
def manage() -> str:
    users = {u.id: u for u in db.session.scalars(select(User).order_by(User.username))}
    link_rows = db.session.scalars(select(TradingViewLink)).all()
    registered = scripts.list_scripts()
    user_choices, script_choices = _user_choices(), _script_choices(registered)
    grant_form, bulk_form, link_form = (
        GrantForm(prefix="grant"),
        BulkForm(prefix="bulk"),
        LinkForm(prefix="link"),
    )
    grant_form.user_id.choices = link_form.user_id.choices = user_choices
    bulk_form.user_ids.choices, bulk_form.script_ids.choices = user_choices, script_choices
    grant_form.script_id.choices = script_choices
    grants = db.session.scalars(select(AccessGrant).order_by(AccessGrant.id)).all()
    drift = expiry.latest_reconcile()
    return render_template(
        "tradingview/manage.html",
        state=session.state(),
        scripts=registered,
        script_names={script.id: script.name for script in registered},
        script_names_by_pine={script.pine_id: script.name for script in registered},
        users=users,
        links={link.user_id: link for link in link_rows},
        grants=grants,
        jobs=db.session.scalars(select(BulkJob).order_by(BulkJob.id.desc()).limit(5)).all(),
        operations=db.session.scalars(
            select(AccessOperation).order_by(AccessOperation.id.desc()).limit(RECENT)
        ).all(),
        drift=drift,
        drift_report=_drift_report(drift),
        labels=LABELS,
        cookies_form=CookiesForm(prefix="cookies"),
        signin_form=SignInForm(prefix="signin"),
        code_form=CodeForm(prefix="code"),
        script_form=ScriptForm(),
        link_form=link_form,
        grant_form=grant_form,
        extend_form=ExtendForm(prefix="extend"),
        bulk_form=bulk_form,
    )


def _drift_report(drift: AccessOperation | None) -> dict[str, dict[str, list[str]]] | None:
    """The last reconcile's drift per script, or None (no drift, or a report cut short)."""
    if drift is None or drift.result != "drift":
        return None
    try:
        report = json.loads(drift.answer)
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


@bp.post("/manage/session/cookies")
def save_cookies() -> Response:
    form = CookiesForm(prefix="cookies")

    def act() -> str:
        state = session.set_cookies(
            form.sessionid.data or "", form.sessionid_sign.data or "", current_user
        )
        return f"TradingView session of {state.account} saved."

    return run_form(form, act)


@bp.post("/manage/session/check")
def check_session() -> Response:
    def act() -> str:
        state = session.probe(current_user)
        return f"The session of {state.account} works." if state.valid else ""

    response = run_form(ActionForm(), act)
    if not session.state().valid:
        flash("TradingView no longer accepts the stored session: paste fresh cookies.", "warning")
    return response


@bp.post("/manage/session/clear")
def clear_session() -> Response:
    def act() -> str:
        session.clear(current_user)
        return "TradingView session removed."

    return run_form(ActionForm(), act)


@bp.post("/manage/session/signin")
def sign_in() -> Response:
    form = SignInForm(prefix="signin")

    def act() -> str:
        try:
            state = session.sign_in(
                form.username.data or "", form.password.data or "", current_user
            )
        except errors.TwoFactorRequired as exc:
            flash(exc.message, "info")
            return ""
        return f"Signed in to TradingView as {state.account}."

    return run_form(form, act)


@bp.post("/manage/session/code")
def submit_code() -> Response:
    form = CodeForm(prefix="code")

    def act() -> str:
        state = session.submit_code(form.code.data or "", current_user)
        return f"Signed in to TradingView as {state.account}."

    return run_form(form, act)


@bp.post("/manage/scripts")
def add_script() -> Response:
    form = ScriptForm()

    def act() -> str:
        script, warning = scripts.register(
            form.pine_id.data or "", form.name.data or "", form.description.data or "", current_user
        )
        if warning:
            flash(warning, "warning")
        return f"Script {script.name} registered."

    return run_form(form, act)


@bp.post("/manage/scripts/<int:script_id>/off")
def turn_off_script(script_id: int) -> Response:
    def act() -> str:
        removed = scripts.turn_off(script_id, current_user)
        return f"Script turned off; access removed for {removed} user(s)."

    return run_form(ActionForm(), act)


@bp.post("/manage/links")
def link_user() -> Response:
    form = LinkForm(prefix="link")
    form.user_id.choices = _user_choices()

    def act() -> str:
        found = links.link(int(form.user_id.data or 0), form.username.data or "", current_user)
        return f"Linked TradingView user {found.username}."

    return run_form(form, act)


@bp.post("/manage/links/<int:user_id>/remove")
def unlink_user(user_id: int) -> Response:
    def act() -> str:
        removed = links.unlink(user_id, current_user)
        return f"TradingView username unlinked; access removed on {removed} script(s)."

    return run_form(ActionForm(), act)


def _outcome_message(outcome: services.Outcome) -> str:
    if outcome.result == "not_applied":
        return f"{outcome.tv_username} already has lifetime access: nothing changed."
    until = "lifetime" if outcome.lifetime else f"until {outcome.expires_at:%Y-%m-%d %H:%M} UTC"
    return f"{outcome.tv_username}: access {outcome.action}ed on {outcome.pine_id}, {until}."


@bp.post("/manage/grants")
def grant() -> Response:
    form = GrantForm(prefix="grant")
    form.user_id.choices, form.script_id.choices = _user_choices(), _script_choices()

    def act() -> str:
        outcome = services.grant(
            current_user,
            int(form.user_id.data or 0),
            int(form.script_id.data or 0),
            form.duration.data or "",
        )
        return _outcome_message(outcome)

    return run_form(form, act)


@bp.post("/manage/grants/<int:user_id>/<int:script_id>/extend")
def extend(user_id: int, script_id: int) -> Response:
    form = ExtendForm(prefix="extend")
    return run_form(
        form,
        lambda: _outcome_message(
            services.grant(current_user, user_id, script_id, form.duration.data or "")
        ),
    )


@bp.post("/manage/grants/<int:user_id>/<int:script_id>/remove")
def remove(user_id: int, script_id: int) -> Response:
    def act() -> str:
        outcome = services.remove(current_user, user_id, script_id)
        return f"Access of {outcome.tv_username} to {outcome.pine_id} removed."

    return run_form(ActionForm(), act)


@bp.post("/manage/reconcile")
def reconcile() -> Response:
    def act() -> str:
        drift = expiry.reconcile()
        if not drift:
            return "TradeDeck's grants match TradingView's listings."
        flash(f"Drift on {len(drift)} script(s): see the access log.", "warning")
        return ""

    return run_form(ActionForm(), act)


@bp.post("/manage/jobs")
def queue_job() -> Response:
    form = BulkForm(prefix="bulk")
    form.user_ids.choices, form.script_ids.choices = _user_choices(), _script_choices()

    def act() -> str:
        job = bulk.create_job(
            current_user,
            form.action.data or "",
            [int(i) for i in form.user_ids.data or []],
            [int(i) for i in form.script_ids.data or []],
            form.duration.data or "",
        )
        return f"Bulk job #{job.id} queued ({job.status})."

    return run_form(form, act)
