"""Venue hours tables: weekly sessions, holidays and half days and the market state row (the
audit log of venue administration is the app's audit log, `tradedeck.audit`).

The venues themselves (`market.models.Venue`) belong to the instrument catalogue; these tables
hang off them by `venue_id` and keep the table names they had when they lived in `trading`.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradedeck.core.calendar import Override
from tradedeck.database import TimestampMixin, UTCDateTime
from tradedeck.extensions import db


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
    day whose sessions end at that wall-clock time (Christmas Eve 13:00). On an exchange
    venue these are the admin's days on top of its exchange calendar."""

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
