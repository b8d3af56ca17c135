"""Swing highs and lows (pivots): a bar that beats the `length` bars on each side.

Strictly above the bars before and at least as high as those after, so a flat top of equal
highs yields one pivot, its first bar; known only `length` bars later (`confirmed_index`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .candles import Candles, to_arrays
from .events import Events, make_events
from .params import IntParam, resolve
from .rolling import window_max

PARAMS = {"length": IntParam(2)}


def swing_points(candles: Candles, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Bar indexes of swing highs and of swing lows, ascending."""
    return (
        _pivots(candles.high, length),
        _pivots(-candles.low, length),
    )


def _pivots(values: np.ndarray, length: int) -> np.ndarray:
    size = values.size
    if size < 2 * length + 1:
        return np.zeros(0, np.int64)
    windows = window_max(values, length)
    middle = values[length : size - length]
    before = windows[: size - 2 * length]
    after = windows[length + 1 :]
    return np.flatnonzero((middle > before) & (middle >= after)) + length


def swings(candles: Any, length: int = 2) -> Events:
    """Swing events `{type, index, level, confirmed_index}`; outside bars give both types."""
    p = resolve("swings", PARAMS, {"length": length})
    c = to_arrays(candles)
    highs, lows = swing_points(c, p["length"])
    index = np.concatenate((highs, lows))
    return make_events(
        "swings",
        p,
        c.time,
        {
            "type": np.repeat(np.array(["high", "low"]), (highs.size, lows.size)),
            "index": index,
            "level": np.concatenate((c.high[highs], c.low[lows])),
            "confirmed_index": index + p["length"],
        },
    )
