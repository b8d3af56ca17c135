"""Candle builders for the analytics tests: hand-written bars and hypothesis random walks."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tradedeck.core.analytics import Candles, to_arrays

START = 1_700_000_000
HOUR = 3600


def bars(
    rows: list[tuple[float, float, float, float]], volume: list[float] | None = None
) -> Candles:
    """Hourly candles from (open, high, low, close) rows."""
    o, h, lo, c = (
        (np.array(column, dtype=np.float64) for column in zip(*rows, strict=True))
        if rows
        else (np.zeros(0),) * 4
    )
    size = len(rows)
    return to_arrays(
        {
            "time": START + HOUR * np.arange(size),
            "open": o,
            "high": h,
            "low": lo,
            "close": c,
            "volume": np.ones(size) if volume is None else np.array(volume, np.float64),
        }
    )


def highs_lows(highs: list[float], lows: list[float]) -> Candles:
    """Bars with the given highs and lows, opening at the low and closing at the high."""
    return bars([(lo, h, lo, h) for h, lo in zip(highs, lows, strict=True)])


def random_walk(seed: int, size: int, tick: float = 0.25) -> Candles:
    """A random walk on a price grid (so ties happen), with gaps, dojis and irregular times."""
    rng = np.random.default_rng(seed)
    steps = np.round(rng.normal(0, 4, size)) * tick
    close = 100 + np.cumsum(steps)
    jumps = np.where(rng.random(size) < 0.1, np.round(rng.normal(0, 8, size)) * tick, 0.0)
    open_ = np.concatenate(([100.0], close[:-1])) + jumps
    open_ = np.where(rng.random(size) < 0.05, close, open_)
    high = np.maximum(open_, close) + np.round(rng.exponential(2, size)) * tick
    low = np.minimum(open_, close) - np.round(rng.exponential(2, size)) * tick
    gaps = rng.choice([HOUR, 4 * HOUR, 24 * HOUR, 3 * 24 * HOUR], size, p=[0.7, 0.2, 0.07, 0.03])
    return to_arrays(
        {
            "time": START + np.cumsum(gaps),
            "open": open_,
            "high": high,
            "low": low,
            "close": close,
            "volume": np.round(rng.random(size) * 100, 2),
        }
    )


walks = st.builds(
    random_walk,
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(0, 300),
    tick=st.sampled_from([0.25, 1.0, 0.01]),
)
"""Random walks of 0-300 bars, coarse grids included so equal highs and lows are common."""
