"""High and low of the previous completed day, week (from Monday) or month, in UTC.

Periods are those present in the data: the previous period is the last one that has bars
before the current one (a weekend without bars is skipped, not reported as empty).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .candles import to_arrays
from .params import ChoiceParam, resolve

PARAMS = {"period": ChoiceParam("day", ("day", "week", "month"))}

SECONDS_PER_DAY = 86_400
EPOCH_WEEKDAY_OFFSET = 3
"""1970-01-01 was a Thursday: adding 3 days makes weeks start on Monday."""


class PreviousHighLow(NamedTuple):
    """Per bar: previous period's high/low (NaN before one exists) and whether the current
    period's running high/low has gone beyond it (strictly)."""

    previous_high: np.ndarray
    previous_low: np.ndarray
    broken_high: np.ndarray
    broken_low: np.ndarray

    def to_json(self) -> dict[str, list[Any]]:
        missing = np.isnan(self.previous_high)
        return {
            "previous_high": _nullable(self.previous_high, missing),
            "previous_low": _nullable(self.previous_low, missing),
            "broken_high": _nullable(self.broken_high, missing),
            "broken_low": _nullable(self.broken_low, missing),
        }


def _nullable(values: np.ndarray, missing: np.ndarray) -> list[Any]:
    column = values.astype(object)
    column[missing] = None
    return column.tolist()


def period_ids(time: np.ndarray, period: str) -> np.ndarray:
    """A number per bar that is equal within one UTC day, week or month and grows with time."""
    days = time // SECONDS_PER_DAY
    if period == "day":
        return days
    if period == "week":
        return (days + EPOCH_WEEKDAY_OFFSET) // 7
    return time.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)


def previous_hl(candles: Any, period: str = "day") -> PreviousHighLow:
    """Previous period high/low for every bar, with break flags."""
    p = resolve("previous_hl", PARAMS, {"period": period})
    c = to_arrays(candles)
    size = len(c)
    if size == 0:
        return PreviousHighLow(np.zeros(0), np.zeros(0), np.zeros(0, bool), np.zeros(0, bool))
    ids = period_ids(c.time, p["period"])
    new_period = np.ones(size, np.bool_)
    new_period[1:] = ids[1:] != ids[:-1]
    starts = np.flatnonzero(new_period)
    group = np.cumsum(new_period) - 1
    previous = group - 1
    has_previous = previous >= 0
    previous_high = np.where(has_previous, np.maximum.reduceat(c.high, starts)[previous], np.nan)
    previous_low = np.where(has_previous, np.minimum.reduceat(c.low, starts)[previous], np.nan)
    return PreviousHighLow(
        previous_high,
        previous_low,
        _ever_within_period(c.high > previous_high, starts, group),
        _ever_within_period(c.low < previous_low, starts, group),
    )


def _ever_within_period(hits: np.ndarray, starts: np.ndarray, group: np.ndarray) -> np.ndarray:
    """True from the first hit of each period to the period's end."""
    counts = np.cumsum(hits)
    before_period = np.concatenate(([0], counts))[starts][group]
    return counts - before_period > 0
