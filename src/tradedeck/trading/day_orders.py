"""Day orders follow their venue's hours: when an admin edits a venue's sessions or holidays,
the venue's working day orders expire at the close of the session running now (or the next
one) under the new hours, not at a close the edit moved or removed.

`venues.admin.hours_changed` is sent inside the edit's transaction, so this update commits
or rolls back with the edit and its audit row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from tradedeck.core.orders import TimeInForce
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, Venue
from tradedeck.trading.ledger import WORKING
from tradedeck.trading.models import Order
from tradedeck.venues.admin import hours_changed


def redate_day_orders(venue: Venue, *, session_end: datetime, now: datetime) -> None:
    on_venue = select(Instrument.id).where(Instrument.venue_id == venue.id)
    db.session.execute(
        update(Order)
        .where(
            Order.status.in_(WORKING),
            Order.time_in_force == TimeInForce.DAY.value,
            Order.instrument_id.in_(on_venue),
        )
        .values(expires_at=session_end, updated_at=now)
    )


def listen() -> None:
    """Connect the receiver (blinker keeps one connection however often an app is made)."""
    hours_changed.connect(redate_day_orders)
