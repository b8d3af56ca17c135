"""Venue administration in the audit log: who changed a venue's hours, holidays or override,
when, and what it was before → after.

Each change is one row of the app's append-only audit log (`tradedeck.audit`): action
`venue.<what>` (`venue.hours.set`, `venue.override`…), target the venue (`venue`, its id, its
code), the change's text in `after.summary`. `record` only adds the row to the session: the
caller commits it together with the change it describes, so a rejected (rolled back) edit
leaves no row and a committed one always has one. The venue page, API and CLI read the log
filtered to one venue; the admin audit page shows these rows with everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select

from tradedeck.accounts.models import User
from tradedeck.api import paging
from tradedeck.audit.models import AuditEntry
from tradedeck.audit.services import Target
from tradedeck.audit.services import record as record_audit
from tradedeck.extensions import db
from tradedeck.market.models import Venue

if TYPE_CHECKING:
    from flask_login import UserMixin

ACTIONS = (
    "hours.set",
    "hours.reset",
    "holiday.add",
    "holiday.update",
    "holiday.remove",
    "override",
)
PREFIX = "venue."
TARGET = "venue"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
UNKNOWN_ACTOR = "unknown"


@dataclass(frozen=True)
class VenueChange:
    """A venue's audit row as the API, CLI and page show it."""

    id: int
    venue: str
    action: str
    by: str
    user_id: int | None
    summary: str
    created_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "venue": self.venue,
            "action": self.action,
            "by": self.by,
            "user_id": self.user_id,
            "summary": self.summary,
            "created_at": self.created_at.isoformat(),
        }


def by_user(user: UserMixin) -> dict[str, Any]:
    """The `by` and `user_id` arguments of the hours services for a signed-in admin."""
    return {"by": user.username, "user_id": int(user.id)}


def record(
    venue: Venue, action: str, summary: str, by: str | None, user_id: int | None = None
) -> None:
    """Add the audit row of a change to the current transaction (the caller commits)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    user = db.session.get(User, user_id) if user_id is not None else None
    record_audit(
        PREFIX + action,
        Target(TARGET, venue.id, venue.code),
        after={"summary": summary},
        actor=user if user is not None else (by or UNKNOWN_ACTOR),
    )


def _of(venue: Venue) -> Select[tuple[AuditEntry]]:
    return select(AuditEntry).where(
        AuditEntry.target_type == TARGET,
        AuditEntry.target_id == str(venue.id),
        AuditEntry.action.startswith(PREFIX),
    )


def page(venue: Venue, cursor: str | None, limit: int = DEFAULT_LIMIT) -> paging.Page:
    """A page of the venue's changes as `VenueChange`s, newest first (see `api.paging`)."""
    found = paging.fetch(_of(venue), AuditEntry.created_at, AuditEntry.id, cursor, limit)
    return paging.Page([_change(venue, row) for row in found.rows], found.next)


def _change(venue: Venue, row: AuditEntry) -> VenueChange:
    summary = (row.after or {}).get("summary", "")
    return VenueChange(
        row.id,
        venue.code,
        row.action.removeprefix(PREFIX),
        row.actor,
        row.actor_id,
        str(summary),
        row.created_at,
    )


def recent(venue: Venue, limit: int = DEFAULT_LIMIT) -> list[VenueChange]:
    """The venue's latest `limit` changes, newest first (id breaks ties within a tick)."""
    rows = db.session.scalars(
        _of(venue).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    )
    return [_change(venue, row) for row in rows]
