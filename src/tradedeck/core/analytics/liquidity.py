"""Liquidity pools: consecutive swing highs (lows) within `tolerance` ATRs, and their sweeps.

A sweep is the first bar to trade beyond the pool; closing back inside is a rejection (stops
taken, price refused), closing beyond is a break.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .candles import to_arrays
from .events import Events, make_events
from .indicators import atr_of
from .level_search import first_above, first_below
from .params import FloatParam, IntParam, resolve
from .swings import swing_points

PARAMS = {"length": IntParam(2), "atr_length": IntParam(14), "tolerance": FloatParam(0.1)}


def _pools(
    points: np.ndarray, levels: np.ndarray, atr: np.ndarray, length: int, tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(earlier swing, newer swing, confirmed bar) of each pair of equal neighbours."""
    earlier, newer = points[:-1], points[1:]
    confirmed = newer + length
    atr_then = atr[confirmed]
    equal = ~np.isnan(atr_then) & (np.abs(levels[newer] - levels[earlier]) <= tolerance * atr_then)
    return earlier[equal], newer[equal], confirmed[equal]


def liquidity(
    candles: Any, length: int = 2, atr_length: int = 14, tolerance: float = 0.1
) -> Events:
    """Pool events `{type, level, index, second_index, confirmed_index, swept_index, sweep}`."""
    p = resolve(
        "liquidity", PARAMS, {"length": length, "atr_length": atr_length, "tolerance": tolerance}
    )
    c = to_arrays(candles)
    n = p["length"]
    atr = atr_of(c, p["atr_length"])
    highs, lows = swing_points(c, n)
    high_first, high_second, high_confirmed = _pools(highs, c.high, atr, n, p["tolerance"])
    low_first, low_second, low_confirmed = _pools(lows, c.low, atr, n, p["tolerance"])
    high_level = np.maximum(c.high[high_first], c.high[high_second])
    low_level = np.minimum(c.low[low_first], c.low[low_second])
    high_swept = first_above(c.high, high_confirmed + 1, high_level)
    low_swept = first_below(c.low, low_confirmed + 1, low_level)
    swept = np.concatenate((high_swept, low_swept))
    close_then = c.close[np.maximum(swept, 0)]
    rejected = np.concatenate(
        (close_then[: high_swept.size] < high_level, close_then[high_swept.size :] > low_level)
    )
    return make_events(
        "liquidity",
        p,
        c.time,
        {
            "type": np.repeat(
                np.array(["equal_highs", "equal_lows"]), (high_first.size, low_first.size)
            ),
            "level": np.concatenate((high_level, low_level)),
            "index": np.concatenate((high_first, low_first)),
            "second_index": np.concatenate((high_second, low_second)),
            "confirmed_index": np.concatenate((high_confirmed, low_confirmed)),
            "swept_index": swept,
            "sweep": np.where(swept < 0, None, np.where(rejected, "rejection", "break")),
        },
    )
