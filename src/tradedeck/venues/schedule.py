"""When a venue trades: open/closed now, next open and close, a day order's session end, the
clock and calendar the API shows, and the scheduler that records each venue's state.

Weekly sessions are wall-clock times in the venue's time zone; `core.calendar` turns them into
UTC instants per date, so DST never shifts the opening bell. A real exchange venue
(`exchanges.EXCHANGES`: NYSE, NASDAQ, NSE, BSE…) takes its week, holidays and early closes
from its exchange calendar, with the admin's holidays and half days on top; any other
scheduled venue (SIM, an exchange only Yahoo knows) has its stored weekly sessions, or the
default Mon-Fri 09:30-16:00, and its stored holidays. A 24/7 venue (`always_open`, crypto)
has none. The `market_states` row records what the scheduler last saw and any override an
admin set; the override is read from it on every check, so every process honours it.

Schedules are cached per app (`app.extensions`, a cachetools TTLCache) for
`SCHEDULE_TTL_SECS`, exchange calendars for the process's app lifetime (an LRU per calendar
and year): order placement and the price engine ask on every step.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from cachetools import LRUCache, TTLCache
from flask import Flask, current_app
from sqlalchemy import inspect, select

from tradedeck.core import calendar
from tradedeck.core.calendar import Override, VenueSchedule
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db, events
from tradedeck.market.models import Venue
from tradedeck.venues import exchanges
from tradedeck.venues.models import MarketState, VenueHoliday, VenueSession

log = logging.getLogger(__name__)

DEFAULT_OPEN = time(9, 30)
DEFAULT_CLOSE = time(16, 0)
HOLIDAY_YEARS_BEHIND, HOLIDAY_YEARS_AHEAD = 1, 5
# Schedules are cached per app this long; an edit made here clears the cache at once.
SCHEDULE_TTL_SECS = 2.0
MAX_CACHED_VENUES = 1024
MAX_CACHED_CALENDARS = 32
SCHEDULED_KINDS = ("simulated", exchanges.YAHOO_KIND)
CACHE_KEY = "tradedeck.venues.caches"
market_state_changed = events.signal("market.state")


class VenueCaches:
    """One app's schedule caches: a venue's schedule for a few seconds, exchange calendars
    (which never change) by calendar and year, and each venue's last day-order session end."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.schedules: TTLCache[int, VenueSchedule] = TTLCache(
            MAX_CACHED_VENUES, SCHEDULE_TTL_SECS
        )
        self.calendars: LRUCache[tuple[str, int], exchanges.CalendarDays] = LRUCache(
            MAX_CACHED_CALENDARS
        )
        self.session_ends: LRUCache[int, tuple[VenueSchedule, datetime, datetime]] = LRUCache(
            MAX_CACHED_VENUES
        )

    def clear(self) -> None:
        """Forget schedules and session ends (exchange calendars stay valid)."""
        with self.lock:
            self.schedules.clear()
            self.session_ends.clear()


def install_caches(app: Flask) -> VenueCaches:
    """A fresh set of caches for `app` (a new app may mean a new database)."""
    caches = VenueCaches()
    app.extensions[CACHE_KEY] = caches
    return caches


def _caches() -> VenueCaches:
    app: Any = current_app
    caches = app.extensions.get(CACHE_KEY)
    return caches if caches is not None else install_caches(app._get_current_object())


def clear_schedule_cache() -> None:
    """Forget this app's cached schedules: called after every write that changes hours."""
    _caches().clear()


def get_venue(code: str) -> Venue:
    """The venue with `code` (case-insensitive), or DomainError on `venue`."""
    venue = db.session.scalars(select(Venue).where(Venue.code == code.strip().upper())).first()
    if venue is None:
        raise DomainError(f"unknown venue {code!r}", field="venue", code="not_found", status=404)
    return venue


def calendar_of(venue: Venue) -> exchanges.CalendarDays | None:
    """The exchange calendar's days of a real exchange venue (None for SIM, crypto, …)."""
    exchange = exchanges.exchange_of(venue.code)
    if exchange is None or venue.always_open:
        return None
    year = utcnow().year
    key = (exchange.calendar, year)
    caches = _caches()
    with caches.lock:
        found = caches.calendars.get(key)
    if found is None:
        found = exchanges.calendar_days(exchange.calendar, date(year, 7, 1))
        with caches.lock:
            caches.calendars[key] = found
    return found


def build_schedule(venue: Venue) -> VenueSchedule:
    """The venue's schedule from its calendar or stored sessions, its holidays and override
    (uncached). An admin's holiday or half day replaces what the calendar says of that date."""
    state = db.session.get(MarketState, venue.id)
    override = Override(state.override) if state else Override.AUTO
    if venue.always_open:
        return VenueSchedule.always_open(override)
    days = db.session.execute(
        select(VenueHoliday.day, VenueHoliday.early_close).where(VenueHoliday.venue_id == venue.id)
    ).all()
    holidays = {day for day, early in days if early is None}
    early_closes = {day: early for day, early in days if early is not None}
    known = calendar_of(venue)
    if known is not None:
        own = holidays | set(early_closes)
        holidays |= {day for day in known.holidays if day not in own}
        early_closes |= {d: at for d, (at, _) in known.early_closes.items() if d not in own}
        return VenueSchedule(
            known.timezone, known.sessions, frozenset(holidays), override, early_closes=early_closes
        )
    rows = db.session.scalars(select(VenueSession).where(VenueSession.venue_id == venue.id)).all()
    if rows:
        sessions = tuple(calendar.WeeklySession(r.weekday, r.open_time, r.close_time) for r in rows)
    else:
        sessions = VenueSchedule.weekdays(venue.timezone, DEFAULT_OPEN, DEFAULT_CLOSE).sessions
    return VenueSchedule(
        venue.timezone, sessions, frozenset(holidays), override, early_closes=early_closes
    )


def _venue_id(venue: Venue | int) -> int:
    """The id without loading the row: the price engine keeps venues across sessions."""
    if isinstance(venue, int):
        return venue
    identity = inspect(venue).identity
    return int(identity[0]) if identity else venue.id


def schedule_for(venue: Venue | int) -> VenueSchedule:
    """Cached `build_schedule`: order placement and the price engine ask on every step."""
    venue_id = _venue_id(venue)
    caches = _caches()
    with caches.lock:
        hit = caches.schedules.get(venue_id)
    if hit is not None:
        return hit
    row = db.session.get(Venue, venue_id)
    if row is None:
        raise DomainError(
            f"unknown venue id {venue_id}", field="venue", code="not_found", status=404
        )
    schedule = build_schedule(row)
    with caches.lock:
        caches.schedules[venue_id] = schedule
    return schedule


def is_venue_open(venue: Venue | int, at: datetime | None = None) -> bool:
    """Scheduled hours, holidays and override: the venue-open check of the whole app."""
    return calendar.is_open(schedule_for(venue), at or utcnow())


def open_windows(venue: Venue, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Scheduled sessions within [start, end), clipped to it (the override is ignored: it
    is an emergency of the moment, not part of a venue's history).

    A venue seen for the first time gets its default hours here, as the scheduler would give
    it seconds later: history generated for a new SIM venue must not cover its weekends.
    """
    if db.session.get(MarketState, venue.id) is None:
        seed_hours(venue)
        db.session.flush()
        clear_schedule_cache()
    scheduled = replace(schedule_for(venue), override=Override.AUTO)
    return [
        (max(window.open, start), min(window.close, end))
        for window in calendar.sessions_between(scheduled, start, end)
    ]


def session_end(venue: Venue | int, at: datetime) -> datetime:
    """When a day order placed at `at` expires: the close of the running (or next) session,
    ignoring any override; the next UTC midnight for a 24/7 venue.

    Every day order asks. The answer found at t0 holds for any time in [t0, answer) under
    the same schedule, so it is kept per venue until the schedule or that window changes.
    """
    schedule = schedule_for(venue)
    venue_id = _venue_id(venue)
    caches = _caches()
    with caches.lock:
        known = caches.session_ends.get(venue_id)
    if known is not None and known[0] is schedule and known[1] <= at < known[2]:
        return known[2]
    close = calendar.next_close(replace(schedule, override=Override.AUTO), at)
    if close is None:
        close = datetime.combine(at.date() + timedelta(days=1), time(0), at.tzinfo)
    with caches.lock:
        caches.session_ends[venue_id] = (schedule, at, close)
    return close


@dataclass(frozen=True)
class Clock:
    venue: str
    timezone: str
    is_open: bool
    next_open: datetime | None
    next_close: datetime | None
    override: str
    emergency: bool
    calendar: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "venue": self.venue,
            "timezone": self.timezone,
            "is_open": self.is_open,
            "next_open": self.next_open.isoformat() if self.next_open else None,
            "next_close": self.next_close.isoformat() if self.next_close else None,
            "override": self.override,
            "emergency": self.emergency,
            "calendar": self.calendar,
        }


def clock(venue: Venue, at: datetime | None = None) -> Clock:
    at = at or utcnow()
    schedule = build_schedule(venue)
    known = calendar_of(venue)
    return Clock(
        venue=venue.code,
        timezone=schedule.timezone,
        is_open=calendar.is_open(schedule, at),
        next_open=calendar.next_open(schedule, at),
        next_close=calendar.next_close(schedule, at),
        override=schedule.override.value,
        emergency=schedule.override is not Override.AUTO,
        calendar=known.calendar if known else None,
    )


def venue_calendar(venue: Venue, start: datetime, end: datetime) -> dict[str, object]:
    """Weekly hours, holidays in range and the concrete sessions of [start, end)."""
    schedule = build_schedule(venue)
    holidays = holidays_of(venue, start.date(), end.date())
    known = calendar_of(venue)
    return {
        "venue": venue.code,
        "timezone": schedule.timezone,
        "always_open": schedule.continuous,
        "calendar": known.calendar if known else None,
        "override": schedule.override.value,
        "hours": [
            {
                "weekday": s.weekday,
                "day": calendar.WEEKDAYS[s.weekday],
                "open": s.open.strftime("%H:%M"),
                "close": s.close.strftime("%H:%M") if s.close else "24:00",
            }
            for s in sorted(schedule.sessions, key=lambda s: (s.weekday, s.open))
        ],
        "holidays": [holiday_json(h) for h in holidays],
        "sessions": [
            {"open": w.open.isoformat(), "close": w.close.isoformat()}
            for w in calendar.sessions_between(schedule, start, end)
        ],
    }


def admin_holidays(
    venue: Venue, start: date | None = None, end: date | None = None
) -> list[calendar.Holiday]:
    """The holidays and half days stored for the venue in [start, end], by date."""
    query = select(VenueHoliday).where(VenueHoliday.venue_id == venue.id)
    if start is not None:
        query = query.where(VenueHoliday.day >= start)
    if end is not None:
        query = query.where(VenueHoliday.day <= end)
    return [
        calendar.Holiday(row.day, row.name, row.early_close)
        for row in db.session.scalars(query.order_by(VenueHoliday.day))
    ]


def calendar_holidays(
    venue: Venue, start: date | None = None, end: date | None = None
) -> list[calendar.Holiday]:
    """The exchange calendar's closed days and early closes in [start, end] (none for a venue
    without a calendar), by date."""
    known = calendar_of(venue)
    if known is None:
        return []
    found = [calendar.Holiday(day, name) for day, name in known.holidays.items()]
    found += [calendar.Holiday(day, name, at) for day, (at, name) in known.early_closes.items()]
    return sorted(
        (h for h in found if (start is None or h.date >= start) and (end is None or h.date <= end)),
        key=lambda h: h.date,
    )


def holidays_of(
    venue: Venue, start: date | None = None, end: date | None = None
) -> list[calendar.Holiday]:
    """The venue's holidays and half days in [start, end] (either bound optional), by date:
    the calendar's, with the admin's replacing them date by date."""
    own = admin_holidays(venue, start, end)
    taken = {h.date for h in own}
    merged = own + [h for h in calendar_holidays(venue, start, end) if h.date not in taken]
    return sorted(merged, key=lambda h: h.date)


def holiday_json(holiday: calendar.Holiday) -> dict[str, str | None]:
    """`{date, name, early_close}`: early_close is `HH:MM` on a half day, else null."""
    return {
        "date": holiday.date.isoformat(),
        "name": holiday.name,
        "early_close": holiday.early_close.strftime("%H:%M") if holiday.early_close else None,
    }


def seed_hours(venue: Venue, today: date | None = None) -> None:
    """Default hours and the seed's holidays for a venue seen for the first time.

    Stock venues (`SCHEDULED_KINDS`) trade in sessions even when they were created with the
    catalogue's 24/7 default; crypto exchanges stay 24/7. An exchange venue's sessions and
    holidays come from its calendar, so nothing is stored for it; other scheduled venues get
    Mon-Fri 09:30-16:00 in their time zone and New Year's, Independence Day and Christmas.
    """
    if venue.kind in SCHEDULED_KINDS and db.session.get(MarketState, venue.id) is None:
        venue.always_open = False
    if venue.always_open or exchanges.exchange_of(venue.code) is not None:
        return
    has_sessions = db.session.scalar(
        select(VenueSession.id).where(VenueSession.venue_id == venue.id).limit(1)
    )
    if has_sessions is None:
        for weekday in range(5):
            db.session.add(
                VenueSession(
                    venue_id=venue.id,
                    weekday=weekday,
                    open_time=DEFAULT_OPEN,
                    close_time=DEFAULT_CLOSE,
                )
            )
    year = (today or utcnow().date()).year
    known = set(
        db.session.scalars(select(VenueHoliday.day).where(VenueHoliday.venue_id == venue.id))
    )
    for holiday in calendar.observed_holidays(
        year - HOLIDAY_YEARS_BEHIND, year + HOLIDAY_YEARS_AHEAD
    ):
        if holiday.date not in known:
            db.session.add(VenueHoliday(venue_id=venue.id, day=holiday.date, name=holiday.name))


def sync_market_states(now: datetime | None = None) -> list[tuple[str, bool]]:
    """Scheduler job: record each venue's open/closed state and announce the changes.

    Runs every few seconds from the worker loop, so a boundary is seen within seconds, and
    a venue seen for the first time gets its default hours and holidays.
    """
    now = now or utcnow()
    changes = []
    for venue in db.session.scalars(select(Venue)).all():
        row = db.session.get(MarketState, venue.id)
        if row is None:
            seed_hours(venue, now.date())
            row = MarketState(venue_id=venue.id, is_open=False, override=Override.AUTO.value)
            db.session.add(row)
            db.session.flush()
        is_open = calendar.is_open(build_schedule(venue), now)
        if is_open != row.is_open or row.changed_at is None:
            row.is_open = is_open
            row.changed_at = now
            changes.append((venue.code, is_open))
        row.checked_at = now
    db.session.commit()
    if changes:
        clear_schedule_cache()
    for code, is_open in changes:
        log.info("venue %s is now %s", code, "open" if is_open else "closed")
        market_state_changed.send(code, is_open=is_open)
    return changes
