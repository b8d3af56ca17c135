"""Break of structure (BOS) and change of character (CHoCH): a causal state machine.

Each bar first tests the latest confirmed swing high and low (as left by the previous bar) for a
break, then takes in the swings confirmed on it; the trend is +1 / -1 after bullish / bearish
breaks. The state depends on every earlier bar, hence a compiled loop.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numba import njit

from .candles import Candles, to_arrays
from .events import Events, make_events
from .params import ChoiceParam, IntParam, resolve
from .swings import swing_points

PARAMS = {"length": IntParam(2), "break_on": ChoiceParam("close", ("close", "wick"))}

BULLISH = 1
BEARISH = -1
BOS = 0
CHOCH = 1


class Breaks(NamedTuple):
    """Structure breaks in detection order (bar, then bullish before bearish)."""

    index: np.ndarray
    direction: np.ndarray
    kind: np.ndarray
    level: np.ndarray
    swing_index: np.ndarray


@njit(cache=True)
def _breaks(
    up: np.ndarray,
    down: np.ndarray,
    high_confirmed: np.ndarray,
    low_confirmed: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    length: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    size = up.size
    capacity = int(high_confirmed.sum() + low_confirmed.sum())
    index = np.empty(capacity, np.int64)
    direction = np.empty(capacity, np.int64)
    kind = np.empty(capacity, np.int64)
    level = np.empty(capacity, np.float64)
    swing = np.empty(capacity, np.int64)
    count = 0
    top_index = -1
    top_open = False
    bottom_index = -1
    bottom_open = False
    trend = 0
    for t in range(size):
        if top_open and up[t] > high[top_index]:
            index[count] = t
            direction[count] = 1
            kind[count] = 1 if trend == -1 else 0
            level[count] = high[top_index]
            swing[count] = top_index
            count += 1
            trend = 1
            top_open = False
        if bottom_open and down[t] < low[bottom_index]:
            index[count] = t
            direction[count] = -1
            kind[count] = 1 if trend == 1 else 0
            level[count] = low[bottom_index]
            swing[count] = bottom_index
            count += 1
            trend = -1
            bottom_open = False
        if high_confirmed[t]:
            top_index = t - length
            top_open = True
        if low_confirmed[t]:
            bottom_index = t - length
            bottom_open = True
    return index[:count], direction[:count], kind[:count], level[:count], swing[:count]


def structure_breaks(candles: Candles, length: int, break_on: str) -> Breaks:
    """All BOS/CHoCH breaks of the series, for structure events and order blocks."""
    highs, lows = swing_points(candles, length)
    high_confirmed = np.zeros(len(candles), np.bool_)
    low_confirmed = np.zeros(len(candles), np.bool_)
    high_confirmed[highs + length] = True
    low_confirmed[lows + length] = True
    up, down = (
        (candles.close, candles.close) if break_on == "close" else (candles.high, candles.low)
    )
    return Breaks(
        *_breaks(up, down, high_confirmed, low_confirmed, candles.high, candles.low, length)
    )


def structure(candles: Any, length: int = 2, break_on: str = "close") -> Events:
    """BOS/CHoCH events `{kind, direction, level, swing_index, index, confirmed_index}`."""
    p = resolve("structure", PARAMS, {"length": length, "break_on": break_on})
    c = to_arrays(candles)
    b = structure_breaks(c, p["length"], p["break_on"])
    return make_events(
        "structure",
        p,
        c.time,
        {
            "kind": np.where(b.kind == CHOCH, "CHoCH", "BOS"),
            "direction": np.where(b.direction == BULLISH, "bullish", "bearish"),
            "level": b.level,
            "swing_index": b.swing_index,
            "index": b.index,
            "confirmed_index": b.index.copy(),
        },
    )
