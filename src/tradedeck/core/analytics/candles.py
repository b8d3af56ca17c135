"""Candle input: one validated, columnar form that every study works on.

Callers hand in a pandas DataFrame, a mapping of arrays, a list of candle dicts (the API's
`data`) or an existing `Candles`; all are checked once here so the studies can trust their input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import AnalyticsInputError

MAX_CANDLES = 200_000
"""Most candles the API accepts in one request (`to_arrays(..., max_rows=MAX_CANDLES)`)."""

PRICE_COLUMNS = ("open", "high", "low", "close")


@dataclass(frozen=True, eq=False)
class Candles:
    """OHLCV columns: `time` as int64 UTC epoch seconds, the rest float64, all one length."""

    time: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __len__(self) -> int:
        return int(self.time.size)

    def slice(self, stop: int) -> Candles:
        """The first `stop` bars, as the series looked when bar `stop - 1` had just closed."""
        return Candles(*(getattr(self, name)[:stop] for name in COLUMNS))


COLUMNS = ("time", "open", "high", "low", "close", "volume")


def to_arrays(candles: Any, max_rows: int | None = None) -> Candles:
    """Validate and convert candles; raise `AnalyticsInputError` naming the first problem found."""
    if isinstance(candles, Candles):
        return candles
    columns = _columns(candles)
    size = len(columns["time"])
    if max_rows is not None and size > max_rows:
        raise AnalyticsInputError(f"too many candles: {size} (limit {max_rows})", "data")
    prices = {name: _numeric(columns, name, size) for name in PRICE_COLUMNS}
    volume = (
        _numeric(columns, "volume", size) if "volume" in columns else np.zeros(size, np.float64)
    )
    bad = np.flatnonzero(prices["high"] < prices["low"])
    if bad.size:
        raise AnalyticsInputError(f"high < low at row {bad[0]}", "high")
    time = _times(columns["time"])
    _check_order(time)
    return Candles(time, prices["open"], prices["high"], prices["low"], prices["close"], volume)


def _columns(candles: Any) -> Mapping[str, Any]:
    """Column-wise view of any accepted input shape."""
    if isinstance(candles, pd.DataFrame):
        frame = candles
        if "time" not in frame.columns and isinstance(frame.index, pd.DatetimeIndex):
            frame = frame.assign(time=frame.index)
        columns: Mapping[str, Any] = {str(name): frame[name].to_numpy() for name in frame.columns}
    elif isinstance(candles, Mapping):
        columns = candles
    elif isinstance(candles, Sequence) and not isinstance(candles, str | bytes):
        columns = _records_to_columns(candles)
    else:
        raise AnalyticsInputError(
            "candles must be a DataFrame, a mapping of arrays or a list of candle objects", "data"
        )
    for name in ("time", *PRICE_COLUMNS):
        if name not in columns:
            raise AnalyticsInputError(f"missing column '{name}'", name)
    return columns


def _records_to_columns(records: Sequence[Any]) -> dict[str, list[Any]]:
    """Turn `[{time, open, ...}, ...]` into columns, rejecting rows that are not objects."""
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    has_volume = True
    for row, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise AnalyticsInputError(f"candle at row {row} is not an object", "data")
        for name in ("time", *PRICE_COLUMNS):
            if name not in record:
                raise AnalyticsInputError(f"candle at row {row} has no '{name}'", name)
            columns[name].append(record[name])
        has_volume = has_volume and "volume" in record
        columns["volume"].append(record.get("volume"))
    if not has_volume:
        del columns["volume"]
    return columns


def _numeric(columns: Mapping[str, Any], name: str, size: int) -> np.ndarray:
    """A finite float64 column of the expected length."""
    raw = columns[name]
    if len(raw) != size:
        raise AnalyticsInputError(f"column '{name}' has {len(raw)} rows, time has {size}", name)
    try:
        array = np.asarray(raw)
    except ValueError:  # ragged nested lists
        raise AnalyticsInputError(f"'{name}' must be a list of numbers", name) from None
    if array.ndim != 1:
        raise AnalyticsInputError(f"'{name}' must be a list of numbers", name)
    items = array.tolist() if array.dtype.kind == "O" else raw
    if array.dtype.kind == "b" or (
        not isinstance(items, np.ndarray) and any(isinstance(v, bool) for v in items)
    ):
        raise AnalyticsInputError(f"'{name}' must be numeric, not boolean", name)
    try:
        values = array.astype(np.float64)
    except (TypeError, ValueError):
        raise AnalyticsInputError(f"'{name}' must be numeric", name) from None
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise AnalyticsInputError(f"'{name}' is NaN, null or infinite at row {bad[0]}", name)
    return values.reshape(size)


def _times(raw: Any) -> np.ndarray:
    """Epoch seconds from epoch numbers, ISO-8601 strings or datetimes (naive means UTC)."""
    try:
        array = np.asarray(raw)
    except ValueError:  # ragged nested lists
        raise AnalyticsInputError("'time' must be a list of times", "time") from None
    if array.ndim != 1:
        raise AnalyticsInputError("'time' must be a list of times", "time")
    if array.size == 0:
        return np.zeros(0, np.int64)
    if array.dtype.kind in "iuf":
        return _epoch_numbers(array)
    if array.dtype.kind == "M":
        return _datetimes_to_epoch(pd.DatetimeIndex(array))
    values = array.tolist()
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return _epoch_numbers(np.asarray(values, dtype=np.float64))
    if not all(isinstance(v, str) for v in values):
        row = next(i for i, v in enumerate(values) if not isinstance(v, str))
        raise AnalyticsInputError(
            f"'time' at row {row} must be an ISO-8601 string or epoch seconds", "time"
        )
    try:
        parsed = pd.to_datetime(pd.Series(values), utc=True, format="ISO8601")
    except (ValueError, TypeError) as error:
        raise AnalyticsInputError(f"'time' is not ISO-8601: {error}", "time") from None
    return _datetimes_to_epoch(pd.DatetimeIndex(parsed))


def _epoch_numbers(array: np.ndarray) -> np.ndarray:
    values = array.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(values) | (values != np.floor(values)))
    if bad.size:
        raise AnalyticsInputError(
            f"'time' at row {bad[0]} must be whole epoch seconds or an ISO-8601 string", "time"
        )
    return values.astype(np.int64)


def _datetimes_to_epoch(index: pd.DatetimeIndex) -> np.ndarray:
    if index.hasnans:
        row = int(np.flatnonzero(index.isna())[0])
        raise AnalyticsInputError(f"'time' is missing at row {row}", "time")
    if index.tz is None:
        index = index.tz_localize("UTC")
    nanoseconds = index.as_unit("ns").asi8
    return nanoseconds // 1_000_000_000


def _check_order(time: np.ndarray) -> None:
    steps = np.diff(time)
    duplicate = np.flatnonzero(steps == 0)
    unsorted = np.flatnonzero(steps < 0)
    if unsorted.size and (not duplicate.size or unsorted[0] < duplicate[0]):
        raise AnalyticsInputError(f"times are not sorted at row {unsorted[0] + 1}", "time")
    if duplicate.size:
        raise AnalyticsInputError(f"duplicate time at row {duplicate[0] + 1}", "time")
