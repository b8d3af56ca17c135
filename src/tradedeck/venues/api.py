"""Market clock and calendar API and the admin hours/holidays/override/audit endpoints.

Every admin write passes who made it (username and user id) to the service, which records it
in the venue's audit log in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy import select

from tradedeck.api import paging
from tradedeck.api.auth import admin_only
from tradedeck.api.errors import ApiError, ErrorBody
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Venue
from tradedeck.venues import admin, audit, schedule
from tradedeck.venues.admin import SessionInput
from tradedeck.venues.schemas import (
    AuditList,
    AuditQuery,
    CalendarQuery,
    ClockQuery,
    HolidayBody,
    HolidayList,
    HolidayOut,
    HolidayPath,
    HolidayQuery,
    HolidayUpdateBody,
    HoursBody,
    HoursOut,
    OverrideBody,
    VenuePath,
)

bp = APIBlueprint(
    "market_hours_api",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="market hours", description="Venue sessions, holidays and overrides")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "403": ErrorBody, "404": ErrorBody},
)
MAX_CALENDAR_DAYS = 400


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ApiError(400, "validation_error", f"{field} needs a time zone (e.g. Z)", field)
    return value


@bp.get("/market/clock")
def market_clock(query: ClockQuery) -> Response:
    """`{venue, is_open, next_open, next_close}` plus the override in force."""
    return jsonify(schedule.clock(schedule.get_venue(query.venue)).to_json())


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
        [schedule.get_venue(query.venue)]
        if query.venue
        else list(db.session.scalars(select(Venue).order_by(Venue.code)))
    )
    return jsonify(
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "venues": [schedule.venue_calendar(v, start, end) for v in venues],
        }
    )


@bp.post("/admin/venues/<venue>/override")
@admin_only
def override_venue(path: VenuePath, body: OverrideBody) -> Response:
    """Emergency open/close of a venue (`auto` returns it to its schedule)."""
    venue = schedule.get_venue(path.venue)
    admin.set_override(venue.code, body.state, **audit.by_user(current_user))
    return jsonify(schedule.clock(venue).to_json())


def _session_inputs(body: HoursBody) -> list[SessionInput]:
    """The body's sessions; `day` (mon..sun) may stand for `weekday`, and must agree with it."""
    inputs = []
    for index, item in enumerate(body.hours):
        field = f"hours.{index}"
        weekday = item.weekday
        if item.day is not None:
            named = admin.parse_weekday(item.day, f"{field}.day")
            if weekday is not None and admin.parse_weekday(weekday, f"{field}.weekday") != named:
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
    venue = schedule.get_venue(path.venue)
    return jsonify(admin.weekly_hours(venue.code).to_json())


@bp.put("/admin/venues/<venue>/hours", responses={"200": HoursOut, "409": ErrorBody})
@admin_only
def put_venue_hours(path: VenuePath, body: HoursBody) -> Response:
    """Replace the whole week's sessions; 409 for a 24/7 venue. In force at once."""
    venue = schedule.get_venue(path.venue)
    result = admin.set_weekly_hours(
        venue.code, _session_inputs(body), **audit.by_user(current_user)
    )
    return jsonify(result.to_json())


@bp.delete("/admin/venues/<venue>/hours", responses={"200": HoursOut, "409": ErrorBody})
@admin_only
def reset_venue_hours(path: VenuePath) -> Response:
    """Back to the default Mon-Fri 09:30-16:00 (venue time); holidays are kept."""
    venue = schedule.get_venue(path.venue)
    result = admin.reset_weekly_hours(venue.code, **audit.by_user(current_user))
    return jsonify(result.to_json())


@bp.get("/admin/venues/<venue>/holidays", responses={"200": HolidayList})
@admin_only
def get_venue_holidays(path: VenuePath, query: HolidayQuery) -> Response:
    """Holidays and half days (`early_close`) of a venue, by date."""
    venue = schedule.get_venue(path.venue)
    found = admin.list_holidays(venue.code, query.start, query.end)
    return jsonify({"venue": venue.code, "holidays": [schedule.holiday_json(h) for h in found]})


@bp.post("/admin/venues/<venue>/holidays", responses={"201": HolidayOut, "409": ErrorBody})
@admin_only
def add_venue_holiday(path: VenuePath, body: HolidayBody) -> tuple[Response, int]:
    """Close the venue on a date, or close it early (`early_close`); 409 if the date is taken."""
    venue = schedule.get_venue(path.venue)
    added = admin.add_holiday(
        venue.code, body.date, body.name, body.early_close, **audit.by_user(current_user)
    )
    return jsonify(schedule.holiday_json(added)), 201


@bp.patch("/admin/venues/<venue>/holidays/<date>", responses={"200": HolidayOut, "409": ErrorBody})
@admin_only
def update_venue_holiday(path: HolidayPath, body: HolidayUpdateBody) -> Response:
    """Rename a holiday and/or change its early close (`null` closes the whole day); 404 when
    the date is no holiday, 409 for a 24/7 venue. Day orders are re-dated as for any edit."""
    venue = schedule.get_venue(path.venue)
    changes = body.model_dump(exclude_unset=True)
    updated = admin.update_holiday(venue.code, path.date, **changes, **audit.by_user(current_user))
    return jsonify(schedule.holiday_json(updated))


@bp.delete("/admin/venues/<venue>/holidays/<date>", responses={"200": HolidayOut})
@admin_only
def remove_venue_holiday(path: HolidayPath) -> Response:
    """Reopen a date on its normal hours; 404 when it is no holiday."""
    venue = schedule.get_venue(path.venue)
    removed = admin.remove_holiday(venue.code, path.date, **audit.by_user(current_user))
    return jsonify(schedule.holiday_json(removed))


@bp.get("/admin/venues/<venue>/audit", responses={"200": AuditList})
@admin_only
def get_venue_audit(path: VenuePath, query: AuditQuery) -> Response:
    """Who changed the venue's hours, holidays or override, and how; newest first."""
    venue = schedule.get_venue(path.venue)
    page = audit.page(venue, query.cursor, query.limit)
    return paging.respond({"venue": venue.code, "entries": [e.to_json() for e in page.rows]}, page)
