"""OHLCV arrays, interval arithmetic, resampling and the forming-candle updater.

Everything works on whole NumPy arrays: charts, analytics and the price engine handle
tens of thousands of candles or instruments at once, so no function loops over rows.
Times are UTC epoch seconds of a candle's *open*; buckets are aligned to the epoch
(weeks to Monday 00:00 UTC) so that every interval nests inside the larger ones and
resampling in steps gives the same result as resampling directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

INTERVALS: dict[str, int] = {
    "1m": 60,
    "5m": 300,
    "15m": 900,
    "30m": 1_800,
    "1h": 3_600,
    "4h": 14_400,
    "1d": 86_400,
    "1w": 604_800,
}
# 1970-01-01 was a Thursday; the first Monday is 1970-01-05, four days later.
_WEEK_OFFSET = 4 * 86_400


class IntervalError(ValueError):
    """An interval string that TradeDeck does not support."""


def interval_seconds(interval: str) -> int:
    """Length of `interval` ("1m" ... "1w") in seconds; raises IntervalError naming the choices."""
    try:
        return INTERVALS[interval.strip()]
    except (KeyError, AttributeError):
        choices = ", ".join(INTERVALS)
        raise IntervalError(f"unknown interval {interval!r}; expected one of {choices}") from None


def _offset(seconds: int) -> int:
    return _WEEK_OFFSET if seconds == INTERVALS["1w"] else 0


def bucket_start(times: np.ndarray | int, interval: str) -> np.ndarray:
    """Open time of the `interval` bucket holding each epoch-second time."""
    seconds = interval_seconds(interval)
    offset = _offset(seconds)
    t = np.asarray(times, dtype=np.int64)
    return (t - offset) // seconds * seconds + offset


@dataclass(frozen=True, slots=True)
class OHLCV:
    """Columns of candles sorted by open time (int64 epoch s) with float64 prices/volume."""

    time: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.time)
        if any(len(col) != n for col in self.columns()[1:]):
            raise ValueError("OHLCV columns must all have the same length")

    @classmethod
    def from_columns(
        cls,
        time: Sequence | np.ndarray,
        open: Sequence | np.ndarray,
        high: Sequence | np.ndarray,
        low: Sequence | np.ndarray,
        close: Sequence | np.ndarray,
        volume: Sequence | np.ndarray,
    ) -> OHLCV:
        """Build from any sequences, coercing dtypes (int64 time, float64 values)."""
        f = np.float64
        return cls(
            np.asarray(time, dtype=np.int64),
            np.asarray(open, dtype=f),
            np.asarray(high, dtype=f),
            np.asarray(low, dtype=f),
            np.asarray(close, dtype=f),
            np.asarray(volume, dtype=f),
        )

    @classmethod
    def empty(cls) -> OHLCV:
        return cls.from_columns([], [], [], [], [], [])

    def __len__(self) -> int:
        return len(self.time)

    def columns(self) -> tuple[np.ndarray, ...]:
        return (self.time, self.open, self.high, self.low, self.close, self.volume)

    def records(self) -> list[dict[str, float]]:
        """`[{time, open, high, low, close, volume}]` as the API and Lightweight Charts want.

        Built from `tolist()` columns with a literal dict per row: about 6x faster than
        formatting the numbers as text, and it leaves float formatting to the JSON encoder.
        """
        return [
            {"time": t, "open": o, "high": h, "low": lo, "close": c, "volume": v}
            for t, o, h, lo, c, v in zip(*(col.tolist() for col in self.columns()), strict=True)
        ]

    def take(self, index: np.ndarray | slice) -> OHLCV:
        """Rows selected by a slice, boolean mask or index array."""
        return OHLCV(*(col[index] for col in self.columns()))

    def between(self, start: int, end: int) -> OHLCV:
        """Candles whose open time lies in the half-open range [start, end)."""
        lo, hi = np.searchsorted(self.time, [start, end], side="left")
        return self.take(slice(lo, hi))

    def normalized(self) -> OHLCV:
        """Sorted by time with duplicate times removed (the last occurrence wins)."""
        order = np.argsort(self.time, kind="stable")
        t = self.time[order]
        keep = np.ones(len(t), dtype=bool)
        keep[:-1] = t[1:] != t[:-1]
        return self.take(order[keep])

    @classmethod
    def concat(cls, parts: Iterable[OHLCV]) -> OHLCV:
        """Join chunks (e.g. fetched pages) into one normalized series."""
        parts = list(parts)
        if not parts:
            return cls.empty()
        return cls(
            *(np.concatenate(cols) for cols in zip(*(p.columns() for p in parts), strict=True))
        ).normalized()


def resample(candles: OHLCV, interval: str) -> OHLCV:
    """Aggregate sorted candles into `interval` buckets (open first, close last, sums, extremes).

    The source interval must divide the target one (e.g. 1m → 15m, 4h → 1d); a partial
    bucket at either end is aggregated from whatever source candles it holds.
    """
    if len(candles) == 0:
        return OHLCV.empty()
    if np.any(np.diff(candles.time) <= 0):
        raise ValueError("candles must be sorted by time without duplicates")
    buckets = bucket_start(candles.time, interval)
    return OHLCV(*aggregate_buckets(buckets, *candles.columns()[1:]))


def aggregate_buckets(
    buckets: np.ndarray,
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """One bar per run of equal, sorted, non-empty `buckets`: first open, highest high,
    lowest low, last close, summed volume (shared by the store and the analytics resampler)."""
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
    ends = np.r_[starts[1:], len(buckets)] - 1
    return (
        buckets[starts],
        open_[starts],
        np.maximum.reduceat(high, starts),
        np.minimum.reduceat(low, starts),
        close[ends],
        np.add.reduceat(volume, starts),
    )


@dataclass(frozen=True, slots=True)
class ClosedCandles:
    """Candles of one interval that a tick completed, for the instruments in `instrument`."""

    interval: str
    instrument: np.ndarray
    candles: OHLCV


class FormingCandles:
    """The current (still forming) candle of each interval for N instruments.

    `apply` folds one tick per instrument into every interval at once and returns the
    candles that the tick closed. A tick whose time is not after the instrument's last
    applied tick is ignored, so replaying ticks after a restart never double-counts.
    """

    def __init__(self, n_instruments: int, intervals: Sequence[str] = tuple(INTERVALS)) -> None:
        self.intervals = tuple(intervals)
        secs = np.array([interval_seconds(i) for i in self.intervals], dtype=np.int64)
        self._seconds = secs[:, None]
        self._offsets = np.array([_offset(int(s)) for s in secs], dtype=np.int64)[:, None]
        shape = (len(self.intervals), n_instruments)
        self.start = np.full(shape, -1, dtype=np.int64)
        self.open = np.full(shape, np.nan)
        self.high = np.full(shape, np.nan)
        self.low = np.full(shape, np.nan)
        self.close = np.full(shape, np.nan)
        self.volume = np.zeros(shape)
        self.last_time = np.full(n_instruments, np.iinfo(np.int64).min, dtype=np.int64)

    @property
    def n_instruments(self) -> int:
        return self.last_time.shape[0]

    def apply(
        self,
        time: int | np.ndarray,
        price: np.ndarray,
        volume: float | np.ndarray = 0.0,
        active: np.ndarray | None = None,
    ) -> list[ClosedCandles]:
        """Fold a tick (one price per instrument) into the forming candles.

        `time` is epoch seconds (scalar or per instrument), `active` masks instruments
        that did not tick. Returns the closed candles per interval (empty ones omitted).
        """
        n = self.n_instruments
        t = np.broadcast_to(np.asarray(time, dtype=np.int64), (n,))
        p = np.asarray(price, dtype=np.float64)
        v = np.broadcast_to(np.asarray(volume, dtype=np.float64), (n,))
        accept = (t > self.last_time) & np.isfinite(p)
        if active is not None:
            accept &= active
        bucket = (t - self._offsets) // self._seconds * self._seconds + self._offsets
        roll = accept & (bucket != self.start)
        closed = self._closed(roll & (self.start >= 0))
        keep = accept & ~roll
        self.open = np.where(roll, p, self.open)
        self.high = np.where(roll, p, np.where(keep, np.maximum(self.high, p), self.high))
        self.low = np.where(roll, p, np.where(keep, np.minimum(self.low, p), self.low))
        self.close = np.where(accept, p, self.close)
        self.volume = np.where(roll, v, np.where(keep, self.volume + v, self.volume))
        self.start = np.where(roll, bucket, self.start)
        self.last_time = np.where(accept, t, self.last_time)
        return closed

    def _closed(self, emit: np.ndarray) -> list[ClosedCandles]:
        out = []
        for row, interval in enumerate(self.intervals):
            idx = np.flatnonzero(emit[row])
            if idx.size:
                candles = OHLCV(
                    self.start[row, idx],
                    self.open[row, idx],
                    self.high[row, idx],
                    self.low[row, idx],
                    self.close[row, idx],
                    self.volume[row, idx],
                )
                out.append(ClosedCandles(interval, idx, candles))
        return out

    def current(self, interval: str) -> OHLCV:
        """Snapshot of every instrument's forming candle (start -1 = none yet)."""
        row = self.intervals.index(interval)
        return OHLCV(
            self.start[row].copy(),
            self.open[row].copy(),
            self.high[row].copy(),
            self.low[row].copy(),
            self.close[row].copy(),
            self.volume[row].copy(),
        )

    def restore(self, interval: str, instrument: np.ndarray, candle: OHLCV, last_time: int) -> None:
        """Reload stored forming candles after a restart so later ticks extend them."""
        row = self.intervals.index(interval)
        idx = np.asarray(instrument, dtype=np.intp)
        self.start[row, idx] = candle.time
        self.open[row, idx] = candle.open
        self.high[row, idx] = candle.high
        self.low[row, idx] = candle.low
        self.close[row, idx] = candle.close
        self.volume[row, idx] = candle.volume
        self.last_time[idx] = np.maximum(self.last_time[idx], last_time)
