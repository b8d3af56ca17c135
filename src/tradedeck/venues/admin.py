"""Administration of venue hours: weekly sessions, reset to default, holidays and half days,
and the emergency override.

Every edit is validated here (bad input raises `DomainError` naming the field), runs in one
transaction with the venue row locked (`SELECT … FOR UPDATE` on PostgreSQL, SQLite serializes
writes) and sends `hours_changed` (venue, `session_end`: the close of the current or next
session under the new hours) inside it, so a listener's writes commit with the edit: trading
re-dates the venue's working day orders there. Then this app's schedule cache is cleared and
the market state rows re-synced the way the emergency override does. Other processes see the
change when their cached schedule expires (`schedule.SCHEDULE_TTL_SECS`, two seconds). Each
edit writes its `audit` row (who, before → after) in that same transaction, so a refused edit
leaves none.

A real exchange venue (NYSE, NSE…) takes its weekly hours from its exchange calendar: they
cannot be edited here (409 `calendar`), nor can the calendar's own holidays be removed; the
admin's holidays and half days apply on top of it, date by date.

Sessions are wall-clock `HH:MM` times in the venue's time zone (a close of `24:00` runs until
midnight), several per day when they do not overlap; a session never crosses midnight (write
`20:00-24:00` and the next day's `00:00-02:00`). A 24/7 venue (`always_open`) has no sessions
or holidays: edits are refused with a message saying so; switching a venue between 24/7 and
scheduled is not offered here.

The text form used by the CLI and the page: `mon-fri 09:30-16:00; sat 10:00-12:00`, days as
`mon`…`sun`, ranges `mon-fri`, lists `mon,wed`, or `daily`; several sessions per day
`09:00-11:30,12:30-15:00`; `closed` for none. A later part replaces an earlier one's days.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time
from enum import Enum
from itertools import pairwise

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from tradedeck.core.calendar import WEEKDAYS, Holiday, Override, WeeklySession
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db, events
from tradedeck.market.models import Venue
from tradedeck.venues import audit, schedule
from tradedeck.venues.models import MarketState, VenueHoliday, VenueSession

log = logging.getLogger(__name__)

MAX_SESSIONS_PER_DAY = 8
MAX_HOLIDAY_NAME = 80
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_RANGE = re.compile(r"(\S+?)-(\S+)")
# Sent inside every edit's transaction: `fn(venue, session_end=datetime, now=datetime)`.
hours_changed = events.signal("venues.hours_changed")


@dataclass(frozen=True)
class SessionInput:
    """One session as typed by a person or sent in JSON.

    Errors name `field` (a form's per-day input, `hours` for the text form), or with
    `per_part` `field.weekday` / `field.open` / `field.close` (JSON: `hours.2.close`).
    """

    weekday: int | str
    open: str | time
    close: str | time | None
    field: str = "hours"
    per_part: bool = False

    def field_of(self, part: str) -> str:
        return f"{self.field}.{part}" if self.per_part else self.field


@dataclass(frozen=True)
class WeeklyHours:
    """What the admin screens show: the venue's sessions and whether they are the default."""

    venue: str
    timezone: str
    always_open: bool
    is_default: bool
    sessions: tuple[WeeklySession, ...]
    calendar: str | None = None

    def by_day(self) -> list[list[WeeklySession]]:
        days: list[list[WeeklySession]] = [[] for _ in range(7)]
        for session in sorted(self.sessions, key=lambda s: (s.weekday, s.open)):
            days[session.weekday].append(session)
        return days

    def day_text(self, weekday: int) -> str:
        """`09:30-16:00` (sessions comma-separated) or `closed`."""
        return ", ".join(format_session(s) for s in self.by_day()[weekday]) or "closed"

    def spec(self) -> str:
        """The compact text form, e.g. `mon-fri 09:30-16:00`."""
        return hours_spec(self.sessions)

    def to_json(self) -> dict[str, object]:
        return {
            "venue": self.venue,
            "timezone": self.timezone,
            "always_open": self.always_open,
            "default": self.is_default,
            "calendar": self.calendar,
            "hours": [
                {
                    "weekday": s.weekday,
                    "day": WEEKDAYS[s.weekday],
                    "open": format_time(s.open),
                    "close": format_time(s.close),
                }
                for s in sorted(self.sessions, key=lambda s: (s.weekday, s.open))
            ],
        }


def format_time(value: time | None) -> str:
    return value.strftime("%H:%M") if value is not None else "24:00"


def format_session(session: WeeklySession) -> str:
    return f"{format_time(session.open)}-{format_time(session.close)}"


def hours_spec(sessions: Iterable[WeeklySession]) -> str:
    """Sessions as text, consecutive days with the same hours folded into ranges."""
    days = [""] * 7
    for session in sorted(sessions, key=lambda s: (s.weekday, s.open)):
        text = format_session(session)
        days[session.weekday] = f"{days[session.weekday]},{text}" if days[session.weekday] else text
    parts, start = [], 0
    while start < 7:
        end = start
        while end + 1 < 7 and days[end + 1] == days[start]:
            end += 1
        if days[start]:
            label = WEEKDAYS[start] if end == start else f"{WEEKDAYS[start]}-{WEEKDAYS[end]}"
            parts.append(f"{label} {days[start]}")
        start = end + 1
    return "; ".join(parts) or "closed"


# -- parsing ---------------------------------------------------------------------------------


def parse_time(value: str | time | None, field: str, *, closing: bool = False) -> time | None:
    """`HH:MM` (or `H:MM`) from 00:00 to 23:59; `24:00` only as a close (returns None)."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise DomainError("times are wall-clock times without a time zone", field=field)
        return value.replace(second=0, microsecond=0)
    text = (value or "").strip() if isinstance(value, str) else ""
    match = _TIME.fullmatch(text)
    if match is None:
        shown = value if value not in (None, "") else "nothing"
        raise DomainError(f"time must be HH:MM (e.g. 09:30), got {shown!r}", field=field)
    hour, minute = int(match[1]), int(match[2])
    if closing and (hour, minute) == (24, 0):
        return None
    if hour > 23 or minute > 59:
        limit = "00:00 to 24:00" if closing else "00:00 to 23:59"
        raise DomainError(f"time {text!r} is out of range ({limit})", field=field)
    return time(hour, minute)


def parse_weekday(value: int | str, field: str) -> int:
    """0 (Monday) to 6 (Sunday), or `mon`…`sun` / `Monday`…`Sunday`."""
    if isinstance(value, bool):
        raise DomainError("weekday must be 0 (Monday) to 6 (Sunday)", field=field)
    if isinstance(value, int):
        if 0 <= value <= 6:
            return value
        raise DomainError(f"weekday must be 0 (Monday) to 6 (Sunday), got {value}", field=field)
    text = str(value).strip().lower()
    if text.isdigit() and 0 <= int(text) <= 6:
        return int(text)
    for index, name in enumerate(WEEKDAYS):
        if text in (name, DAY_NAMES[index].lower()):
            return index
    raise DomainError(
        f"weekday must be 0-6 or mon, tue, wed, thu, fri, sat, sun; got {value!r}", field=field
    )


def _parse_days(text: str, field: str) -> list[int]:
    text = text.strip().lower()
    if text in ("daily", "all", "every", "mon-sun"):
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        try:
            start = parse_weekday(first, field)
            end = parse_weekday(last, field) if last else start
        except DomainError:
            raise DomainError(
                f"cannot read days {text!r}: use mon…sun, a range like mon-fri, "
                "a list like mon,wed or daily",
                field=field,
            ) from None
        if end < start:
            raise DomainError(f"day range {part!r} runs backwards", field=field)
        days.extend(range(start, end + 1))
    return days


def parse_day_ranges(weekday: int, text: str, field: str) -> list[SessionInput]:
    """One day's sessions from `09:30-16:00` or `09:00-11:30, 12:30-15:00`; empty/`closed`."""
    text = (text or "").strip().lower()
    if text in ("", "closed", "-"):
        return []
    result = []
    for part in re.split(r"[,\s]+", text):
        if not part:
            continue
        match = _RANGE.fullmatch(part)
        if match is None:
            raise DomainError(
                f"{WEEKDAYS[weekday]}: cannot read {part!r}, write sessions as HH:MM-HH:MM",
                field=field,
            )
        result.append(SessionInput(weekday, match[1], match[2], field))
    return result


def parse_hours_spec(text: str, field: str = "hours") -> list[SessionInput]:
    """`mon-fri 09:30-16:00; sat 10:00-12:00` → sessions (days not named are closed)."""
    chosen: dict[int, list[SessionInput]] = {}
    parts = [p.strip() for p in re.split(r"[;\n]+", text or "") if p.strip()]
    if not parts:
        raise DomainError(
            "hours are empty: write e.g. 'mon-fri 09:30-16:00' (days not named are closed)",
            field=field,
        )
    for part in parts:
        days_text, _, ranges = part.partition(" ")
        if not ranges.strip():
            raise DomainError(
                f"{part!r} names days but no hours: write e.g. 'mon-fri 09:30-16:00' "
                "or 'sat closed'",
                field=field,
            )
        days = _parse_days(days_text, field)
        for day in days:
            chosen[day] = [
                SessionInput(day, s.open, s.close, field)
                for s in parse_day_ranges(day, ranges, field)
            ]
    return [session for day in sorted(chosen) for session in chosen[day]]


def validate_sessions(inputs: Iterable[SessionInput | WeeklySession]) -> list[WeeklySession]:
    """Parse and check weekday, times, close after open, overlaps and the per-day limit."""
    parsed: list[tuple[WeeklySession, str]] = []
    for item in inputs:
        if isinstance(item, WeeklySession):
            parsed.append((item, "hours"))
            continue
        weekday = parse_weekday(item.weekday, item.field_of("weekday"))
        opens = parse_time(item.open, item.field_of("open"))
        closes = parse_time(item.close, item.field_of("close"), closing=True)
        assert opens is not None
        day = WEEKDAYS[weekday]
        if closes is not None and closes <= opens:
            raise DomainError(
                f"{day}: close {format_time(closes)} must be after open {format_time(opens)}",
                field=item.field_of("close"),
            )
        parsed.append((WeeklySession(weekday, opens, closes), item.field))
    if not parsed:
        raise DomainError(
            "a scheduled venue needs at least one weekly session; close it for a day with a "
            "holiday or in an emergency with the override",
            field="hours",
        )
    for weekday in range(7):
        day = sorted((p for p in parsed if p[0].weekday == weekday), key=lambda p: p[0].open)
        if len(day) > MAX_SESSIONS_PER_DAY:
            raise DomainError(
                f"{WEEKDAYS[weekday]}: at most {MAX_SESSIONS_PER_DAY} sessions per day",
                field=day[MAX_SESSIONS_PER_DAY][1],
            )
        for (earlier, _), (later, field) in pairwise(day):
            if earlier.close is None or earlier.close > later.open:
                raise DomainError(
                    f"{WEEKDAYS[weekday]}: sessions {format_session(earlier)} and "
                    f"{format_session(later)} overlap",
                    field=field,
                    code="overlap",
                )
    return [session for session, _ in parsed]


def parse_date(value: str | date, field: str = "date") -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise DomainError(
            f"date must be YYYY-MM-DD (e.g. 2026-12-24), got {value!r}", field=field
        ) from None


# -- reading ---------------------------------------------------------------------------------


def weekly_hours(code: str) -> WeeklyHours:
    venue = schedule.get_venue(code)
    if venue.always_open:
        return WeeklyHours(venue.code, venue.timezone, True, False, ())
    known = schedule.calendar_of(venue)
    if known is not None:
        return WeeklyHours(venue.code, known.timezone, False, False, known.sessions, known.calendar)
    sessions = _stored_sessions(venue)
    default = _default_sessions()
    is_default = sorted(sessions, key=_key) == sorted(default, key=_key) or not sessions
    return WeeklyHours(venue.code, venue.timezone, False, is_default, sessions or default)


def _stored_sessions(venue: Venue) -> tuple[WeeklySession, ...]:
    """The venue's own sessions; empty when it runs on the default hours."""
    rows = db.session.scalars(
        select(VenueSession)
        .where(VenueSession.venue_id == venue.id)
        .order_by(VenueSession.weekday, VenueSession.open_time)
    )
    return tuple(WeeklySession(r.weekday, r.open_time, r.close_time) for r in rows)


def list_holidays(code: str, start: date | None = None, end: date | None = None) -> list[Holiday]:
    """The venue's holidays and half days in [start, end] (either bound optional), by date."""
    return schedule.holidays_of(schedule.get_venue(code), start, end)


def _key(session: WeeklySession) -> tuple[int, time, time]:
    return (session.weekday, session.open, session.close or time.max)


def _default_sessions() -> tuple[WeeklySession, ...]:
    return tuple(
        WeeklySession(day, schedule.DEFAULT_OPEN, schedule.DEFAULT_CLOSE) for day in range(5)
    )


# -- writing ---------------------------------------------------------------------------------


class _Keep(Enum):
    """`update_holiday`'s default: the argument was not given, keep the stored value."""

    KEEP = "keep"


KEEP = _Keep.KEEP


@dataclass
class _Edit:
    venue: Venue
    summary: str = ""


@contextmanager
def _editing(code: str, action: str, by: str | None, user_id: int | None = None) -> Iterator[_Edit]:
    """One edit transaction: the venue row locked (seeded first if the scheduler has not seen
    it yet; refused when it trades 24/7). Any error rolls everything back; success writes the
    audit row (`action`, `edit.summary`), commits, clears the schedule cache, logs and
    re-syncs the market state rows."""
    try:
        venue = schedule.get_venue(code)
        venue = db.session.scalars(
            select(Venue).where(Venue.id == venue.id).with_for_update()
        ).one()
        if db.session.get(MarketState, venue.id) is None:
            schedule.seed_hours(venue)
            db.session.add(
                MarketState(venue_id=venue.id, is_open=False, override=Override.AUTO.value)
            )
            db.session.flush()
        if venue.always_open:
            raise DomainError(
                f"{venue.code} trades 24/7 (always open): it has no sessions or holidays to "
                "edit; use the override to close it in an emergency",
                field="venue",
                code="always_open",
                status=409,
            )
        edit = _Edit(venue)
        yield edit
        audit.record(venue, action, edit.summary, by, user_id)
        db.session.flush()
        schedule.clear_schedule_cache()  # the edit's rows, read back in this transaction
        now = utcnow()
        hours_changed.send(venue, session_end=schedule.session_end(venue, now), now=now)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    schedule.clear_schedule_cache()
    log.warning("venue %s: %s %s by %s", edit.venue.code, action, edit.summary, by or "?")
    schedule.sync_market_states(utcnow())


def set_weekly_hours(
    code: str,
    inputs: Iterable[SessionInput | WeeklySession],
    by: str | None = None,
    user_id: int | None = None,
) -> WeeklyHours:
    """Replace the venue's weekly sessions (validated first; nothing changes on an error)."""
    sessions = validate_sessions(inputs)
    with _editing(code, "hours.set", by, user_id) as edit:
        _refuse_calendar_hours(edit.venue)
        edit.summary = _replace_sessions(edit.venue, sessions)
    return weekly_hours(edit.venue.code)


def reset_weekly_hours(code: str, by: str | None = None, user_id: int | None = None) -> WeeklyHours:
    """Back to the default Mon-Fri 09:30-16:00 (venue time); holidays are kept."""
    with _editing(code, "hours.reset", by, user_id) as edit:
        _refuse_calendar_hours(edit.venue)
        edit.summary = _replace_sessions(edit.venue, _default_sessions(), "default ")
    return weekly_hours(edit.venue.code)


def _refuse_calendar_hours(venue: Venue) -> None:
    known = schedule.calendar_of(venue)
    if known is not None:
        raise DomainError(
            f"{venue.code}'s weekly hours come from the {known.calendar} exchange calendar and "
            "cannot be edited; add a holiday or half day on top, or use the override",
            field="hours",
            code="calendar",
            status=409,
        )


def _replace_sessions(venue: Venue, sessions: Sequence[WeeklySession], label: str = "") -> str:
    """Store the new week; returns the audit summary `weekly hours <before> → <after>`."""
    before = hours_spec(_stored_sessions(venue) or _default_sessions())
    after = hours_spec(sessions)
    db.session.execute(delete(VenueSession).where(VenueSession.venue_id == venue.id))
    db.session.add_all(
        VenueSession(venue_id=venue.id, weekday=s.weekday, open_time=s.open, close_time=s.close)
        for s in sessions
    )
    unchanged = " (unchanged)" if before == after else ""
    return f"weekly hours {before} → {label}{after}{unchanged}"


def _holiday_on(venue: Venue, when: date) -> VenueHoliday | None:
    return db.session.scalars(
        select(VenueHoliday).where(VenueHoliday.venue_id == venue.id, VenueHoliday.day == when)
    ).first()


def _calendar_holiday(venue: Venue, when: date) -> Holiday | None:
    return next(iter(schedule.calendar_holidays(venue, when, when)), None)


def _existing_holiday(venue: Venue, when: date) -> VenueHoliday:
    row = _holiday_on(venue, when)
    from_calendar = _calendar_holiday(venue, when) if row is None else None
    if from_calendar is not None:
        raise DomainError(
            f"{describe_holiday(from_calendar)} on {when.isoformat()} comes from "
            f"{venue.code}'s exchange calendar and cannot be changed; add a half day on that "
            "date to open it, or use the override",
            field="date",
            code="calendar",
            status=409,
        )
    if row is None:
        raise DomainError(
            f"{venue.code} has no holiday on {when.isoformat()}",
            field="date",
            code="not_found",
            status=404,
        )
    return row


def parse_holiday_name(name: str | None) -> str:
    """The name with its whitespace collapsed: required, at most `MAX_HOLIDAY_NAME` long."""
    title = " ".join((name or "").split())
    if not title:
        raise DomainError("name is required (e.g. Christmas Eve)", field="name")
    if len(title) > MAX_HOLIDAY_NAME:
        raise DomainError(f"name is at most {MAX_HOLIDAY_NAME} characters", field="name")
    return title


def parse_early_close(value: str | time | None) -> time | None:
    """`HH:MM` for a half day; nothing (None or an empty string) for a day closed throughout."""
    return None if value in (None, "") else parse_time(value, "early_close")


def describe_holiday(holiday: Holiday) -> str:
    """`Christmas Eve (closes 13:00)` or `Christmas Day (closed)`, as the audit log says."""
    hours_text = f"closes {format_time(holiday.early_close)}" if holiday.early_close else "closed"
    return f"{holiday.name} ({hours_text})"


def add_holiday(
    code: str,
    day: str | date,
    name: str,
    early_close: str | time | None = None,
    by: str | None = None,
    user_id: int | None = None,
) -> Holiday:
    """Close the venue on `day`, or with `early_close` end that day's sessions early."""
    when = parse_date(day)
    title = parse_holiday_name(name)
    closes = parse_early_close(early_close)
    with _editing(code, "holiday.add", by, user_id) as edit:
        venue = edit.venue
        before = _calendar_holiday(venue, when)
        existing = _holiday_on(venue, when)
        if existing is not None:
            raise DomainError(
                f"{venue.code} already has {existing.name!r} on {when.isoformat()}; "
                "remove it first",
                field="date",
                code="duplicate",
                status=409,
            )
        from_calendar = _calendar_holiday(venue, when)
        if from_calendar is not None and closes is None and from_calendar.early_close is None:
            raise DomainError(
                f"{venue.code} is already closed on {when.isoformat()} "
                f"({from_calendar.name}, exchange calendar)",
                field="date",
                code="duplicate",
                status=409,
            )
        if closes is not None:
            _check_early_close(venue, when, closes)
        db.session.add(VenueHoliday(venue_id=venue.id, day=when, name=title, early_close=closes))
        try:
            db.session.flush()
        except IntegrityError:  # another admin added the same date a moment ago
            raise DomainError(
                f"{venue.code} already has a holiday on {when.isoformat()}",
                field="date",
                code="duplicate",
                status=409,
            ) from None
        added = Holiday(when, title, closes)
        was = describe_holiday(before) + " (calendar)" if before else "trading day"
        edit.summary = f"{when.isoformat()}: {was} → {describe_holiday(added)}"
    return added


def update_holiday(
    code: str,
    day: str | date,
    *,
    name: str | _Keep | None = KEEP,
    early_close: str | time | _Keep | None = KEEP,
    by: str | None = None,
    user_id: int | None = None,
) -> Holiday:
    """Rename the holiday on `day` and/or change its early close (None or an empty string
    closes the whole day); what is not given is kept. Its date stays: re-dating is a remove
    and an add. DomainError `not_found` when `day` is no holiday."""
    when = parse_date(day)
    if isinstance(name, _Keep) and isinstance(early_close, _Keep):
        raise DomainError("nothing to change: give a new name and/or early_close", field="name")
    title = None if isinstance(name, _Keep) else parse_holiday_name(name)
    closes = early_close if isinstance(early_close, _Keep) else parse_early_close(early_close)
    with _editing(code, "holiday.update", by, user_id) as edit:
        row = _existing_holiday(edit.venue, when)
        before = Holiday(row.day, row.name, row.early_close)
        if not isinstance(closes, _Keep):
            if closes is not None:
                _check_early_close(edit.venue, when, closes)
            row.early_close = closes
        if title is not None:
            row.name = title
        after = Holiday(row.day, row.name, row.early_close)
        unchanged = " (unchanged)" if after == before else ""
        edit.summary = (
            f"{when.isoformat()}: {describe_holiday(before)} → {describe_holiday(after)}{unchanged}"
        )
    return after


def _check_early_close(venue: Venue, when: date, closes: time) -> None:
    """An early close must fall inside that weekday's scheduled hours to mean anything."""
    sessions = schedule.build_schedule(venue).by_weekday[when.weekday()]
    day = DAY_NAMES[when.weekday()]
    if not sessions:
        raise DomainError(
            f"{venue.code} has no session on {day}s, so {when.isoformat()} cannot close early",
            field="early_close",
        )
    first_open, last_close = sessions[0].open, sessions[-1].close
    if closes <= first_open or (last_close is not None and closes >= last_close):
        raise DomainError(
            f"early close {format_time(closes)} must be after the {day} open "
            f"{format_time(first_open)} and before the close {format_time(last_close)}",
            field="early_close",
        )


def remove_holiday(
    code: str, day: str | date, by: str | None = None, user_id: int | None = None
) -> Holiday:
    """Reopen `day` on its normal hours; DomainError `not_found` when it is no holiday."""
    when = parse_date(day)
    with _editing(code, "holiday.remove", by, user_id) as edit:
        row = _existing_holiday(edit.venue, when)
        removed = Holiday(row.day, row.name, row.early_close)
        db.session.delete(row)
        after = _calendar_holiday(edit.venue, when)
        now = describe_holiday(after) + " (calendar)" if after else "trading day"
        edit.summary = f"{when.isoformat()}: {describe_holiday(removed)} → {now}"
    return removed


def set_override(
    code: str, state: str, by: str | None = None, user_id: int | None = None
) -> MarketState:
    """Force a venue open or closed (an emergency, flagged as such), or back to `auto`; the
    change and its audit row commit together."""
    try:
        override = Override(str(state).strip().lower())
    except ValueError:
        raise DomainError("state must be one of: open, closed, auto", field="state") from None
    venue = schedule.get_venue(code)
    row = db.session.get(MarketState, venue.id) or MarketState(venue_id=venue.id, is_open=False)
    before = row.override or Override.AUTO.value
    now = utcnow()
    row.override = override.value
    row.override_by = by if override is not Override.AUTO else None
    row.override_at = now
    db.session.add(row)
    audit.record(venue, "override", f"{before} → {override.value}", by, user_id)
    db.session.commit()
    schedule.clear_schedule_cache()
    log.warning("venue %s override set to %s by %s", venue.code, override.value, by or "?")
    schedule.sync_market_states(now)
    return row
