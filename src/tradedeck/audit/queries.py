"""Read the audit and access logs: filters shared by the admin pages, the JSON API, the CSV
export and the CLI, so all four show the same rows for the same filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from tradedeck.accounts.models import User
from tradedeck.audit.models import ACCESS_EVENTS, AccessLogEntry, AuditEntry
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db

MAX_TEXT = 64


@dataclass(frozen=True)
class AuditFilter:
    """Audit filters: actor (name or id), action (exact or prefix `user.`), target (type,
    `type:id`, or text in the label), and an inclusive UTC date range."""

    actor: str = ""
    action: str = ""
    target: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AccessFilter:
    """Access-log filters: event, user (id, or a name: the name tried or the account it
    names by username or email), IP, inclusive UTC date range."""

    event: str = ""
    user: str = ""
    ip: str = ""
    since: date | None = None
    until: date | None = None


def parse_day(value: str | None, field: str) -> date | None:
    """`YYYY-MM-DD` or empty; anything else is a 400 naming `field`."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(f"{field} must be a date like 2026-01-31.", field=field) from None


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise DomainError(f"{field} must be at most {MAX_TEXT} characters.", field=field)
    return text


def day_range(args: Any) -> tuple[date | None, date | None]:
    """The inclusive `since`..`until` UTC days of `args` (each optional, `until` not first)."""
    since = parse_day(args.get("since"), "since")
    until = parse_day(args.get("until"), "until")
    if since and until and since > until:
        raise DomainError("'until' must not be before 'since'.", field="until")
    return since, until


def audit_filter(args: Any) -> AuditFilter:
    """An `AuditFilter` from query-string style `args` (validated, field-named errors)."""
    texts = {name: _text(args.get(name), name) for name in ("actor", "action", "target")}
    since, until = day_range(args)
    return AuditFilter(**texts, since=since, until=until)


def access_filter(args: Any) -> AccessFilter:
    texts = {name: _text(args.get(name), name) for name in ("event", "user", "ip")}
    if texts["event"] and texts["event"] not in ACCESS_EVENTS:
        raise DomainError(f"event must be one of {', '.join(ACCESS_EVENTS)}.", field="event")
    since, until = day_range(args)
    return AccessFilter(**texts, since=since, until=until)


def day_bounds(
    statement: Select[Any], column: Any, since: date | None, until: date | None
) -> Select[Any]:
    """`statement` limited to `column` within the inclusive UTC days since..until."""
    if since is not None:
        statement = statement.where(column >= datetime.combine(since, time(), UTC))
    if until is not None:
        statement = statement.where(
            column < datetime.combine(until + timedelta(days=1), time(), UTC)
        )
    return statement


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def audit_query(flt: AuditFilter) -> Select[tuple[AuditEntry]]:
    """Matching audit rows, newest first."""
    statement = select(AuditEntry)
    if flt.actor:
        if flt.actor.isdigit():
            statement = statement.where(AuditEntry.actor_id == int(flt.actor))
        else:
            statement = statement.where(func.lower(AuditEntry.actor) == flt.actor.lower())
    if flt.action:
        if flt.action.endswith("."):
            statement = statement.where(AuditEntry.action.startswith(flt.action, autoescape=True))
        else:
            statement = statement.where(AuditEntry.action == flt.action)
    if flt.target:
        kind, sep, ident = flt.target.partition(":")
        if sep:
            statement = statement.where(
                AuditEntry.target_type == kind, AuditEntry.target_id == ident
            )
        else:
            statement = statement.where(
                or_(
                    AuditEntry.target_type == flt.target,
                    func.lower(AuditEntry.target_label).like(_like(flt.target), escape="\\"),
                )
            )
    statement = day_bounds(statement, AuditEntry.created_at, flt.since, flt.until)
    return statement.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


def access_query(flt: AccessFilter) -> Select[tuple[AccessLogEntry]]:
    """Matching access-log rows, newest (last activity) first."""
    statement = select(AccessLogEntry)
    if flt.event:
        statement = statement.where(AccessLogEntry.event == flt.event)
    if flt.user:
        if flt.user.isdigit():
            statement = statement.where(AccessLogEntry.user_id == int(flt.user))
        else:
            name = flt.user.lower()
            known = select(User.id).where(or_(User.username_key == name, User.email == name))
            statement = statement.where(
                or_(func.lower(AccessLogEntry.username) == name, AccessLogEntry.user_id.in_(known))
            )
    if flt.ip:
        statement = statement.where(AccessLogEntry.ip == flt.ip)
    statement = day_bounds(statement, AccessLogEntry.updated_at, flt.since, flt.until)
    return statement.order_by(AccessLogEntry.updated_at.desc(), AccessLogEntry.id.desc())


def actions() -> list[str]:
    """Every action recorded so far (the page's filter suggestions)."""
    return list(
        db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )


def audit_row(entry: AuditEntry) -> dict[str, Any]:
    """An audit row as the JSON API and the CSV export show it."""
    return {
        "id": entry.id,
        "at": entry.created_at.isoformat(),
        "actor": entry.actor,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "before": entry.before,
        "after": entry.after,
        "ip": entry.ip,
    }


def access_row(entry: AccessLogEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.created_at.isoformat(),
        "last_at": entry.updated_at.isoformat(),
        "event": entry.event,
        "user_id": entry.user_id,
        "username": entry.username,
        "detail": entry.detail,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "api_key_id": entry.api_key_id,
        "day": entry.day.isoformat() if entry.day else None,
        "uses": entry.uses,
    }
