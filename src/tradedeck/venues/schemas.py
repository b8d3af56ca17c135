"""Pydantic models of the venue API: clock and calendar queries, admin hours, holidays,
override and audit bodies and answers (they also feed the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from tradedeck.api.paging import NEXT, PageQuery
from tradedeck.venues import admin, audit

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
        max_length=7 * admin.MAX_SESSIONS_PER_DAY,
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
    calendar: str | None = Field(
        default=None, description="The exchange calendar the hours come from (XNYS…), if any"
    )
    hours: list[SessionOut]


class HolidayBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: StrictStr = Field(description="YYYY-MM-DD", examples=["2026-12-24"])
    name: StrictStr = Field(max_length=admin.MAX_HOLIDAY_NAME, examples=["Christmas Eve"])
    early_close: StrictStr | None = Field(
        default=None,
        description="HH:MM: a half day that closes early instead of a closed day",
        examples=["13:00"],
    )


class HolidayUpdateBody(BaseModel):
    """Only the fields sent change; the date is the one in the path."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr | None = Field(
        default=None, max_length=admin.MAX_HOLIDAY_NAME, examples=["Christmas Eve"]
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
        default=audit.DEFAULT_LIMIT,
        ge=1,
        le=audit.MAX_LIMIT,
        description="Entries per page, newest first",
    )


class AuditEntryOut(BaseModel):
    id: int
    venue: str
    action: str = Field(description=", ".join(audit.ACTIONS))
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
