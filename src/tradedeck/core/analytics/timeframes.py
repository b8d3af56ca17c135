"""Higher-timeframe studies on a lower-timeframe chart, without look-ahead.

A higher bar's facts are usable on the lower chart only from the first lower bar whose close
time is at or after the higher bar's close. Event positions (`index`, `second_index`,
`swing_index`) map to the lower bar where their higher bar opens; every other `*_index`
(confirmation and outcomes) maps to the lower bar where it becomes usable. Events not yet
usable within the lower series are left out; outcomes not yet usable become null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from tradedeck.core.candles import aggregate_buckets

from .candles import Candles, to_arrays
from .errors import AnalyticsInputError
from .events import Events, make_events
from .registry import run_study

POSITION_FIELDS = ("index", "second_index", "swing_index")


def resample(candles: Any, seconds: int, offset: int = 0) -> Candles:
    """OHLCV bars of `seconds` starting at `offset` + k·seconds (UTC epoch): first open,
    highest high, lowest low, last close, summed volume; empty buckets produce no bar."""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
        raise AnalyticsInputError("seconds must be a positive whole number", "seconds")
    c = to_arrays(candles)
    if len(c) == 0:
        return c
    bucket = (c.time - offset) // seconds * seconds + offset
    return Candles(*aggregate_buckets(bucket, c.open, c.high, c.low, c.close, c.volume))


def on_higher_timeframe(
    candles: Any,
    study: str,
    seconds: int,
    params: Mapping[str, Any] | None = None,
    lower_seconds: int | None = None,
    offset: int = 0,
) -> Any:
    """Run `study` on `candles` resampled to `seconds` and map the result onto `candles`.

    Events come back as `Events` over the lower series; indicator values as arrays (or named
    tuples of arrays) with one value per lower bar: the value of the last closed higher bar.
    `lower_seconds` (the lower bars' duration) defaults to the smallest step between them.
    """
    lower = to_arrays(candles)
    higher = resample(lower, seconds, offset)
    _, used, result = run_study(higher, study, params or {})
    lower_close = lower.time + _lower_duration(lower, lower_seconds)
    higher_close = higher.time + seconds
    if isinstance(result, Events):
        return _map_events(result, used, lower, lower_close, higher_close)
    last_closed = np.searchsorted(higher_close, lower_close, side="right") - 1
    if isinstance(result, np.ndarray):
        return _take(result, last_closed)
    return type(result)(*(_take(column, last_closed) for column in result))


def _lower_duration(lower: Candles, lower_seconds: int | None) -> int:
    if lower_seconds is not None:
        if isinstance(lower_seconds, bool) or not isinstance(lower_seconds, int):
            raise AnalyticsInputError("lower_seconds must be a whole number", "lower_seconds")
        if lower_seconds <= 0:
            raise AnalyticsInputError("lower_seconds must be positive", "lower_seconds")
        return lower_seconds
    if len(lower) < 2:
        raise AnalyticsInputError("lower_seconds is needed with fewer than 2 bars", "lower_seconds")
    return int(np.diff(lower.time).min())


def _take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    missing_value = np.nan if values.dtype.kind == "f" else False
    taken = values[np.maximum(rows, 0)] if values.size else np.zeros(rows.size, values.dtype)
    return np.where(rows >= 0, taken, missing_value)


def _map_events(
    events: Events,
    params: dict[str, Any],
    lower: Candles,
    lower_close: np.ndarray,
    higher_close: np.ndarray,
) -> Events:
    higher_open = events.time
    usable = np.append(np.searchsorted(lower_close, higher_close, side="left"), len(lower))
    opening = np.searchsorted(lower.time, higher_open, side="left")
    columns: dict[str, np.ndarray] = {}
    for name, column in events.columns.items():
        if column.dtype.kind not in "iu":
            columns[name] = column
            continue
        safe = np.where(column >= 0, column, usable.size - 1)
        mapped = (
            opening[np.minimum(safe, opening.size - 1)]
            if name in POSITION_FIELDS
            else (usable[safe])
        )
        columns[name] = np.where((column >= 0) & (mapped < len(lower)), mapped, -1)
    known = columns["confirmed_index"] >= 0
    kept = {name: column[known] for name, column in columns.items()}
    return make_events(events.study, params, lower.time, kept)
