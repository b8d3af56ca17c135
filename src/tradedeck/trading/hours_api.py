"""Market clock and calendar API, the admin override endpoint and `tradedeck market override`."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import Response, jsonify
from flask.cli import with_appcontext
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from sqlalchemy import select

from tradedeck.api.auth import admin_only
from tradedeck.api.errors import ApiError, ErrorBody
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Venue
from tradedeck.trading import hours

bp = APIBlueprint(
    "market_hours_api",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="market hours", description="Venue sessions, holidays and overrides")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "403": ErrorBody, "404": ErrorBody},
)
MAX_CALENDAR_DAYS = 400


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


def _venue(code: str) -> Venue:
    try:
        return hours.get_venue(code)
    except DomainError as exc:
        raise ApiError(404, exc.code, exc.message, exc.field) from exc


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ApiError(400, "validation_error", f"{field} needs a time zone (e.g. Z)", field)
    return value


@bp.get("/market/clock")
def market_clock(query: ClockQuery) -> Response:
    """`{venue, is_open, next_open, next_close}` plus the override in force."""
    return jsonify(hours.clock(_venue(query.venue)).to_json())


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
        [_venue(query.venue)]
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
    venue = _venue(path.venue)
    hours.set_override(venue.code, body.state, by=current_user.username)
    return jsonify(hours.clock(venue).to_json())


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
