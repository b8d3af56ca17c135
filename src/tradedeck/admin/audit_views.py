"""Admin pages for the audit log (`/admin/audit`) and the access log (`/admin/access`): filters,
pages, and a CSV export of the filtered rows. Read-only: no route changes or removes a row."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.wrappers import Response

from tradedeck.admin.common import guard, page_number, paginate
from tradedeck.audit import queries
from tradedeck.audit.models import ACCESS_EVENTS, AuditEntry
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.trading.csv_export import csv_response, export_limit

bp = guard(Blueprint("admin_audit", __name__, url_prefix="/admin"))

AUDIT_COLUMNS = [
    "id",
    "at",
    "actor",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
    "ip",
]
ACCESS_COLUMNS = [
    "id",
    "at",
    "last_at",
    "event",
    "user_id",
    "username",
    "detail",
    "ip",
    "user_agent",
    "api_key_id",
    "day",
    "uses",
]


def _page(template: str, build: Any, query: Any, **extra: Any) -> str:
    error, found = None, None
    try:
        found = paginate(query(build(request.args)), page_number(request.args.get("page")))
    except DomainError as exc:
        error = exc
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
    name = f"admin/{template}_table.html" if partial else f"admin/{template}.html"
    return render_template(name, found=found, error=error, args=request.args, **extra)


TARGET_PAGES: dict[str, tuple[str, str, str]] = {
    # target type: (endpoint, URL argument, "id" or "label" to fill it with)
    "user": ("admin_users.detail", "user_id", "id"),
    "instrument": ("admin_instruments.edit", "instrument_id", "id"),
    "venue": ("venue_admin.venue_page", "code", "label"),
    "access_key": ("admin_keys.index", "", ""),
}


def target_url(entry: AuditEntry) -> str | None:
    """The admin page of an entry's target, when there is one (and the target has an id)."""
    page = TARGET_PAGES.get(entry.target_type)
    if page is None or page[0] not in current_app.view_functions:
        return None
    endpoint, argument, source = page
    if not argument:
        return url_for(endpoint)
    value = entry.target_id if source == "id" else entry.target_label
    if not value or (source == "id" and not value.isdigit()):
        return None
    return url_for(endpoint, **{argument: int(value) if source == "id" else value})


@bp.get("/audit")
def audit() -> str:
    return _page(
        "audit",
        queries.audit_filter,
        queries.audit_query,
        actions=queries.actions(),
        target_url=target_url,
    )


@bp.get("/access")
def access() -> str:
    return _page("access", queries.access_filter, queries.access_query, events=ACCESS_EVENTS)


def _export(name: str, build: Any, query: Any, to_row: Any, columns: list[str]) -> Response:
    """The filtered rows, newest first, at most EXPORT_MAX_ROWS (the response says if cut)."""
    statement = query(build(request.args))
    limit = export_limit()
    rows = list(db.session.scalars(statement.limit(limit + 1)))
    cells = ([_cell(to_row(r)[c]) for c in columns] for r in rows[:limit])
    filename = f"{name}-{utcnow():%Y%m%d-%H%M%S}.csv"
    return csv_response(filename, columns, cells, truncated=len(rows) > limit)


def _cell(value: Any) -> Any:
    """Nested before/after values as compact JSON text, None as empty."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return value


@bp.get("/audit.csv")
def audit_csv() -> Response:
    return _export(
        "audit", queries.audit_filter, queries.audit_query, queries.audit_row, AUDIT_COLUMNS
    )


@bp.get("/access.csv")
def access_csv() -> Response:
    return _export(
        "access", queries.access_filter, queries.access_query, queries.access_row, ACCESS_COLUMNS
    )
