"""History for simulated instruments: creating one with CANDLE_BACKFILL_DAYS of candles.

History is generated as 1m candles from the same clamped GBM ticks the live engine uses and
ends exactly at the instrument's current price, so the chart joins live data without a jump.
Only minutes in which the venue trades get candles (SIM: its weekly sessions, no weekends or
holidays), the same minutes in which the live engine ticks.
Storage: 1m candles only for the last MINUTE_HISTORY_DAYS (charts rarely page further back
at one minute, and they are most of the rows), every larger interval for the whole period,
aggregated from the full 1m series in memory. Six instruments x 30 days is then ~110,000 rows
and seeds in about a second instead of 1.5 million rows.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
from flask import current_app

from tradedeck.core.candles import INTERVALS, OHLCV, resample
from tradedeck.core.simulation import generate_history
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market import catalogue, store
from tradedeck.market.models import Instrument, Venue
from tradedeck.market.providers.base import epoch_seconds, from_epoch
from tradedeck.venues import schedule

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
        minute_times=session_minutes(instrument.venue, end - round(days * DAY), end),
        drift=float(drift),
        volatility=float(vol),
        seed=zlib.crc32(f"{instrument.venue.code}:{instrument.symbol}".encode()),
        tick_seconds=_tick_seconds(),
        max_tick_pct=float(config.max_tick_pct),
        tick_size=float(instrument.tick_size) if instrument.tick_size else None,
    )


def session_minutes(venue: Venue, start: int, end: int) -> np.ndarray | None:
    """Open times of the whole minutes in [start, end) during which `venue` trades, or None
    when it trades throughout (the unbroken series, as before venue hours existed)."""
    windows = schedule.open_windows(venue, from_epoch(start), from_epoch(end))
    spans = [(-(-epoch_seconds(a) // 60) * 60, epoch_seconds(b) // 60 * 60) for a, b in windows]
    if len(spans) == 1 and spans[0] == (-(-start // 60) * 60, end // 60 * 60):
        return None
    minutes = [np.arange(a, b, 60, dtype=np.int64) for a, b in spans if b > a]
    return np.concatenate(minutes) if minutes else np.empty(0, dtype=np.int64)


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
    # The latest trading day is "the day" (today, or Friday on a Saturday), as the engine
    # keeps it: its previous close moves on only when the next day's first tick closes it.
    daily = resample(minutes, "1d")
    previous = Decimal(repr(float(daily.close[-2]))) if len(daily) > 1 else None
    row = store.set_last_price(instrument.id, price, now, previous_close=_quantize(previous))
    if len(daily):
        row.day_open = _quantize(Decimal(repr(float(daily.open[-1]))))
        row.day_high = max(price, _quantize(Decimal(repr(float(daily.high[-1])))))
        row.day_low = min(price, _quantize(Decimal(repr(float(daily.low[-1])))))
        row.volume = float(daily.volume[-1])
    return stored


def _quantize(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.00000001"))


def add_simulated_instrument(symbol: str, name: str, price: Decimal, **options: Any) -> Instrument:
    """Create a simulated stock with its history and price, ready for the engine; commits.
    `options` are those of `create_simulated_instrument`."""
    instrument = create_simulated_instrument(symbol, name, price, **options)
    db.session.commit()
    return instrument


def create_simulated_instrument(
    symbol: str,
    name: str,
    price: Decimal,
    *,
    drift: Decimal | None = None,
    volatility: Decimal | None = None,
    tick_size: Decimal = Decimal("0.01"),
    lot_size: Decimal = Decimal(1),
    venue: str = "SIM",
    days: float | None = None,
    now: datetime | None = None,
) -> Instrument:
    """`add_simulated_instrument` without the commit, so a caller (the admin console) can
    write its audit row in the same transaction; the minimum quantity is one lot."""
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
        lot_size=lot_size,
        min_qty=lot_size,
        sim_drift=drift,
        sim_volatility=volatility,
    )
    db.session.add(instrument)
    db.session.flush()
    backfill_simulated(
        instrument, price, config.candle_backfill_days if days is None else days, now
    )
    return instrument
