"""Admin use cases on one-time registration keys (seed 002): create one or many, list them by
state with who made and who used each, revoke an unused one.

Keys are single-use (max uses = 1): registration claims a key with one conditional UPDATE
(`accounts.services.register_user`), which also refuses revoked and expired keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import aliased

from tradedeck.accounts import services as accounts
from tradedeck.accounts.models import AccessKey, User
from tradedeck.admin.common import Page, paginate
from tradedeck.audit.services import Target, record
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db

STATES = ("unused", "used", "expired", "revoked")
MAX_BATCH = 100
MAX_DAYS = 365
MAX_NOTE = 200


@dataclass(frozen=True)
class KeyRow:
    """A key as the list shows it (never its secret: only the hash is stored)."""

    key: AccessKey
    state: str
    created_by: str | None
    used_by: str | None
    used_by_id: int | None


@dataclass(frozen=True)
class NewKeys:
    rows: list[AccessKey]
    clear: list[str]


def state_of(key: AccessKey, now: datetime | None = None) -> str:
    if key.used_at is not None:
        return "used"
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= (now or utcnow()):
        return "expired"
    return "unused"


def parse_count(raw: Any) -> int:
    try:
        count = int(str(raw).strip())
    except (TypeError, ValueError):
        raise DomainError("count must be a whole number.", field="count") from None
    if not 1 <= count <= MAX_BATCH:
        raise DomainError(f"count must be between 1 and {MAX_BATCH}.", field="count")
    return count


def parse_days(raw: Any) -> int | None:
    """Days until expiry: empty = never expires."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise DomainError(
            f"expires_in_days must be 1 to {MAX_DAYS} (or empty).", field="expires_in_days"
        )
    return int(text)


def create_keys(
    count: int, note: str = "", expires_in_days: int | None = None, by: User | None = None
) -> NewKeys:
    """Create `count` keys in one transaction, one audit row per key; the clear keys are
    returned once."""
    count = parse_count(count)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(f"note must be at most {MAX_NOTE} characters.", field="note")
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    made = [accounts.new_access_key(note, by, expires) for _ in range(count)]
    db.session.flush()
    for row, _clear in made:
        record(
            "access_key.create",
            Target("access_key", row.id, note or f"key {row.id}"),
            after={"note": note, "expires_at": expires, "max_uses": 1},
        )
    db.session.commit()
    return NewKeys([row for row, _ in made], [clear for _, clear in made])


def keys_query(state: str = "") -> Select[Any]:
    if state and state not in STATES:
        raise DomainError(f"state must be one of {', '.join(STATES)}.", field="state")
    maker, user = aliased(User), aliased(User)
    statement = (
        select(AccessKey, maker.username, user.username)
        .outerjoin(maker, maker.id == AccessKey.created_by_id)
        .outerjoin(user, user.id == AccessKey.used_by_id)
    )
    now = utcnow()
    open_ = and_(AccessKey.used_at.is_(None), AccessKey.revoked_at.is_(None))
    conditions = {
        "used": AccessKey.used_at.is_not(None),
        "revoked": and_(AccessKey.used_at.is_(None), AccessKey.revoked_at.is_not(None)),
        "expired": and_(open_, AccessKey.expires_at.is_not(None), AccessKey.expires_at <= now),
        "unused": and_(open_, or_(AccessKey.expires_at.is_(None), AccessKey.expires_at > now)),
    }
    if state:
        statement = statement.where(conditions[state])
    return statement.order_by(AccessKey.created_at.desc(), AccessKey.id.desc())


def list_keys(state: str = "", page: int = 1, per_page: int | None = None) -> Page[KeyRow]:
    found = paginate(keys_query(state), page, per_page, scalars=False)
    now = utcnow()
    rows = [
        KeyRow(key, state_of(key, now), made, used, key.used_by_id)
        for key, made, used in found.rows
    ]
    return Page(rows, found.page, found.per_page, found.total)


def revoke_key(key_id: int) -> AccessKey:
    """Revoke an unused key (used keys are history; revoking twice is refused)."""
    key = db.session.get(AccessKey, key_id)
    if key is None:
        raise DomainError(f"No access key {key_id}.", field="key_id", code="not_found", status=404)
    state = state_of(key)
    if state in ("used", "revoked"):
        raise DomainError(
            f"Access key {key_id} is already {state}.", field="key_id", code=state, status=409
        )
    record(
        "access_key.revoke",
        Target("access_key", key.id, key.note or f"key {key.id}"),
        {"state": state},
        {"state": "revoked"},
    )
    key.revoked_at = utcnow()
    db.session.commit()
    return key
