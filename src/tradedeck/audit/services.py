"""Write the audit and access logs.

`record` only adds the audit row to the caller's session: the caller commits it together with
the change it describes, so a refused (rolled back) change leaves no row and a committed one
always has its row. Actor and IP come from the signed-in request unless given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import click
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import inspect, update
from sqlalchemy.exc import IntegrityError

from tradedeck.audit.models import (
    API_KEY_USE,
    LOGIN_FAILURE,
    LOGIN_SUCCESS,
    LOGOUT,
    AccessLogEntry,
    AuditEntry,
)
from tradedeck.database import utcnow
from tradedeck.extensions import db

SYSTEM_ACTOR = "system"
CLI_ACTOR = "cli"
LABEL_ATTRIBUTES = ("username", "symbol", "code", "name", "note")


@dataclass(frozen=True)
class Target:
    """What an action touched: a type (`user`, `access_key`, `instrument`…), its id, a label."""

    type: str
    id: str | int | None = None
    label: str = ""


def target_of(obj: Any) -> Target:
    """A `Target` for a mapped row: snake_case class name, primary key, first label attribute.

    A pending row is flushed first so its id is known.
    """
    state = inspect(obj)
    if state.pending:
        db.session.flush()
    name = type(obj).__name__
    kind = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    key = state.identity
    ident = key[0] if key and len(key) == 1 else (",".join(map(str, key)) if key else None)
    label = next(
        (str(getattr(obj, a)) for a in LABEL_ATTRIBUTES if getattr(obj, a, None)), f"{name} {ident}"
    )
    return Target(kind, ident, label)


def jsonable(value: Any) -> Any:
    """Decimals as strings (exact), times ISO-8601, enums by value, containers recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: Any, *fields: str) -> dict[str, Any]:
    """The named attributes of `obj` as a JSON-able dict, for `before`/`after`."""
    return {name: jsonable(getattr(obj, name)) for name in fields}


def _request_ip() -> str | None:
    return (request.remote_addr or None) if has_request_context() else None


def _actor(actor: Any) -> tuple[int | None, str]:
    if isinstance(actor, str):
        return None, actor[:64]
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if actor is None:
        return None, CLI_ACTOR if click.get_current_context(silent=True) else SYSTEM_ACTOR
    return int(actor.id), str(actor.username)[:64]


def record(
    action: str,
    target: Target | Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    actor: Any = None,
    ip: str | None = None,
) -> AuditEntry:
    """Add one audit row for `action` (e.g. "user.update") on `target` to the current session.

    `target` is a `Target` or a mapped row (see `target_of`); `before`/`after` are dicts
    (made JSON-able). `actor` defaults to the signed-in user, else "cli" in a command, else
    "system"; a string names another non-user actor. The caller commits (or rolls back) with
    its change.
    """
    if not action or len(action) > 64:
        raise ValueError(f"audit action must be 1 to 64 characters: {action!r}")
    where = target if isinstance(target, Target) else target_of(target)
    actor_id, actor_name = _actor(actor)
    entry = AuditEntry(
        actor_id=actor_id,
        actor=actor_name,
        action=action,
        target_type=where.type[:32],
        target_id=None if where.id is None else str(where.id)[:64],
        target_label=where.label[:200],
        before=None if before is None else jsonable(before),
        after=None if after is None else jsonable(after),
        ip=ip or _request_ip(),
    )
    db.session.add(entry)
    return entry


def _access_row(event: str, user: Any, username: str, detail: str = "") -> AccessLogEntry:
    agent = request.user_agent.string if has_request_context() else ""
    row = AccessLogEntry(
        event=event,
        user_id=None if user is None else int(user.id),
        username=(username or (user.username if user is not None else ""))[:254],
        detail=detail[:64],
        ip=_request_ip(),
        user_agent=(agent or "")[:255],
    )
    db.session.add(row)
    return row


def log_login(identifier: str, user: Any, detail: str = "") -> None:
    """Add a login row: success when `user` is given and `detail` is empty, else a failure
    (`detail` says why: unknown user, wrong password, disabled). The caller commits."""
    event = LOGIN_SUCCESS if user is not None and not detail else LOGIN_FAILURE
    _access_row(event, user, identifier, detail)


def log_logout(user: Any) -> None:
    """Add a logout row for `user`; the caller commits."""
    _access_row(LOGOUT, user, user.username)


def count_api_key_use(api_key_id: int, user: Any) -> None:
    """Count one use of an API key in today's (UTC) summary row; the caller commits.

    One UPDATE in the common case; the first use of the day inserts the row (in a savepoint,
    so a simultaneous first use just retries the UPDATE).
    """
    now = utcnow()
    today = now.date()
    bump = (
        update(AccessLogEntry)
        .where(AccessLogEntry.api_key_id == api_key_id, AccessLogEntry.day == today)
        .values(uses=AccessLogEntry.uses + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(bump).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                AccessLogEntry(
                    event=API_KEY_USE,
                    user_id=int(user.id),
                    username=str(user.username)[:254],
                    api_key_id=api_key_id,
                    day=today,
                    uses=1,
                    ip=_request_ip(),
                    user_agent=(request.user_agent.string if has_request_context() else "")[:255],
                    created_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError:
        db.session.execute(bump)
