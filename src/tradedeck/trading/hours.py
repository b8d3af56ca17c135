"""Venue trading hours, holidays, emergency override and the market state row.

Weekly sessions are wall-clock times in the venue's time zone; `core.calendar` turns them into
UTC instants per date, so DST never shifts the opening bell. A venue without stored sessions
gets the seed's default (Mon-Fri 09:30-16:00), a 24/7 venue (`always_open`) has none. The
`market_states` row records what the scheduler last saw and any override an admin set; the
override is read from it on every check, so every process honours it. `is_venue_open` is
installed as the market feature's venue-open check, so the price engine ticks open venues only.
"""

from __future__ import annotations

import logging
import threading
import time as monotonic_time
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradedeck.core import calendar
from tradedeck.core.calendar import Override, VenueSchedule
from tradedeck.core.errors import DomainError
from tradedeck.database import TimestampMixin, UTCDateTime, utcnow
from tradedeck.extensions import db, events
from tradedeck.market.models import Venue
from tradedeck.trading import venue_audit

log = logging.getLogger(__name__)

DEFAULT_OPEN = time(9, 30)
DEFAULT_CLOSE = time(16, 0)
HOLIDAY_YEARS_BEHIND, HOLIDAY_YEARS_AHEAD = 1, 5
# Schedules are cached per process this long; an override set here clears the cache at once.
SCHEDULE_TTL_SECS = 2.0
SCHEDULED_KINDS = ("simulated", "yahoo")
market_state_changed = events.signal("market.state")


class VenueSession(TimestampMixin, db.Model):
    """One weekly session (Monday = 0) in the venue's time zone."""

    __tablename__ = "venue_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    open_time: Mapped[time] = mapped_column(Time())
    close_time: Mapped[time | None] = mapped_column(Time(), nullable=True)


class VenueHoliday(TimestampMixin, db.Model):
    """A date the venue stays closed regardless of its hours, or, with `early_close`, a half
    day whose sessions end at that wall-clock time (Christmas Eve 13:00)."""

    __tablename__ = "venue_holidays"
    __table_args__ = (UniqueConstraint("venue_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date())
    name: Mapped[str] = mapped_column(String(80))
    early_close: Mapped[time | None] = mapped_column(Time(), nullable=True)


class MarketState(TimestampMixin, db.Model):
    """Open/closed as last seen by the scheduler, plus the emergency override in force."""

    __tablename__ = "market_states"

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True
    )
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    override: Mapped[str] = mapped_column(String(8), default=Override.AUTO.value)
    override_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def emergency(self) -> bool:
        """An override is an emergency measure, flagged apart from scheduled opens/closes."""
        return self.override != Override.AUTO.value


_cache: dict[int, tuple[float, VenueSchedule]] = {}
_cache_lock = threading.Lock()


def get_venue(code: str) -> Venue:
    """The venue with `code` (case-insensitive), or DomainError on `venue`."""
    venue = db.session.scalars(select(Venue).where(Venue.code == code.strip().upper())).first()
    if venue is None:
        raise DomainError(f"unknown venue {code!r}", field="venue", code="not_found", status=404)
    return venue


def build_schedule(venue: Venue) -> VenueSchedule:
    """The venue's schedule from its stored sessions, holidays and override (uncached)."""
    state = db.session.get(MarketState, venue.id)
    override = Override(state.override) if state else Override.AUTO
    if venue.always_open:
        return VenueSchedule.always_open(override)
    rows = db.session.scalars(select(VenueSession).where(VenueSession.venue_id == venue.id)).all()
    days = db.session.execute(
        select(VenueHoliday.day, VenueHoliday.early_close).where(VenueHoliday.venue_id == venue.id)
    ).all()
    holidays = frozenset(day for day, early in days if early is None)
    early_closes = {day: early for day, early in days if early is not None}
    if rows:
        sessions = tuple(calendar.WeeklySession(r.weekday, r.open_time, r.close_time) for r in rows)
    else:
        sessions = VenueSchedule.weekdays(venue.timezone, DEFAULT_OPEN, DEFAULT_CLOSE).sessions
    return VenueSchedule(venue.timezone, sessions, holidays, override, early_closes=early_closes)


def _venue_id(venue: Venue | int) -> int:
    """The id without loading the row: the price engine keeps venues across sessions."""
    if isinstance(venue, int):
        return venue
    identity = inspect(venue).identity
    return int(identity[0]) if identity else venue.id


def schedule_for(venue: Venue | int) -> VenueSchedule:
    """Cached `build_schedule`: order placement and the price engine ask on every step."""
    venue_id = _venue_id(venue)
    now = monotonic_time.monotonic()
    with _cache_lock:
        hit = _cache.get(venue_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = db.session.get(Venue, venue_id)
    if row is None:
        raise DomainError(
            f"unknown venue id {venue_id}", field="venue", code="not_found", status=404
        )
    schedule = build_schedule(row)
    with _cache_lock:
        _cache[venue_id] = (now + SCHEDULE_TTL_SECS, schedule)
    return schedule


def clear_schedule_cache() -> None:
    with _cache_lock:
        _cache.clear()


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


_session_ends: dict[int, tuple[VenueSchedule, datetime, datetime]] = {}


def session_end(venue: Venue | int, at: datetime) -> datetime:
    """When a day order placed at `at` expires: the close of the running (or next) session,
    ignoring any override; the next UTC midnight for a 24/7 venue.

    Every day order asks. The answer found at t0 holds for any time in [t0, answer) under
    the same schedule, so it is kept per venue until the schedule or that window changes.
    """
    schedule = schedule_for(venue)
    venue_id = _venue_id(venue)
    known = _session_ends.get(venue_id)
    if known is not None and known[0] is schedule and known[1] <= at < known[2]:
        return known[2]
    close = calendar.next_close(replace(schedule, override=Override.AUTO), at)
    if close is None:
        close = datetime.combine(at.date() + timedelta(days=1), time(0), at.tzinfo)
    _session_ends[venue_id] = (schedule, at, close)
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

    def to_json(self) -> dict[str, object]:
        return {
            "venue": self.venue,
            "timezone": self.timezone,
            "is_open": self.is_open,
            "next_open": self.next_open.isoformat() if self.next_open else None,
            "next_close": self.next_close.isoformat() if self.next_close else None,
            "override": self.override,
            "emergency": self.emergency,
        }


def clock(venue: Venue, at: datetime | None = None) -> Clock:
    at = at or utcnow()
    schedule = build_schedule(venue)
    return Clock(
        venue=venue.code,
        timezone=schedule.timezone,
        is_open=calendar.is_open(schedule, at),
        next_open=calendar.next_open(schedule, at),
        next_close=calendar.next_close(schedule, at),
        override=schedule.override.value,
        emergency=schedule.override is not Override.AUTO,
    )


def venue_calendar(venue: Venue, start: datetime, end: datetime) -> dict[str, object]:
    """Weekly hours, holidays in range and the concrete sessions of [start, end)."""
    schedule = build_schedule(venue)
    holidays = holidays_of(venue, start.date(), end.date())
    return {
        "venue": venue.code,
        "timezone": schedule.timezone,
        "always_open": schedule.continuous,
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


def holidays_of(
    venue: Venue, start: date | None = None, end: date | None = None
) -> list[calendar.Holiday]:
    """The venue's holidays and half days in [start, end] (either bound optional), by date."""
    query = select(VenueHoliday).where(VenueHoliday.venue_id == venue.id)
    if start is not None:
        query = query.where(VenueHoliday.day >= start)
    if end is not None:
        query = query.where(VenueHoliday.day <= end)
    return [
        calendar.Holiday(row.day, row.name, row.early_close)
        for row in db.session.scalars(query.order_by(VenueHoliday.day))
    ]


def holiday_json(holiday: calendar.Holiday) -> dict[str, str | None]:
    """`{date, name, early_close}`: early_close is `HH:MM` on a half day, else null."""
    return {
        "date": holiday.date.isoformat(),
        "name": holiday.name,
        "early_close": holiday.early_close.strftime("%H:%M") if holiday.early_close else None,
    }


def seed_hours(venue: Venue, today: date | None = None) -> None:
    """Default hours and the seed's holidays for a venue seen for the first time.

    Stock venues (`SCHEDULED_KINDS`) trade Mon-Fri 09:30-16:00 in their time zone even when
    they were created with the catalogue's 24/7 default; crypto exchanges stay 24/7.
    """
    if venue.kind in SCHEDULED_KINDS and db.session.get(MarketState, venue.id) is None:
        venue.always_open = False
    if venue.always_open:
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


def set_override(
    code: str, state: str, by: str | None = None, user_id: int | None = None
) -> MarketState:
    """Force a venue open or closed (an emergency, flagged as such), or back to `auto`; the
    change and its audit row commit together."""
    try:
        override = Override(str(state).strip().lower())
    except ValueError:
        raise DomainError("state must be one of: open, closed, auto", field="state") from None
    venue = get_venue(code)
    row = db.session.get(MarketState, venue.id) or MarketState(venue_id=venue.id, is_open=False)
    before = row.override or Override.AUTO.value
    now = utcnow()
    row.override = override.value
    row.override_by = by if override is not Override.AUTO else None
    row.override_at = now
    db.session.add(row)
    venue_audit.record(venue.id, "override", f"{before} → {override.value}", by, user_id)
    db.session.commit()
    clear_schedule_cache()
    log.warning("venue %s override set to %s by %s", venue.code, override.value, by or "?")
    sync_market_states(now)
    return row


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
