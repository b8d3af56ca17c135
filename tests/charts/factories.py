"""Chart test data: a SIM instrument with candles that contain swings, gaps and FVGs."""

from __future__ import annotations

import time

import numpy as np
from flask import Flask

from tradedeck.core.candles import OHLCV, bucket_start, interval_seconds
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, Venue
from tradedeck.market.store import upsert_candles


def random_walk(n: int, end: int, interval: str, seed: int = 7) -> OHLCV:
    """`n` candles ending with the one holding `end`: a walk with occasional price jumps.

    The jumps open gaps between candles, so every overlay has something to draw.
    """
    rng = np.random.default_rng(seed)
    seconds = interval_seconds(interval)
    last = int(bucket_start(end, interval))
    times = np.arange(last - (n - 1) * seconds, last + 1, seconds, dtype=np.int64)
    steps = rng.normal(0, 0.6, n) + np.where(rng.random(n) < 0.04, rng.normal(0, 4, n), 0)
    opens = 100 + np.cumsum(steps)
    closes = opens + rng.normal(0, 0.8, n)
    highs = np.maximum(opens, closes) + rng.gamma(1.5, 0.25, n)
    lows = np.minimum(opens, closes) - rng.gamma(1.5, 0.25, n)
    volume = rng.integers(1_000, 50_000, n).astype(np.float64)
    return OHLCV(times, opens, highs, lows, closes, volume)


def seed_instrument(
    app: Flask,
    symbol: str = "ACME",
    intervals: tuple[str, ...] = ("15m", "1h"),
    n: int = 600,
    end: int | None = None,
) -> dict[str, OHLCV]:
    """A SIM venue and instrument with `n` candles per interval up to `end` (default now)."""
    end = int(end or time.time())
    with app.app_context():
        venue = db.session.query(Venue).filter_by(code="SIM").one_or_none()
        if venue is None:
            venue = Venue(code="SIM", name="Simulated", kind="simulated", always_open=True)
            db.session.add(venue)
        instrument = Instrument(venue=venue, symbol=symbol, name=f"{symbol} Corp", quote="USD")
        db.session.add(instrument)
        db.session.flush()
        series = {}
        for i, interval in enumerate(intervals):
            series[interval] = random_walk(n, end, interval, seed=7 + i)
            upsert_candles(instrument.id, interval, series[interval])
        db.session.commit()
    return series
