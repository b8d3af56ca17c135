"""Whether a venue is open right now: the hook the trading feature fills with venue hours.

Market data owns the price engine but not the trading calendar. Until a check is set with
`set_venue_open_check(app, fn)`, every venue trades around the clock; afterwards
`fn(venue, now_utc) -> bool` decides, and the engine ticks only instruments of open venues.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

from tradedeck.database import utcnow
from tradedeck.market.models import Venue

VENUE_OPEN_KEY = "tradedeck.market.venue_open_check"
VenueOpenCheck = Callable[[Venue, datetime], bool]


def set_venue_open_check(app: Flask, check: VenueOpenCheck) -> None:
    """Install the app's venue-hours rule (one per app; a later call replaces it)."""
    app.extensions[VENUE_OPEN_KEY] = check


def is_venue_open(venue: Venue, now: datetime | None = None) -> bool:
    check: VenueOpenCheck | None = current_app.extensions.get(VENUE_OPEN_KEY)
    return True if check is None else bool(check(venue, now or utcnow()))
