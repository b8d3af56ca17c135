"""History for simulated instruments: creating one with CANDLE_BACKFILL_DAYS of candles.

History is generated as 1m candles from the same clamped GBM ticks the live engine uses and
ends exactly at the instrument's current price, so the chart joins live data without a jump.
Storage: 1m candles only for the last MINUTE_HISTORY_DAYS (charts rarely page further back
at one minute, and they are most of the rows), every larger interval for the whole period,
aggregated from the full 1m series in memory. Six instruments x 30 days is then ~110,000 rows
and seeds in about a second instead of 1.5 million rows.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from decimal import Decimal

from flask import current_app

from tradedeck.core.candles import INTERVALS, OHLCV, resample
from tradedeck.core.simulation import generate_history
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market import catalogue, store
from tradedeck.market.models import Instrument
from tradedeck.market.providers.base import epoch_seconds

MINUTE_HISTORY_DAYS = 3
DAY = 86_400


def _tick_seconds() -> int:
    """The engine's tick when it divides a minute (history needs whole ticks per candle)."""
    secs = int(current_app.config["TRADEDECK"].tick_interval_secs)
    return secs if secs > 0 and 60 % secs == 0 else 2


def simulate_history(instrument: Instrument, price: Decimal, days: float, end: int) -> OHLCV:
    """1m candles for `days` before `end` (epoch s) ending at `price`; deterministic per symbol."""
    config = current_app.config["TRADEDECK"]
    drift = instrument.sim_drift if instrument.sim_drift is not None else config.default_drift
    vol = (
        instrument.sim_volatility
        if instrument.sim_volatility is not None
        else config.default_volatility
    )
    return generate_history(
        float(price),
        end,
        days,
        drift=float(drift),
        volatility=float(vol),
        seed=zlib.crc32(f"{instrument.venue.code}:{instrument.symbol}".encode()),
        tick_seconds=_tick_seconds(),
        max_tick_pct=float(config.max_tick_pct),
        tick_size=float(instrument.tick_size) if instrument.tick_size else None,
    )


def store_history(instrument_id: int, minutes: OHLCV, minute_days: float) -> int:
    """Store 1m candles of the last `minute_days` and every larger interval of all of them."""
    if not len(minutes):
        return 0
    cutoff = int(minutes.time[-1]) + 60 - round(minute_days * DAY)
    stored = store.upsert_candles(instrument_id, "1m", minutes.take(minutes.time >= cutoff))
    for interval in INTERVALS:
        if interval != "1m":
            stored += store.upsert_candles(instrument_id, interval, resample(minutes, interval))
    return stored


def backfill_simulated(
    instrument: Instrument, price: Decimal, days: float, now: datetime | None = None
) -> int:
    """Give a simulated instrument its history and last price (the caller commits)."""
    now = now or utcnow()
    end = epoch_seconds(now)
    minutes = simulate_history(instrument, price, days, end)
    stored = store_history(instrument.id, minutes, min(days, MINUTE_HISTORY_DAYS))
    daily = resample(minutes, "1d")
    today = end // DAY * DAY
    before = daily.take(daily.time < today)
    previous = Decimal(repr(float(before.close[-1]))) if len(before) else None
    row = store.set_last_price(instrument.id, price, now, previous_close=_quantize(previous))
    current = daily.take(daily.time == today)
    if len(current):
        row.day_open = _quantize(Decimal(repr(float(current.open[0]))))
        row.day_high = max(price, _quantize(Decimal(repr(float(current.high[0])))))
        row.day_low = min(price, _quantize(Decimal(repr(float(current.low[0])))))
        row.volume = float(current.volume[0])
    return stored


def _quantize(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.00000001"))


def add_simulated_instrument(
    symbol: str,
    name: str,
    price: Decimal,
    *,
    drift: Decimal | None = None,
    volatility: Decimal | None = None,
    tick_size: Decimal = Decimal("0.01"),
    venue: str = "SIM",
    days: float | None = None,
    now: datetime | None = None,
) -> Instrument:
    """Create a simulated stock with its history and price, ready for the engine; commits."""
    config = current_app.config["TRADEDECK"]
    sim = catalogue.ensure_venue(venue, timezone=config.market_timezone)
    instrument = Instrument(
        venue_id=sim.id,
        symbol=symbol,
        name=name,
        asset_class="stock",
        base=symbol,
        quote=sim.currency,
        tick_size=tick_size,
        lot_size=Decimal(1),
        min_qty=Decimal(1),
        sim_drift=drift,
        sim_volatility=volatility,
    )
    db.session.add(instrument)
    db.session.flush()
    backfill_simulated(
        instrument, price, config.candle_backfill_days if days is None else days, now
    )
    db.session.commit()
    return instrument
