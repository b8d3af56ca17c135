"""Audit log of venue administration: who changed a venue's hours, holidays or override, when,
and what it was before → after.

`record` only adds the row to the session: the caller commits it together with the change it
describes, so a rejected (rolled back) edit leaves no row and a committed one always has one.
Rows keep the actor's name as it was, and the user id while that user exists (`cli` and other
non-user actors have none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tradedeck.api import paging
from tradedeck.extensions import db
from tradedeck.market.models import Venue
from tradedeck.venues.models import VenueAuditEntry

if TYPE_CHECKING:
    from tradedeck.accounts.models import User

ACTIONS = (
    "hours.set",
    "hours.reset",
    "holiday.add",
    "holiday.update",
    "holiday.remove",
    "override",
)
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
UNKNOWN_ACTOR = "unknown"


@dataclass(frozen=True)
class AuditEntry:
    """An audit row as the API, CLI and page show it."""

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


def by_user(user: User) -> dict[str, Any]:
    """The `by` and `user_id` arguments of the hours services for a signed-in admin."""
    return {"by": user.username, "user_id": int(user.id)}


def record(
    venue_id: int, action: str, summary: str, by: str | None, user_id: int | None = None
) -> None:
    """Add the audit row of a change to the current transaction (the caller commits)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    db.session.add(
        VenueAuditEntry(
            venue_id=venue_id,
            action=action,
            actor=(by or UNKNOWN_ACTOR)[:64],
            user_id=user_id,
            summary=summary,
        )
    )


def page(venue: Venue, cursor: str | None, limit: int = DEFAULT_LIMIT) -> paging.Page:
    """A page of the venue's entries as `AuditEntry`s, newest first (see `api.paging`)."""
    statement = select(VenueAuditEntry).where(VenueAuditEntry.venue_id == venue.id)
    found = paging.fetch(statement, VenueAuditEntry.created_at, VenueAuditEntry.id, cursor, limit)
    return paging.Page([_entry(venue, row) for row in found.rows], found.next)


def _entry(venue: Venue, row: VenueAuditEntry) -> AuditEntry:
    return AuditEntry(
        row.id, venue.code, row.action, row.actor, row.user_id, row.summary, row.created_at
    )


def recent(venue: Venue, limit: int = DEFAULT_LIMIT) -> list[AuditEntry]:
    """The venue's latest `limit` entries, newest first (id breaks ties within a tick)."""
    rows = db.session.scalars(
        select(VenueAuditEntry)
        .where(VenueAuditEntry.venue_id == venue.id)
        .order_by(VenueAuditEntry.created_at.desc(), VenueAuditEntry.id.desc())
        .limit(limit)
    )
    return [_entry(venue, row) for row in rows]
