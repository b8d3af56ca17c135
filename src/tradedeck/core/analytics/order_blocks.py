"""Order blocks: the last opposing candle before each BOS/CHoCH, and its life as a breaker.

One block per structure break. A bullish break of the swing high at s on bar t takes the
lowest-low bar of s+1..t-1 (the last one on ties); price later trading below it makes it a
breaker (`mitigated_index`), and trading back above it on a later bar invalidates it.
Bearish blocks mirror this. The search between swing and break is a compiled loop: those
ranges barely overlap, so the total work stays linear.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from .candles import to_arrays
from .events import Events, make_events
from .level_search import first_above, first_below
from .params import resolve
from .structure import BULLISH, CHOCH, structure_breaks
from .structure import PARAMS as STRUCTURE_PARAMS

PARAMS = dict(STRUCTURE_PARAMS)


@njit(cache=True)
def _block_bars(
    high: np.ndarray, low: np.ndarray, swing: np.ndarray, brk: np.ndarray, direction: np.ndarray
) -> np.ndarray:
    """The extreme bar strictly between swing and break, or -1 when there is none."""
    blocks = np.full(swing.size, -1, np.int64)
    for event in range(swing.size):
        best = -1
        for k in range(swing[event] + 1, brk[event]):
            if direction[event] == 1:
                if best < 0 or low[k] <= low[best]:
                    best = k
            elif best < 0 or high[k] >= high[best]:
                best = k
        blocks[event] = best
    return blocks


def order_blocks(candles: Any, length: int = 2, break_on: str = "close") -> Events:
    """Order-block events `{direction, kind, top, bottom, index, swing_index, break_index,
    confirmed_index, volume, mitigated_index, invalidated_index}`."""
    p = resolve("order_blocks", PARAMS, {"length": length, "break_on": break_on})
    c = to_arrays(candles)
    b = structure_breaks(c, p["length"], p["break_on"])
    bars = _block_bars(c.high, c.low, b.swing_index, b.index, b.direction)
    found = bars >= 0
    bar, brk, swing, up = bars[found], b.index[found], b.swing_index[found], b.direction[found]
    kind = b.kind[found]
    bullish = up == BULLISH
    bearish = ~bullish
    top, bottom = c.high[bar], c.low[bar]
    volume = (
        c.volume[brk]
        + np.where(brk >= 1, c.volume[np.maximum(brk - 1, 0)], 0.0)
        + np.where(brk >= 2, c.volume[np.maximum(brk - 2, 0)], 0.0)
    )
    mitigated = np.full(bar.size, -1, np.int64)
    mitigated[bullish] = first_below(c.low, brk[bullish] + 1, bottom[bullish])
    mitigated[bearish] = first_above(c.high, brk[bearish] + 1, top[bearish])
    after = np.where(mitigated >= 0, mitigated + 1, len(c))
    invalidated = np.full(bar.size, -1, np.int64)
    invalidated[bullish] = first_above(c.high, after[bullish], top[bullish])
    invalidated[bearish] = first_below(c.low, after[bearish], bottom[bearish])
    return make_events(
        "order_blocks",
        p,
        c.time,
        {
            "direction": np.where(bullish, "bullish", "bearish"),
            "kind": np.where(kind == CHOCH, "CHoCH", "BOS"),
            "top": top,
            "bottom": bottom,
            "index": bar,
            "swing_index": swing,
            "break_index": brk,
            "confirmed_index": brk.copy(),
            "volume": volume,
            "mitigated_index": mitigated,
            "invalidated_index": invalidated,
        },
    )
