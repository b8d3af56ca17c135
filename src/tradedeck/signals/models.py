"""Watchlists, scanned patterns, scan progress, confluence rules and signals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradedeck.database import Money, TimestampMixin, UTCDateTime
from tradedeck.extensions import db
from tradedeck.market.models import Instrument


class Watchlist(TimestampMixin, db.Model):
    """A user's named list of instruments and the timeframes scanned on each of them."""

    __tablename__ = "watchlists"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    timeframes: Mapped[list[str]] = mapped_column(JSON, default=list)

    items: Mapped[list[WatchlistItem]] = relationship(
        back_populates="watchlist", cascade="all, delete-orphan", order_by="WatchlistItem.id"
    )


class WatchlistItem(TimestampMixin, db.Model):
    __tablename__ = "watchlist_items"
    __table_args__ = (UniqueConstraint("watchlist_id", "instrument_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watchlist_id: Mapped[int] = mapped_column(ForeignKey("watchlists.id", ondelete="CASCADE"))
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instruments.id", ondelete="CASCADE"), index=True
    )

    watchlist: Mapped[Watchlist] = relationship(back_populates="items")
    instrument: Mapped[Instrument] = relationship(lazy="joined")


class Pattern(TimestampMixin, db.Model):
    """A confirmed pattern of one instrument and timeframe, shared by every user watching it.

    `key` (core.patterns.pattern_key) is unique per instrument and interval, so rescans,
    restarts and several scanners store each pattern once. Times are epoch seconds of candle
    opens (as charts use them); levels are Money.
    """

    __tablename__ = "patterns"
    __table_args__ = (
        UniqueConstraint("instrument_id", "interval", "key"),
        Index("ix_patterns_status_confirmed", "status", "confirmed_time"),
        Index("ix_patterns_instrument_interval_status", "instrument_id", "interval", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    interval: Mapped[str] = mapped_column(String(4))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    bar_time: Mapped[int] = mapped_column(BigInteger)
    confirmed_time: Mapped[int] = mapped_column(BigInteger)
    top: Mapped[Decimal] = mapped_column(Money())
    bottom: Mapped[Decimal] = mapped_column(Money())
    entry: Mapped[Decimal] = mapped_column(Money())
    stop: Mapped[Decimal] = mapped_column(Money())
    target: Mapped[Decimal] = mapped_column(Money())
    atr: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(12), default="active")
    status_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())

    instrument: Mapped[Instrument] = relationship(lazy="joined")


class ScanState(TimestampMixin, db.Model):
    """The newest closed bar scanned per instrument and interval: patterns confirmed on it or
    before were stored then, so a later scan only inserts newer ones."""

    __tablename__ = "scan_states"

    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instruments.id", ondelete="CASCADE"), primary_key=True
    )
    interval: Mapped[str] = mapped_column(String(4), primary_key=True)
    last_bar_time: Mapped[int] = mapped_column(BigInteger)


class SignalRule(TimestampMixin, db.Model):
    """A user's confluence rule: bias on `higher`, a zone on `middle`, a trigger on `lower`."""

    __tablename__ = "signal_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    higher: Mapped[str] = mapped_column(String(4))
    middle: Mapped[str] = mapped_column(String(4))
    lower: Mapped[str] = mapped_column(String(4))
    min_score: Mapped[int] = mapped_column(Integer, default=60)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Signal(TimestampMixin, db.Model):
    """One trade setup for one user: unique per (user, setup key) so a setup signals once."""

    __tablename__ = "signals"
    __table_args__ = (
        UniqueConstraint("user_id", "setup_key"),
        Index("ix_signals_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("signal_rules.id", ondelete="SET NULL"), nullable=True
    )
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    setup_key: Mapped[str] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(8))
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    entry: Mapped[Decimal] = mapped_column(Money())
    stop: Mapped[Decimal] = mapped_column(Money())
    target: Mapped[Decimal] = mapped_column(Money())
    zone_pattern_id: Mapped[int | None] = mapped_column(
        ForeignKey("patterns.id", ondelete="SET NULL"), nullable=True
    )
    trigger_pattern_id: Mapped[int | None] = mapped_column(
        ForeignKey("patterns.id", ondelete="SET NULL"), nullable=True
    )
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    instrument: Mapped[Instrument] = relationship(lazy="joined")
