"""Venue trading sessions in the venue's own time zone, with holidays and an emergency override.

Sessions are wall-clock times in the venue zone (09:30-16:00 New York stays 09:30-16:00 across
DST), so every boundary is converted to UTC per date through `zoneinfo`. A session is open at
its open instant and closed at its close instant (open inclusive, close exclusive). A holiday
closes the venue all day; an early close (a half day such as Christmas Eve) ends that day's
sessions at a wall-clock time. All inputs and outputs are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tradedeck.core.errors import DomainError

# How far ahead next_open/next_close look before concluding a venue never opens/closes.
SEARCH_HORIZON_DAYS = 800
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Override(StrEnum):
    """Emergency control: force the venue open or closed, or follow the schedule (`auto`)."""

    OPEN = "open"
    CLOSED = "closed"
    AUTO = "auto"


@dataclass(frozen=True, slots=True)
class WeeklySession:
    """One trading session on a weekday (Monday = 0); `close=None` means until midnight."""

    weekday: int
    open: time
    close: time | None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise DomainError("weekday must be 0 (Monday) to 6 (Sunday)", field="weekday")
        if self.open.tzinfo is not None or (self.close and self.close.tzinfo is not None):
            raise DomainError("session times are naive venue wall-clock times", field="open")
        if self.close is not None and self.close <= self.open:
            raise DomainError("session close must be after its open", field="close")


@dataclass(frozen=True, slots=True)
class SessionWindow:
    """A concrete session as UTC instants: open inclusive, close exclusive."""

    open: datetime
    close: datetime


@dataclass(frozen=True, slots=True)
class Holiday:
    """A date the venue is closed (or closes early), with the name shown in the listing."""

    date: date
    name: str
    early_close: time | None = None


@dataclass(frozen=True)
class VenueSchedule:
    """Weekly hours of a venue, its holidays and the current override.

    `continuous=True` is a 24/7 venue (crypto): always open unless overridden closed, with no
    sessions and no holidays to consult. `early_closes` maps a date to the wall-clock time its
    sessions end at (sessions opening at or after it do not run that day).
    """

    timezone: str
    sessions: tuple[WeeklySession, ...] = ()
    holidays: frozenset[date] = field(default_factory=frozenset)
    override: Override = Override.AUTO
    continuous: bool = False
    early_closes: Mapping[date, time] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise DomainError(
                f"unknown time zone {self.timezone!r}", field="timezone", code="unknown_timezone"
            ) from exc
        for day in range(7):
            for earlier, later in pairwise(self.by_weekday[day]):
                if earlier.close is None or earlier.close > later.open:
                    raise DomainError(
                        f"sessions on {WEEKDAYS[day]} overlap", field="sessions", code="overlap"
                    )

    @classmethod
    def weekdays(
        cls,
        timezone: str,
        open: time = time(9, 30),
        close: time = time(16, 0),
        holidays: Iterable[date] = (),
        override: Override = Override.AUTO,
    ) -> VenueSchedule:
        """The usual stock venue: the same session Monday to Friday."""
        sessions = tuple(WeeklySession(day, open, close) for day in range(5))
        return cls(timezone, sessions, frozenset(holidays), override)

    @classmethod
    def always_open(cls, override: Override = Override.AUTO) -> VenueSchedule:
        """A 24/7 venue such as a crypto exchange."""
        return cls("UTC", override=override, continuous=True)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def by_weekday(self) -> tuple[tuple[WeeklySession, ...], ...]:
        return tuple(
            tuple(sorted((s for s in self.sessions if s.weekday == day), key=lambda s: s.open))
            for day in range(7)
        )


def is_open(schedule: VenueSchedule, at: datetime) -> bool:
    """Whether the venue accepts executions at instant `at`."""
    at = _utc(at)
    if schedule.override is not Override.AUTO:
        return schedule.override is Override.OPEN
    if schedule.continuous:
        return True
    return any(w.open <= at < w.close for w in _day_windows(schedule, _local_day(schedule, at)))


def next_open(schedule: VenueSchedule, at: datetime) -> datetime | None:
    """Start of the first scheduled opening strictly after `at`.

    While a session runs this is the following session's open. None when the venue never opens
    again: a 24/7 venue, an override in force (it holds until an admin clears it), or a week
    with no sessions within the search horizon.
    """
    at = _utc(at)
    if schedule.override is not Override.AUTO or schedule.continuous:
        return None
    windows = _windows_from(schedule, _local_day(schedule, at))
    return next((w.open for w in windows if w.open > at), None)


def next_close(schedule: VenueSchedule, at: datetime) -> datetime | None:
    """End of the session running at `at`, or of the next one if the venue is closed.

    None for a 24/7 venue and while an override is in force (no scheduled close applies).
    """
    at = _utc(at)
    if schedule.override is not Override.AUTO or schedule.continuous:
        return None
    windows = _windows_from(schedule, _local_day(schedule, at))
    return next((w.close for w in windows if w.close > at), None)


def sessions_between(
    schedule: VenueSchedule, start: datetime, end: datetime
) -> list[SessionWindow]:
    """Scheduled sessions that overlap [start, end), whole (not clipped), for a calendar listing.

    The override is ignored: the listing shows the schedule. A 24/7 venue is one unbroken window
    covering the requested range.
    """
    start, end = _utc(start), _utc(end)
    if end <= start:
        return []
    if schedule.continuous:
        return [SessionWindow(start, end)]
    first_day = _local_day(schedule, start) - timedelta(days=1)
    days = (_local_day(schedule, end) - first_day).days + 1
    result = []
    for window in _windows_from(schedule, first_day, days):
        if window.open >= end:
            break
        if window.close > start:
            result.append(window)
    return result


def observed_holidays(first_year: int, last_year: int) -> tuple[Holiday, ...]:
    """The SIM venue's default holidays (New Year's, Independence Day, Christmas) with
    NYSE observance.

    A holiday on Sunday is observed on Monday and one on Saturday on Friday, except that New
    Year's Day on a Saturday is not observed at all (NYSE rule: the Friday before closes a
    year, e.g. the market was open on 31 Dec 2021).
    """
    holidays = []
    for year in range(first_year, last_year + 1):
        for month, day, name in (
            (1, 1, "New Year's Day"),
            (7, 4, "Independence Day"),
            (12, 25, "Christmas Day"),
        ):
            actual = date(year, month, day)
            if actual.weekday() == 6:
                holidays.append(Holiday(actual + timedelta(days=1), f"{name} (observed)"))
            elif actual.weekday() == 5 and month != 1:
                holidays.append(Holiday(actual - timedelta(days=1), f"{name} (observed)"))
            elif actual.weekday() < 5:
                holidays.append(Holiday(actual, name))
    return tuple(holidays)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("calendar functions need aware datetimes")
    return at.astimezone(UTC)


def _local_day(schedule: VenueSchedule, at: datetime) -> date:
    return at.astimezone(schedule.zone).date()


def _day_windows(schedule: VenueSchedule, local_day: date) -> list[SessionWindow]:
    if local_day in schedule.holidays:
        return []
    zone = schedule.zone
    early = schedule.early_closes.get(local_day)
    windows = []
    for session in schedule.by_weekday[local_day.weekday()]:
        close = session.close
        if early is not None:
            if session.open >= early:
                continue
            close = early if close is None else min(close, early)
        opens = datetime.combine(local_day, session.open, zone)
        closes = (
            datetime.combine(local_day, close, zone)
            if close is not None
            else datetime.combine(local_day + timedelta(days=1), time(0), zone)
        )
        windows.append(SessionWindow(opens.astimezone(UTC), closes.astimezone(UTC)))
    return windows


def _windows_from(
    schedule: VenueSchedule, first_day: date, days: int = SEARCH_HORIZON_DAYS
) -> Iterator[SessionWindow]:
    """Sessions in time order over `days` local days, back-to-back ones merged into one."""
    pending: SessionWindow | None = None
    for offset in range(days):
        for window in _day_windows(schedule, first_day + timedelta(days=offset)):
            if pending is not None and window.open <= pending.close:
                pending = SessionWindow(pending.open, max(pending.close, window.close))
                continue
            if pending is not None:
                yield pending
            pending = window
    if pending is not None:
        yield pending
