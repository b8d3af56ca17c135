"""Fair value gaps: three-bar imbalances, their mitigation (touch) and fill (trade-through).

With `join_consecutive`, a run of adjacent same-direction FVGs is one zone placed on its last
bar. The run is only known to have ended when the next bar rules out another FVG: at once if
that bar's body points the other way (or is a doji), else one bar later when the bar after it
shows whether the three-bar gap formed. That bar is the joined zone's `confirmed_index`, so a
joined zone, once reported, never changes as bars arrive.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .candles import Candles, to_arrays
from .events import Events, make_events
from .level_search import first_at_or_above, first_at_or_below
from .params import BoolParam, FloatParam, resolve

PARAMS = {"join_consecutive": BoolParam(False), "min_size": FloatParam(0.0)}


def _detect(c: Candles, min_size: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Middle-bar direction (+1, -1, 0 for none), top and bottom, per bar."""
    size = len(c)
    direction = np.zeros(size, np.int64)
    top = np.full(size, np.nan)
    bottom = np.full(size, np.nan)
    if size < 3:
        return direction, top, bottom
    body = np.sign(c.close[1:-1] - c.open[1:-1])
    bullish = (body > 0) & (c.high[:-2] < c.low[2:])
    bearish = (body < 0) & (c.low[:-2] > c.high[2:])
    top[1:-1] = np.where(bullish, c.low[2:], np.where(bearish, c.low[:-2], np.nan))
    bottom[1:-1] = np.where(bullish, c.high[:-2], np.where(bearish, c.high[2:], np.nan))
    keep = (bullish | bearish) & (top[1:-1] - bottom[1:-1] >= min_size)
    direction[1:-1] = np.where(keep, np.where(bullish, 1, -1), 0)
    return direction, top, bottom


def _joined(
    c: Candles, direction: np.ndarray, top: np.ndarray, bottom: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Runs of equal direction merged: (direction, top, bottom, last bar, confirmed bar)."""
    bars = np.flatnonzero(direction)
    if bars.size == 0:
        return direction[:0], top[:0], bottom[:0], bars, bars
    run_start = np.ones(bars.size, np.bool_)
    run_start[1:] = (np.diff(bars) != 1) | (np.diff(direction[bars]) != 0)
    starts = np.flatnonzero(run_start)
    ends = np.append(starts[1:], bars.size) - 1
    last = bars[ends]
    joined_direction = direction[last]
    joined_top = np.maximum.reduceat(top[bars], starts)
    joined_bottom = np.minimum.reduceat(bottom[bars], starts)
    size = len(c)
    next_body = np.sign(c.close[last + 1] - c.open[last + 1])
    confirmed = np.where(next_body == joined_direction, last + 2, last + 1)
    known = confirmed < size
    return (
        joined_direction[known],
        joined_top[known],
        joined_bottom[known],
        last[known],
        confirmed[known],
    )


def fvg(candles: Any, join_consecutive: bool = False, min_size: float = 0.0) -> Events:
    """FVG events `{direction, top, bottom, index, confirmed_index, mitigated_index,
    filled_index}`; gaps smaller than `min_size` are dropped before joining."""
    p = resolve("fvg", PARAMS, {"join_consecutive": join_consecutive, "min_size": min_size})
    c = to_arrays(candles)
    direction, top, bottom = _detect(c, p["min_size"])
    if p["join_consecutive"]:
        direction, top, bottom, index, confirmed = _joined(c, direction, top, bottom)
    else:
        index = np.flatnonzero(direction)
        direction, top, bottom, confirmed = direction[index], top[index], bottom[index], index + 1
    bullish = direction == 1
    bearish = ~bullish
    start = index + 2
    mitigated = np.full(index.size, -1, np.int64)
    filled = np.full(index.size, -1, np.int64)
    mitigated[bullish] = first_at_or_below(c.low, start[bullish], top[bullish])
    filled[bullish] = first_at_or_below(c.low, start[bullish], bottom[bullish])
    mitigated[bearish] = first_at_or_above(c.high, start[bearish], bottom[bearish])
    filled[bearish] = first_at_or_above(c.high, start[bearish], top[bearish])
    return make_events(
        "fvg",
        p,
        c.time,
        {
            "direction": np.where(bullish, "bullish", "bearish"),
            "top": top,
            "bottom": bottom,
            "index": index,
            "confirmed_index": confirmed,
            "mitigated_index": mitigated,
            "filled_index": filled,
        },
    )
