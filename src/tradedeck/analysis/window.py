"""Warm-up history and window cutting: what makes the first visible bars of a chart right.

Studies carry state (Wilder averages, the latest swings, open zones), so the GET endpoint runs
them on history before `start` and then keeps only what lies in the requested window. Pure:
no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import orjson

from tradedeck.core.analytics import Events
from tradedeck.core.analytics.encode import events_json
from tradedeck.core.candles import bucket_start

INDICATOR_MEMORY = 25
"""EMA/Wilder weights of a bar decay below 1e-10 after 25 x length bars (e.g. (13/14)^350)."""

PATTERN_WARMUP = 1_000
"""Bars before `start` for studies with open-ended state: the structure trend (BOS vs CHoCH),
the latest unbroken swings and zones (gaps, FVGs, blocks, pools) still open in the window."""


def warmup_bars(canonical: str, params: Mapping[str, Any]) -> int:
    """Bars of history a study needs before the first visible bar to be right there."""
    match canonical:
        case "sma" | "bollinger":
            return int(params["length"])
        case "ema" | "rsi" | "atr":
            return INDICATOR_MEMORY * int(params["length"])
        case "macd":
            return INDICATOR_MEMORY * (int(params["slow"]) + int(params["signal"]))
        case "swings":
            return int(params["length"])
        case "liquidity":
            return PATTERN_WARMUP + INDICATOR_MEMORY * int(params["atr_length"])
        case "previous_hl":
            return 0  # time-based instead: see `period_floor`
        case _:
            return PATTERN_WARMUP + 2 * int(params.get("length", 0))


def period_floor(time: int, period: str) -> int:
    """UTC start of the day, week (Monday) or month holding `time`, as previous_hl counts them."""
    if period == "day":
        return int(bucket_start(time, "1d"))
    if period == "week":
        return int(bucket_start(time, "1w"))
    month = np.datetime64(int(time), "s").astype("datetime64[M]")
    return int(month.astype("datetime64[s]").astype(np.int64))


def cut_values(result: Any, first: int) -> Any:
    """An indicator's arrays (or named tuple of arrays) from bar `first` on."""
    if isinstance(result, np.ndarray):
        return result[first:]
    return result._make(column[first:] for column in result)


def cut_events(events: Events, first: int) -> orjson.Fragment:
    """The encoded records of the events that reach bar `first` or later, indexes counted
    from `first`.

    An event spans from its earliest index to its latest outcome, or to the right edge while an
    outcome (fill, mitigation, sweep ...) is still null; events that ended before the window
    are dropped. Indexes before the window become negative; their `*_time` twins stay exact.
    """
    index_names = [name for name, column in events.columns.items() if column.dtype.kind in "iu"]
    stacked = np.stack([events.columns[name] for name in index_names])
    reach = np.where(stacked < 0, np.iinfo(np.int64).max, stacked).max(axis=0)
    keep = reach >= first
    kept = Events(
        events.study,
        events.params,
        {name: column[keep] for name, column in events.columns.items()},
        events.time,
    )
    return events_json(kept, first)
