"""Two-bar price gaps and the bar that fills them back to the pre-gap price."""

from __future__ import annotations

from typing import Any

import numpy as np

from .candles import to_arrays
from .events import Events, make_events
from .level_search import first_at_or_above, first_at_or_below
from .params import resolve

PARAMS: dict = {}


def gaps(candles: Any) -> Events:
    """Gap events `{direction, top, bottom, index, confirmed_index, filled_index}`."""
    p = resolve("gaps", PARAMS, {})
    c = to_arrays(candles)
    up = np.flatnonzero(c.low[1:] > c.high[:-1]) + 1
    down = np.flatnonzero(c.high[1:] < c.low[:-1]) + 1
    index = np.concatenate((up, down))
    return make_events(
        "gaps",
        p,
        c.time,
        {
            "direction": np.repeat(np.array(["up", "down"]), (up.size, down.size)),
            "top": np.concatenate((c.low[up], c.low[down - 1])),
            "bottom": np.concatenate((c.high[up - 1], c.high[down])),
            "index": index,
            "confirmed_index": index.copy(),
            "filled_index": np.concatenate(
                (
                    first_at_or_below(c.low, up + 1, c.high[up - 1]),
                    first_at_or_above(c.high, down + 1, c.low[down - 1]),
                )
            ),
        },
    )
