"""Market clock and calendar API, the admin hours/holidays/override/audit endpoints and the
`tradedeck market override|hours|holiday|audit` commands.

Every admin write passes who made it (username and user id, or `cli`) to the service, which
records it in the venue's audit log in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click
from flask import Response, jsonify
from flask.cli import with_appcontext
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from sqlalchemy import select

from tradedeck.api.auth import admin_only
from tradedeck.api.errors import ApiError, ErrorBody
from tradedeck.core.calendar import WEEKDAYS
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Venue
from tradedeck.trading import hours, hours_admin, paging, venue_audit
from tradedeck.trading.hours_admin import SessionInput
from tradedeck.trading.paging import PageQuery
from tradedeck.trading.schemas import NEXT

bp = APIBlueprint(
    "market_hours_api",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="market hours", description="Venue sessions, holidays and overrides")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "403": ErrorBody, "404": ErrorBody},
)
MAX_CALENDAR_DAYS = 400
T = TypeVar("T")
# Domain error codes that are not plain bad input.
# Weekday as 0-6 or mon..sun: the service parses it and names the field (a pydantic union
# would blame `hours.0.weekday.int`).
WEEKDAY_SCHEMA = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 6}, {"type": "string"}]}


class ClockQuery(BaseModel):
    venue: str = Field(default="SIM", max_length=32)


class CalendarQuery(BaseModel):
    venue: str | None = Field(default=None, max_length=32)
    start: datetime | None = Field(default=None, description="ISO-8601; default now")
    end: datetime | None = Field(default=None, description="ISO-8601; default start + 14 days")


class OverrideBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: StrictStr = Field(description="open, closed or auto")


class VenuePath(BaseModel):
    venue: str


class HolidayPath(BaseModel):
    venue: str
    date: str = Field(description="YYYY-MM-DD")


class SessionBody(BaseModel):
    """One weekly session: wall-clock times in the venue's time zone."""

    model_config = ConfigDict(extra="forbid")

    weekday: Any = Field(
        default=None,
        description="0 (Monday) to 6 (Sunday), or mon..sun",
        json_schema_extra=WEEKDAY_SCHEMA,
    )
    day: StrictStr | None = Field(default=None, description="mon..sun, instead of weekday")
    open: StrictStr = Field(description="HH:MM", examples=["09:30"])
    close: StrictStr = Field(description="HH:MM, after open; 24:00 = midnight", examples=["16:00"])


class HoursBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hours: list[SessionBody] = Field(
        max_length=7 * hours_admin.MAX_SESSIONS_PER_DAY,
        description="The whole week: days without a session are closed.",
    )


class SessionOut(BaseModel):
    weekday: int
    day: str
    open: str
    close: str


class HoursOut(BaseModel):
    venue: str
    timezone: str
    always_open: bool
    default: bool = Field(description="Whether these are the default Mon-Fri 09:30-16:00")
    hours: list[SessionOut]


class HolidayBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: StrictStr = Field(description="YYYY-MM-DD", examples=["2026-12-24"])
    name: StrictStr = Field(max_length=hours_admin.MAX_HOLIDAY_NAME, examples=["Christmas Eve"])
    early_close: StrictStr | None = Field(
        default=None,
        description="HH:MM: a half day that closes early instead of a closed day",
        examples=["13:00"],
    )


class HolidayUpdateBody(BaseModel):
    """Only the fields sent change; the date is the one in the path."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr | None = Field(
        default=None, max_length=hours_admin.MAX_HOLIDAY_NAME, examples=["Christmas Eve"]
    )
    early_close: StrictStr | None = Field(
        default=None,
        description="HH:MM: a half day closing then; null: closed the whole day",
        examples=["13:00"],
    )


class HolidayOut(BaseModel):
    date: str
    name: str
    early_close: str | None


class HolidayList(BaseModel):
    venue: str
    holidays: list[HolidayOut]


class AuditQuery(PageQuery):
    limit: int = Field(
        default=venue_audit.DEFAULT_LIMIT,
        ge=1,
        le=venue_audit.MAX_LIMIT,
        description="Entries per page, newest first",
    )


class AuditEntryOut(BaseModel):
    id: int
    venue: str
    action: str = Field(description=", ".join(venue_audit.ACTIONS))
    by: str = Field(description="The admin's username, or cli")
    user_id: int | None
    summary: str = Field(description="What changed, before → after")
    created_at: str = Field(description="ISO-8601 UTC")


class AuditList(BaseModel):
    venue: str
    entries: list[AuditEntryOut]
    next: str | None = NEXT


class HolidayQuery(BaseModel):
    start: date | None = Field(default=None, description="YYYY-MM-DD, inclusive")
    end: date | None = Field(default=None, description="YYYY-MM-DD, inclusive")


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ApiError(400, "validation_error", f"{field} needs a time zone (e.g. Z)", field)
    return value


@bp.get("/market/clock")
def market_clock(query: ClockQuery) -> Response:
    """`{venue, is_open, next_open, next_close}` plus the override in force."""
    return jsonify(hours.clock(hours.get_venue(query.venue)).to_json())


@bp.get("/market/calendar")
def market_calendar(query: CalendarQuery) -> Response:
    """Weekly hours, holidays and concrete sessions per venue over [start, end)."""
    start = _aware(query.start, "start") or utcnow()
    end = _aware(query.end, "end") or start + timedelta(days=14)
    if end <= start or end - start > timedelta(days=MAX_CALENDAR_DAYS):
        raise ApiError(
            400,
            "validation_error",
            f"end must be after start and within {MAX_CALENDAR_DAYS} days",
            "end",
        )
    venues = (
        [hours.get_venue(query.venue)]
        if query.venue
        else list(db.session.scalars(select(Venue).order_by(Venue.code)))
    )
    return jsonify(
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "venues": [hours.venue_calendar(v, start, end) for v in venues],
        }
    )


@bp.post("/admin/venues/<venue>/override")
@admin_only
def override_venue(path: VenuePath, body: OverrideBody) -> Response:
    """Emergency open/close of a venue (`auto` returns it to its schedule)."""
    venue = hours.get_venue(path.venue)
    hours.set_override(venue.code, body.state, **venue_audit.by_user(current_user))
    return jsonify(hours.clock(venue).to_json())


def _session_inputs(body: HoursBody) -> list[SessionInput]:
    """The body's sessions; `day` (mon..sun) may stand for `weekday`, and must agree with it."""
    inputs = []
    for index, item in enumerate(body.hours):
        field = f"hours.{index}"
        weekday = item.weekday
        if item.day is not None:
            named = hours_admin.parse_weekday(item.day, f"{field}.day")
            if (
                weekday is not None
                and hours_admin.parse_weekday(weekday, f"{field}.weekday") != named
            ):
                raise DomainError("weekday and day name different days", field=f"{field}.day")
            weekday = named
        if weekday is None:
            raise DomainError(f"Field '{field}.weekday' is required.", field=f"{field}.weekday")
        inputs.append(SessionInput(weekday, item.open, item.close, field, per_part=True))
    return inputs


@bp.get("/admin/venues/<venue>/hours", responses={"200": HoursOut})
@admin_only
def get_venue_hours(path: VenuePath) -> Response:
    """The venue's weekly sessions (wall-clock, venue time zone); empty for a 24/7 venue."""
    venue = hours.get_venue(path.venue)
    return jsonify(hours_admin.weekly_hours(venue.code).to_json())


@bp.put("/admin/venues/<venue>/hours", responses={"200": HoursOut, "409": ErrorBody})
@admin_only
def put_venue_hours(path: VenuePath, body: HoursBody) -> Response:
    """Replace the whole week's sessions; 409 for a 24/7 venue. In force at once."""
    venue = hours.get_venue(path.venue)
    result = hours_admin.set_weekly_hours(
        venue.code, _session_inputs(body), **venue_audit.by_user(current_user)
    )
    return jsonify(result.to_json())


@bp.delete("/admin/venues/<venue>/hours", responses={"200": HoursOut, "409": ErrorBody})
@admin_only
def reset_venue_hours(path: VenuePath) -> Response:
    """Back to the default Mon-Fri 09:30-16:00 (venue time); holidays are kept."""
    venue = hours.get_venue(path.venue)
    result = hours_admin.reset_weekly_hours(venue.code, **venue_audit.by_user(current_user))
    return jsonify(result.to_json())


@bp.get("/admin/venues/<venue>/holidays", responses={"200": HolidayList})
@admin_only
def get_venue_holidays(path: VenuePath, query: HolidayQuery) -> Response:
    """Holidays and half days (`early_close`) of a venue, by date."""
    venue = hours.get_venue(path.venue)
    found = hours_admin.list_holidays(venue.code, query.start, query.end)
    return jsonify({"venue": venue.code, "holidays": [hours.holiday_json(h) for h in found]})


@bp.post("/admin/venues/<venue>/holidays", responses={"201": HolidayOut, "409": ErrorBody})
@admin_only
def add_venue_holiday(path: VenuePath, body: HolidayBody) -> tuple[Response, int]:
    """Close the venue on a date, or close it early (`early_close`); 409 if the date is taken."""
    venue = hours.get_venue(path.venue)
    added = hours_admin.add_holiday(
        venue.code, body.date, body.name, body.early_close, **venue_audit.by_user(current_user)
    )
    return jsonify(hours.holiday_json(added)), 201


@bp.patch("/admin/venues/<venue>/holidays/<date>", responses={"200": HolidayOut, "409": ErrorBody})
@admin_only
def update_venue_holiday(path: HolidayPath, body: HolidayUpdateBody) -> Response:
    """Rename a holiday and/or change its early close (`null` closes the whole day); 404 when
    the date is no holiday, 409 for a 24/7 venue. Day orders are re-dated as for any edit."""
    venue = hours.get_venue(path.venue)
    changes = body.model_dump(exclude_unset=True)
    updated = hours_admin.update_holiday(
        venue.code, path.date, **changes, **venue_audit.by_user(current_user)
    )
    return jsonify(hours.holiday_json(updated))


@bp.delete("/admin/venues/<venue>/holidays/<date>", responses={"200": HolidayOut})
@admin_only
def remove_venue_holiday(path: HolidayPath) -> Response:
    """Reopen a date on its normal hours; 404 when it is no holiday."""
    venue = hours.get_venue(path.venue)
    removed = hours_admin.remove_holiday(venue.code, path.date, **venue_audit.by_user(current_user))
    return jsonify(hours.holiday_json(removed))


@bp.get("/admin/venues/<venue>/audit", responses={"200": AuditList})
@admin_only
def get_venue_audit(path: VenuePath, query: AuditQuery) -> Response:
    """Who changed the venue's hours, holidays or override, and how; newest first."""
    venue = hours.get_venue(path.venue)
    page = venue_audit.page(venue, query.cursor, query.limit)
    return paging.respond({"venue": venue.code, "entries": [e.to_json() for e in page.rows]}, page)


@click.command("override")
@click.argument("venue")
@click.argument("state", type=click.Choice(["open", "closed", "auto"]))
@with_appcontext
def override_command(venue: str, state: str) -> None:
    """Force VENUE open or closed in an emergency, or back to its schedule (auto)."""
    try:
        hours.set_override(venue, state, by="cli")
        clock = hours.clock(hours.get_venue(venue))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    flag = " (emergency override)" if clock.emergency else ""
    click.echo(f"{clock.venue} is {'open' if clock.is_open else 'closed'}{flag}.")


def _cli(call: Callable[[], T]) -> T:
    try:
        return call()
    except DomainError as exc:
        field = f" ({exc.field})" if exc.field else ""
        raise click.ClickException(f"{exc.message}{field}") from exc


def _echo_hours(code: str) -> None:
    week = hours_admin.weekly_hours(code)
    clock = hours.clock(hours.get_venue(code))
    state = "open" if clock.is_open else "closed"
    if clock.emergency:
        state += f" (emergency override: {clock.override})"
    click.echo(f"{week.venue} · {week.timezone} · {state}")
    if week.always_open:
        click.echo("Trades 24/7: no weekly sessions or holidays.")
        return
    for weekday in range(7):
        click.echo(f"  {WEEKDAYS[weekday]}  {week.day_text(weekday)}")
    click.echo(f"  ({'default' if week.is_default else 'custom'}: {week.spec()})")
    zone = ZoneInfo(week.timezone)
    events = [("Next open: ", clock.next_open), ("Next close:", clock.next_close)]
    known = [(at, label) for label, at in events if at is not None]
    for at, label in sorted(known):
        local = at.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")
        click.echo(f"{label} {local} ({at.isoformat()})")


@click.command("hours")
@click.argument("venue")
@click.option(
    "--set",
    "specs",
    multiple=True,
    metavar="SPEC",
    help="Replace the week, e.g. 'mon-fri 09:30-16:00; sat 10:00-12:00' (venue time; days "
    "not named are closed; '09:00-11:30,12:30-15:00' for a lunch break). Repeatable.",
)
@click.option("--reset", is_flag=True, help="Back to the default Mon-Fri 09:30-16:00.")
@with_appcontext
def hours_command(venue: str, specs: tuple[str, ...], reset: bool) -> None:
    """Show VENUE's weekly hours, or change them with --set / --reset."""
    if specs and reset:
        raise click.UsageError("use either --set or --reset")
    code = _cli(lambda: hours.get_venue(venue).code)
    if specs:
        sessions = _cli(lambda: hours_admin.parse_hours_spec("; ".join(specs)))
        _cli(lambda: hours_admin.set_weekly_hours(code, sessions, by="cli"))
        click.echo(f"{code} hours updated.")
    elif reset:
        _cli(lambda: hours_admin.reset_weekly_hours(code, by="cli"))
        click.echo(f"{code} hours reset to the default.")
    _echo_hours(code)


@click.group("holiday")
def holiday_group() -> None:
    """List, add, update or remove a venue's holidays and half days."""


@holiday_group.command("list")
@click.argument("venue")
@click.option("--year", type=int, help="Only this year (default: this year and later).")
@with_appcontext
def holiday_list_command(venue: str, year: int | None) -> None:
    """List VENUE's holidays."""
    start = date(year or utcnow().year, 1, 1)
    end = date(year, 12, 31) if year else None
    found = _cli(lambda: hours_admin.list_holidays(venue, start, end))
    if not found:
        click.echo("No holidays.")
    for holiday in found:
        early = f"  closes {holiday.early_close:%H:%M}" if holiday.early_close else ""
        click.echo(f"{holiday.date.isoformat()}  {holiday.date:%a}  {holiday.name}{early}")


@holiday_group.command("add")
@click.argument("venue")
@click.argument("day", metavar="DATE")
@click.argument("name")
@click.option("--early-close", metavar="HH:MM", help="A half day closing at this time.")
@with_appcontext
def holiday_add_command(venue: str, day: str, name: str, early_close: str | None) -> None:
    """Close VENUE on DATE (YYYY-MM-DD), or close it early with --early-close."""
    added = _cli(lambda: hours_admin.add_holiday(venue, day, name, early_close, by="cli"))
    code = hours.get_venue(venue).code
    what = f"closes at {added.early_close:%H:%M}" if added.early_close else "is closed"
    click.echo(f"{code} {what} on {added.date.isoformat()} ({added.name}).")


@holiday_group.command("update")
@click.argument("venue")
@click.argument("day", metavar="DATE")
@click.option("--name", help="The new name.")
@click.option("--early-close", metavar="HH:MM", help="Make it a half day closing at this time.")
@click.option("--full-day", is_flag=True, help="Make it closed the whole day.")
@with_appcontext
def holiday_update_command(
    venue: str, day: str, name: str | None, early_close: str | None, full_day: bool
) -> None:
    """Rename VENUE's holiday on DATE or change its hours; the date itself stays."""
    if early_close is not None and full_day:
        raise click.UsageError("use either --early-close or --full-day")
    if name is None and early_close is None and not full_day:
        raise click.UsageError("nothing to change: give --name, --early-close or --full-day")
    changes: dict[str, str | None] = {}
    if name is not None:
        changes["name"] = name
    if early_close is not None or full_day:
        changes["early_close"] = early_close
    updated = _cli(lambda: hours_admin.update_holiday(venue, day, **changes, by="cli"))
    code = hours.get_venue(venue).code
    what = f"closes at {updated.early_close:%H:%M}" if updated.early_close else "is closed"
    click.echo(f"Updated: {code} {what} on {updated.date.isoformat()} ({updated.name}).")


@holiday_group.command("remove")
@click.argument("venue")
@click.argument("day", metavar="DATE")
@with_appcontext
def holiday_remove_command(venue: str, day: str) -> None:
    """Remove VENUE's holiday on DATE: it trades its normal hours again."""
    removed = _cli(lambda: hours_admin.remove_holiday(venue, day, by="cli"))
    code = hours.get_venue(venue).code
    click.echo(f"Removed {removed.name} ({removed.date.isoformat()}) from {code}.")


@click.command("audit")
@click.argument("venue")
@click.option(
    "--limit",
    type=click.IntRange(1, venue_audit.MAX_LIMIT),
    default=20,
    show_default=True,
    help="How many entries, newest first.",
)
@with_appcontext
def audit_command(venue: str, limit: int) -> None:
    """Show who changed VENUE's hours, holidays or override, newest first (times in UTC)."""
    found = _cli(lambda: venue_audit.recent(hours.get_venue(venue), limit))
    if not found:
        click.echo("No changes recorded.")
    for entry in found:
        click.echo(
            f"{entry.created_at:%Y-%m-%d %H:%M:%S}Z  {entry.by}  {entry.action}  {entry.summary}"
        )
