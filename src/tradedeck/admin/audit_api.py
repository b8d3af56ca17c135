"""`/api/v1/admin/audit` and `/api/v1/admin/access-log`: the filtered logs, newest first, in
pages (admins only). Read-only: the API has no route that changes or removes a row."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from tradedeck.admin.common import page_meta, paginate
from tradedeck.admin.users_schemas import PageArgs, PageMeta
from tradedeck.api.auth import admin_only
from tradedeck.api.errors import ErrorBody
from tradedeck.audit import queries

bp = APIBlueprint(
    "admin_audit_api",
    __name__,
    url_prefix="/api/v1/admin",
    abp_tags=[Tag(name="admin: audit", description="Audit log of admin actions, access log")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "403": ErrorBody},
)


class AuditQuery(PageArgs):
    actor: str = Field(default="", max_length=64, description="Actor name or user id")
    action: str = Field(default="", max_length=64, description="Exact, or a prefix ending '.'")
    target: str = Field(default="", max_length=64, description="type, type:id, or label text")
    since: date | None = None
    until: date | None = None


class AccessQuery(PageArgs):
    event: Literal["", "login.success", "login.failure", "logout", "api_key.use"] = ""
    user: str = Field(default="", max_length=64, description="Name tried or user id")
    ip: str = Field(default="", max_length=64)
    since: date | None = None
    until: date | None = None


class AuditPage(PageMeta):
    entries: list[dict[str, Any]]


def _args(query: BaseModel) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in query.model_dump().items()}


def _page(statement: Any, query: PageArgs, to_row: Any) -> Response:
    found = paginate(statement, query.page, query.per_page)
    out = AuditPage(entries=[to_row(e) for e in found.rows], **page_meta(found))
    return jsonify(out.model_dump(mode="json"))


@bp.get("/audit", responses={"200": AuditPage})
@admin_only
def audit_log(query: AuditQuery) -> Response:
    """Audit entries: actor, action, target, before → after, IP, time (UTC)."""
    statement = queries.audit_query(queries.audit_filter(_args(query)))
    return _page(statement, query, queries.audit_row)


@bp.get("/access-log", responses={"200": AuditPage})
@admin_only
def access_log(query: AccessQuery) -> Response:
    """Logins (success/failure with IP and user agent), logouts, daily API-key use."""
    statement = queries.access_query(queries.access_filter(_args(query)))
    return _page(statement, query, queries.access_row)
