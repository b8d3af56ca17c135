"""Market data tables: venues, the instrument catalogue, candles, ticks and last prices.

Candle OHLCV values are float64 (`Double`) on purpose: they are market data for charts and
analytics, which compute in float64 anyway, and a 5,000-candle read must stay cheap. Anything
that moves money (last trade price used for fills, quotes) is `Money` (NUMERIC / Decimal).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradedeck.database import Money, TimestampMixin
from tradedeck.extensions import db

VENUE_KINDS = ("simulated", "exchange", "yahoo", "csv")
ASSET_CLASSES = ("stock", "etf", "crypto", "fx", "index", "other")
INSTRUMENT_STATUSES = ("active", "halted", "delisted")


class Venue(TimestampMixin, db.Model):
    """Where instruments trade: `SIM`, `BINANCE` (or another ccxt exchange), `YAHOO`, `CSV`."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(12), default="USD")
    always_open: Mapped[bool] = mapped_column(Boolean, default=True)

    instruments: Mapped[list[Instrument]] = relationship(back_populates="venue")


class Instrument(TimestampMixin, db.Model):
    """One tradable symbol, unique per venue (`BTC/USDT` on BINANCE, `RELIANCE.NS` on YAHOO)."""

    __tablename__ = "instruments"
    __table_args__ = (UniqueConstraint("venue_id", "symbol"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    symbol: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    asset_class: Mapped[str] = mapped_column(String(16), default="stock")
    base: Mapped[str] = mapped_column(String(20), default="")
    quote: Mapped[str] = mapped_column(String(20), default="USD")
    tick_size: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.01"))
    lot_size: Mapped[Decimal] = mapped_column(Money(), default=Decimal("1"))
    min_qty: Mapped[Decimal] = mapped_column(Money(), default=Decimal("1"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    sim_drift: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    sim_volatility: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    halted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Set by an administrator (admin console): orders are refused while set. Separate from
    `status`, which a catalogue refresh overwrites with the provider's view."""

    venue: Mapped[Venue] = relationship(back_populates="instruments", lazy="joined")


class Candle(TimestampMixin, db.Model):
    """OHLCV bar keyed by (instrument, interval, open time as UTC epoch seconds)."""

    __tablename__ = "candles"

    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instruments.id", ondelete="CASCADE"), primary_key=True
    )
    interval: Mapped[str] = mapped_column(String(4), primary_key=True)
    open_time: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    open: Mapped[float] = mapped_column(Double)
    high: Mapped[float] = mapped_column(Double)
    low: Mapped[float] = mapped_column(Double)
    close: Mapped[float] = mapped_column(Double)
    volume: Mapped[float] = mapped_column(Double, default=0.0)


class CandleSpan(TimestampMixin, db.Model):
    """A range [start, end) of one instrument's candles already fetched from its provider.

    The candle store asks a provider only for what no span covers, so a second backfill of
    the same range sends no request even where the venue had no candles (weekends, delisted
    periods) and the candle table alone could not tell "empty" from "never fetched".
    """

    __tablename__ = "candle_spans"
    __table_args__ = (Index("ix_candle_spans_lookup", "instrument_id", "interval", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    interval: Mapped[str] = mapped_column(String(4))
    start: Mapped[int] = mapped_column(BigInteger)
    end: Mapped[int] = mapped_column(BigInteger)


class CandleVersion(TimestampMixin, db.Model):
    """Changes whenever closed candles of one instrument and interval are written.

    Web processes cache the encoded JSON of closed candles and check this one row per request,
    so a write by any process (backfill, CSV import, aggregation, the engine) is seen by all.
    No row means "never versioned": such candles are always read from the candle table.
    """

    __tablename__ = "candle_versions"

    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instruments.id", ondelete="CASCADE"), primary_key=True
    )
    interval: Mapped[str] = mapped_column(String(4), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class Tick(TimestampMixin, db.Model):
    """One price update of the engine (kept for `TICK_RETENTION_DAYS`)."""

    __tablename__ = "ticks"
    __table_args__ = (Index("ix_ticks_instrument_time", "instrument_id", "time_ms"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    time_ms: Mapped[int] = mapped_column(BigInteger)
    price: Mapped[Decimal] = mapped_column(Money())
    volume: Mapped[float] = mapped_column(Double, default=0.0)


class LastPrice(TimestampMixin, db.Model):
    """Latest price of an instrument with the day's reference values (fills, portfolio, lists)."""

    __tablename__ = "last_prices"

    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instruments.id", ondelete="CASCADE"), primary_key=True
    )
    price: Mapped[Decimal] = mapped_column(Money())
    previous_close: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    day_open: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    day_high: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    day_low: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    volume: Mapped[float] = mapped_column(Double, default=0.0)
