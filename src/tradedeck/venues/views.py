"""Admin pages for venue hours: `/admin/venues` (every venue with its state) and
`/admin/venues/<code>` (weekly hours, holidays and half days with an edit form per row,
emergency override, and the recent changes from the venue's audit log).

Admins only (customers get 403, visitors the login page). Every form carries its CSRF token;
the writes go through `venues.admin` (validation, locking, cache clearing, audit row naming the
signed-in admin) and answer with a
redirect and a flash message, or re-render the page with the field's error (status 200, as the
other form pages do: a 4xx document is logged as a console error by browsers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from tradedeck.core import calendar
from tradedeck.core.calendar import WEEKDAYS, Override
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Venue
from tradedeck.venues import admin, audit, schedule
from tradedeck.venues.forms import ActionForm, HolidayEditForm, HolidayForm, HoursForm, OverrideForm

bp = Blueprint("venue_admin", __name__, url_prefix="/admin/venues")
UPCOMING_SESSIONS = 6
RECENT_CHANGES = 10
DAY_HELP = "HH:MM-HH:MM in venue time; several: 09:00-11:30, 12:30-16:00; empty = closed"


@dataclass(frozen=True)
class VenueRow:
    venue: Venue
    clock: schedule.Clock
    summary: str


@bp.before_request
@login_required
def _require_admin() -> None:
    if not current_user.is_admin:
        abort(403)


def _venue(code: str) -> Venue:
    try:
        return schedule.get_venue(code)
    except DomainError:
        abort(404)


def _local(at: datetime | None, timezone: str) -> str:
    """`Mon 23 Nov 09:30 EST` in the venue's zone."""
    if at is None:
        return "—"
    return at.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M %Z")


def _window(window: calendar.SessionWindow, zone: ZoneInfo) -> tuple[str, str]:
    """(`Mon 23 Nov 09:30 EST`, `16:00 EST`): the close's date only when it differs."""
    opens, closes = window.open.astimezone(zone), window.close.astimezone(zone)
    same_day = closes.date() == opens.date()
    return opens.strftime("%a %d %b %H:%M %Z"), closes.strftime(
        "%H:%M %Z" if same_day else "%a %d %b %H:%M %Z"
    )


@bp.get("")
def index() -> str:
    rows = []
    for venue in db.session.scalars(select(Venue).order_by(Venue.code)):
        week = admin.weekly_hours(venue.code)
        summary = "24/7" if week.always_open else week.spec()
        if week.calendar:
            summary = f"{week.calendar} calendar: {summary}"
        rows.append(VenueRow(venue, schedule.clock(venue), summary))
    return render_template("venues/venues.html", rows=rows, local=_local)


def _render_venue(
    venue: Venue,
    hours_form: HoursForm | None = None,
    holiday_form: HolidayForm | None = None,
    edit: tuple[date, HolidayEditForm] | None = None,
) -> str:
    """The venue page; `edit` re-opens one holiday row's edit form with its errors."""
    week = admin.weekly_hours(venue.code)
    if hours_form is None:
        hours_form = HoursForm(
            formdata=None,
            **{
                day: ", ".join(admin.format_session(s) for s in sessions)
                for day, sessions in zip(WEEKDAYS, week.by_day(), strict=True)
            },
        )
    now = utcnow()
    zone = ZoneInfo(venue.timezone)
    today = now.astimezone(zone).date()
    show_past = request.args.get("past") == "1" or (edit is not None and edit[0] < today)
    everything = admin.list_holidays(venue.code)
    upcoming = [h for h in everything if h.date >= today]
    week_schedule = schedule.build_schedule(venue)
    windows = (
        []
        if week_schedule.continuous
        else calendar.sessions_between(week_schedule, now, now + timedelta(days=21))
    )
    sessions = [_window(w, zone) for w in windows[:UPCOMING_SESSIONS]]
    return render_template(
        "venues/venue.html",
        venue=venue,
        week=week,
        clock=schedule.clock(venue, now),
        local_now=now.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z (UTC%z)"),
        today=today,
        holidays=everything if show_past else upcoming,
        admin_days={h.date for h in schedule.admin_holidays(venue)},
        past_count=len(everything) - len(upcoming),
        show_past=show_past,
        sessions=sessions,
        hours_form=hours_form,
        holiday_form=holiday_form or HolidayForm(formdata=None),
        action_form=ActionForm(),
        edit_day=edit[0] if edit else None,
        edit_form=edit[1] if edit else None,
        changes=audit.recent(venue, RECENT_CHANGES),
        recent_changes=RECENT_CHANGES,
        override_form=OverrideForm(),
        overrides=[o.value for o in Override],
        weekdays=WEEKDAYS,
        day_help=DAY_HELP,
        local=_local,
    )


@bp.get("/<code>")
def venue_page(code: str) -> str:
    return _render_venue(_venue(code))


def _back(venue: Venue) -> Response:
    """Back to the venue page, at its top where the flash message shows."""
    return redirect(url_for("venue_admin.venue_page", code=venue.code))


def _form_problem(form: FlaskForm) -> str:
    for name, errors in form.errors.items():
        label = getattr(getattr(form, name, None), "label", None)
        return f"{label.text if label else name}: {errors[0]}"
    return "the form could not be read"


@bp.post("/<code>/hours")
def save_hours(code: str) -> Any:
    venue = _venue(code)
    form = HoursForm()
    if not form.validate_on_submit():
        flash(f"Hours not saved — {_form_problem(form)}.", "danger")
        return _render_venue(venue, hours_form=form)
    try:
        inputs = []
        for weekday, field in form.day_fields():
            inputs += admin.parse_day_ranges(weekday, field.data or "", WEEKDAYS[weekday])
        week = admin.set_weekly_hours(venue.code, inputs, **audit.by_user(current_user))
    except DomainError as exc:
        if exc.field in WEEKDAYS:
            field = getattr(form, exc.field)
            field.errors = [*field.errors, exc.message]
        flash(f"Hours not saved — {exc.message}.", "danger")
        return _render_venue(venue, hours_form=form)
    flash(f"{venue.code} weekly hours saved: {week.spec()} ({venue.timezone}).", "success")
    return _back(venue)


@bp.post("/<code>/hours/reset")
def reset_hours(code: str) -> Any:
    venue = _venue(code)
    if ActionForm().validate_on_submit():
        try:
            admin.reset_weekly_hours(venue.code, **audit.by_user(current_user))
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            flash(f"{venue.code} hours reset to Mon-Fri 09:30-16:00.", "success")
    return _back(venue)


@bp.post("/<code>/holidays")
def add_holiday(code: str) -> Any:
    venue = _venue(code)
    form = HolidayForm()
    if not form.validate_on_submit():
        flash(f"Holiday not added — {_form_problem(form)}.", "danger")
        return _render_venue(venue, holiday_form=form)
    try:
        added = admin.add_holiday(
            venue.code,
            form.date.data or "",
            form.name.data or "",
            (form.early_close.data or "").strip() or None,
            **audit.by_user(current_user),
        )
    except DomainError as exc:
        field = getattr(form, exc.field or "", None)
        if field is not None and exc.field in ("date", "name", "early_close"):
            field.errors = [*field.errors, exc.message]
        flash(f"Holiday not added — {exc.message}.", "danger")
        return _render_venue(venue, holiday_form=form)
    what = f"closes at {added.early_close:%H:%M}" if added.early_close else "is closed all day"
    flash(f"{venue.code} {what} on {added.date:%a %d %b %Y} ({added.name}).", "success")
    return _back(venue)


@bp.post("/<code>/holidays/<day>/edit")
def edit_holiday(code: str, day: str) -> Any:
    """Rename a holiday or change its early close (empty: closed all day)."""
    venue = _venue(code)
    form = HolidayEditForm()
    try:
        when = admin.parse_date(day)
    except DomainError as exc:
        flash(f"Holiday not updated — {exc.message}.", "danger")
        return _back(venue)
    if not form.validate_on_submit():
        flash(f"Holiday not updated — {_form_problem(form)}.", "danger")
        return _render_venue(venue, edit=(when, form))
    try:
        updated = admin.update_holiday(
            venue.code,
            when,
            name=form.name.data or "",
            early_close=(form.early_close.data or "").strip(),
            **audit.by_user(current_user),
        )
    except DomainError as exc:
        flash(f"Holiday not updated — {exc.message}.", "danger")
        if exc.field not in ("name", "early_close"):
            return _back(venue)
        field = getattr(form, exc.field)
        field.errors = [*field.errors, exc.message]
        return _render_venue(venue, edit=(when, form))
    what = f"closes at {updated.early_close:%H:%M}" if updated.early_close else "is closed all day"
    flash(f"Saved {updated.name} ({updated.date:%a %d %b %Y}): {venue.code} {what}.", "success")
    return _back(venue)


@bp.post("/<code>/holidays/<day>/remove")
def remove_holiday(code: str, day: str) -> Any:
    venue = _venue(code)
    if ActionForm().validate_on_submit():
        try:
            removed = admin.remove_holiday(venue.code, day, **audit.by_user(current_user))
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            flash(
                f"Removed {removed.name} ({removed.date:%a %d %b %Y}): {venue.code} trades "
                "its normal hours that day.",
                "success",
            )
    return _back(venue)


@bp.post("/<code>/override")
def set_override(code: str) -> Any:
    venue = _venue(code)
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            admin.set_override(venue.code, form.state.data or "", **audit.by_user(current_user))
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            state = form.state.data
            flash(
                f"{venue.code} follows its schedule again."
                if state == Override.AUTO.value
                else f"{venue.code} is forced {state} (emergency override).",
                "success" if state == Override.AUTO.value else "warning",
            )
    return _back(venue)
