"""`tradedeck market override|hours|holiday|audit`: venue hours from the command line.

Every write is recorded in the venue's audit log as made by `cli`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext

from tradedeck.core.calendar import WEEKDAYS
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.venues import admin, audit, schedule

T = TypeVar("T")


@click.command("override")
@click.argument("venue")
@click.argument("state", type=click.Choice(["open", "closed", "auto"]))
@with_appcontext
def override_command(venue: str, state: str) -> None:
    """Force VENUE open or closed in an emergency, or back to its schedule (auto)."""
    try:
        admin.set_override(venue, state, by="cli")
        clock = schedule.clock(schedule.get_venue(venue))
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
    week = admin.weekly_hours(code)
    clock = schedule.clock(schedule.get_venue(code))
    state = "open" if clock.is_open else "closed"
    if clock.emergency:
        state += f" (emergency override: {clock.override})"
    click.echo(f"{week.venue} · {week.timezone} · {state}")
    if week.always_open:
        click.echo("Trades 24/7: no weekly sessions or holidays.")
        return
    for weekday in range(7):
        click.echo(f"  {WEEKDAYS[weekday]}  {week.day_text(weekday)}")
    kind = (
        f"{week.calendar} calendar" if week.calendar else "default" if week.is_default else "custom"
    )
    click.echo(f"  ({kind}: {week.spec()})")
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
    code = _cli(lambda: schedule.get_venue(venue).code)
    if specs:
        sessions = _cli(lambda: admin.parse_hours_spec("; ".join(specs)))
        _cli(lambda: admin.set_weekly_hours(code, sessions, by="cli"))
        click.echo(f"{code} hours updated.")
    elif reset:
        _cli(lambda: admin.reset_weekly_hours(code, by="cli"))
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
    found = _cli(lambda: admin.list_holidays(venue, start, end))
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
    added = _cli(lambda: admin.add_holiday(venue, day, name, early_close, by="cli"))
    code = schedule.get_venue(venue).code
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
    updated = _cli(lambda: admin.update_holiday(venue, day, **changes, by="cli"))
    code = schedule.get_venue(venue).code
    what = f"closes at {updated.early_close:%H:%M}" if updated.early_close else "is closed"
    click.echo(f"Updated: {code} {what} on {updated.date.isoformat()} ({updated.name}).")


@holiday_group.command("remove")
@click.argument("venue")
@click.argument("day", metavar="DATE")
@with_appcontext
def holiday_remove_command(venue: str, day: str) -> None:
    """Remove VENUE's holiday on DATE: it trades its normal hours again."""
    removed = _cli(lambda: admin.remove_holiday(venue, day, by="cli"))
    code = schedule.get_venue(venue).code
    click.echo(f"Removed {removed.name} ({removed.date.isoformat()}) from {code}.")


@click.command("audit")
@click.argument("venue")
@click.option(
    "--limit",
    type=click.IntRange(1, audit.MAX_LIMIT),
    default=20,
    show_default=True,
    help="How many entries, newest first.",
)
@with_appcontext
def audit_command(venue: str, limit: int) -> None:
    """Show who changed VENUE's hours, holidays or override, newest first (times in UTC)."""
    found = _cli(lambda: audit.recent(schedule.get_venue(venue), limit))
    if not found:
        click.echo("No changes recorded.")
    for entry in found:
        click.echo(
            f"{entry.created_at:%Y-%m-%d %H:%M:%S}Z  {entry.by}  {entry.action}  {entry.summary}"
        )
