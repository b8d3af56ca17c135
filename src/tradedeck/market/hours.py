"""When a venue trades: the hooks the trading feature fills with venue hours.

Market data owns the price engine and simulated history but not the trading calendar. Until
the trading feature sets its rules, every venue trades around the clock. Afterwards
`fn(venue, now_utc) -> bool` (`set_venue_open_check`) decides which instruments the engine
ticks, and `fn(venue, start, end) -> [(open, close), ...]` (`set_venue_windows`) which
minutes simulated history covers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

from tradedeck.database import utcnow
from tradedeck.market.models import Venue

VENUE_OPEN_KEY = "tradedeck.market.venue_open_check"
VENUE_WINDOWS_KEY = "tradedeck.market.venue_windows"
VenueOpenCheck = Callable[[Venue, datetime], bool]
VenueWindows = Callable[[Venue, datetime, datetime], list[tuple[datetime, datetime]]]


def set_venue_open_check(app: Flask, check: VenueOpenCheck) -> None:
    """Install the app's venue-hours rule (one per app; a later call replaces it)."""
    app.extensions[VENUE_OPEN_KEY] = check


def is_venue_open(venue: Venue, now: datetime | None = None) -> bool:
    check: VenueOpenCheck | None = current_app.extensions.get(VENUE_OPEN_KEY)
    return True if check is None else bool(check(venue, now or utcnow()))


def set_venue_windows(app: Flask, windows: VenueWindows) -> None:
    """Install the app's trading sessions (one per app; a later call replaces it)."""
    app.extensions[VENUE_WINDOWS_KEY] = windows


def open_windows(venue: Venue, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) in which `venue` trades, in order (UTC)."""
    windows: VenueWindows | None = current_app.extensions.get(VENUE_WINDOWS_KEY)
    return [(start, end)] if windows is None else windows(venue, start, end)
