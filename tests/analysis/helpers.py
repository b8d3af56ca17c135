"""Analysis test data: a mean-reverting candle series, stored under a simulated symbol."""

from __future__ import annotations

from typing import Any

import numpy as np
from flask import Flask

from tradedeck.core.candles import OHLCV
from tradedeck.extensions import db
from tradedeck.market import store
from tradedeck.market.models import Instrument, Venue

T0 = 1_699_999_200  # a 15m boundary (2023-11-14T22:00Z)
STEP = 900
BARS = 4_000


def walk(bars: int, seed: int = 7) -> dict[str, np.ndarray]:
    """OHLCV around 100 that keeps coming back (old zones get filled), with real gaps."""
    rng = np.random.default_rng(seed)
    close = np.empty(bars)
    level = 100.0
    for i in range(bars):
        level += 0.05 * (100.0 - level) + rng.normal(0, 0.6)
        close[i] = level
    open_ = np.r_[100.0, close[:-1]] + rng.normal(0, 0.25, bars)
    high = np.maximum(open_, close) + rng.exponential(0.3, bars)
    low = np.minimum(open_, close) - rng.exponential(0.3, bars)
    prices = {"open": open_, "high": high, "low": low, "close": close}
    return {
        "time": T0 + STEP * np.arange(bars, dtype=np.int64),
        **{name: column.round(8) for name, column in prices.items()},  # as the store keeps them
        "volume": rng.uniform(1, 100, bars).round(3),
    }


def records(series: dict[str, np.ndarray], rows: slice = slice(None)) -> list[dict[str, Any]]:
    """The series as the API's `data`: one JSON object per candle."""
    columns = {name: column[rows].tolist() for name, column in series.items()}
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def store_series(app: Flask, symbol: str, series: dict[str, np.ndarray]) -> None:
    with app.app_context():
        venue = Venue(code="SIM", name="Simulated", kind="simulated")
        db.session.add(venue)
        db.session.flush()
        instrument = Instrument(venue_id=venue.id, symbol=symbol)
        db.session.add(instrument)
        db.session.flush()
        ohlcv = OHLCV(
            *(series[name] for name in ("time", "open", "high", "low", "close", "volume"))
        )
        store.upsert_candles(instrument.id, "15m", ohlcv)
        db.session.commit()
