"""Candle coverage per instrument and interval: count, first/last, and the gaps.

A gap is a run of missing candles in which the venue was open: SQL finds the holes between
consecutive stored candles (`LAG` over the candle key's index), and only the buckets of a
hole that overlap a scheduled session of the venue count (`venues.schedule.open_windows`;
24/7 venues: all of them), so nights, weekends and holidays of SIM are no gaps. For a
simulated instrument the stretch from its newest candle to the current (forming) bucket is
checked too: the engine should have written it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import func, select

from tradedeck.core.candles import INTERVALS, bucket_start, interval_seconds
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Candle, Instrument
from tradedeck.market.providers.base import epoch_seconds, from_epoch
from tradedeck.venues import schedule

MAX_LISTED_GAPS = 50


@dataclass(frozen=True)
class Gap:
    """Missing candles opening in [start, end) (epoch s), `missing` of them."""

    start: int
    end: int
    missing: int

    def to_json(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end, "missing": self.missing}


@dataclass(frozen=True)
class Coverage:
    interval: str
    count: int
    first: int | None
    last: int | None
    gaps: list[Gap] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(g.missing for g in self.gaps)

    def to_json(self) -> dict[str, object]:
        return {
            "interval": self.interval,
            "count": self.count,
            "first": self.first,
            "last": self.last,
            "gap_count": len(self.gaps),
            "missing": self.missing,
            "gaps": [g.to_json() for g in self.gaps[:MAX_LISTED_GAPS]],
        }


def parse_interval(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if text not in INTERVALS:
        raise DomainError(
            f"interval must be one of {', '.join(INTERVALS)}", field="interval", code="invalid"
        )
    return text


def summaries(instrument_id: int) -> dict[str, tuple[int, int | None, int | None]]:
    """(count, first, last) of every interval the instrument has candles of: one GROUP BY."""
    rows = db.session.execute(
        select(
            Candle.interval,
            func.count(),
            func.min(Candle.open_time),
            func.max(Candle.open_time),
        )
        .where(Candle.instrument_id == instrument_id)
        .group_by(Candle.interval)
    ).all()
    return {interval: (count, first, last) for interval, count, first, last in rows}


def holes(instrument_id: int, interval: str) -> list[tuple[int, int]]:
    """[start, end) between consecutive stored candles that are more than one bucket apart."""
    seconds = interval_seconds(interval)
    ordered = select(
        Candle.open_time.label("t"),
        func.lag(Candle.open_time).over(order_by=Candle.open_time).label("prev"),
    ).where(Candle.instrument_id == instrument_id, Candle.interval == interval)
    inner = ordered.subquery()
    rows = db.session.execute(
        select(inner.c.prev, inner.c.t).where(inner.c.t - inner.c.prev > seconds)
    ).all()
    return [(int(prev) + seconds, int(t)) for prev, t in rows]


def open_buckets(windows: list[tuple[int, int]], start: int, end: int, interval: str) -> np.ndarray:
    """Open times of the `interval` buckets in [start, end) that overlap any window."""
    seconds = interval_seconds(interval)
    found = []
    for w0, w1 in windows:
        a, b = max(w0, start), min(w1, end)
        if b <= a:
            continue
        first = int(bucket_start(a, interval))
        last = int(bucket_start(b - 1, interval))
        found.append(np.arange(first, last + seconds, seconds, dtype=np.int64))
    if not found:
        return np.empty(0, dtype=np.int64)
    buckets = np.unique(np.concatenate(found))
    return buckets[(buckets >= start) & (buckets < end)]


def find_gaps(instrument: Instrument, interval: str, now: datetime | None = None) -> list[Gap]:
    """Every gap of the instrument's `interval` candles, oldest first."""
    seconds = interval_seconds(interval)
    spans = holes(instrument.id, interval)
    if instrument.venue.kind == "simulated":
        last = db.session.scalar(
            select(func.max(Candle.open_time)).where(
                Candle.instrument_id == instrument.id, Candle.interval == interval
            )
        )
        forming = int(bucket_start(epoch_seconds(now or utcnow()), interval))
        if last is not None and int(last) + seconds < forming:
            spans.append((int(last) + seconds, forming))
    if not spans:
        return []
    lo, hi = min(start for start, _ in spans), max(end for _, end in spans)
    windows = [
        (epoch_seconds(a), epoch_seconds(b))
        for a, b in schedule.open_windows(instrument.venue, from_epoch(lo), from_epoch(hi))
    ]
    gaps = []
    for start, end in spans:
        buckets = open_buckets(windows, start, end, interval)
        if not len(buckets):
            continue
        # Split the missing buckets into runs of consecutive ones: each run is one gap.
        breaks = np.flatnonzero(np.diff(buckets) != seconds) + 1
        for run in np.split(buckets, breaks):
            gaps.append(Gap(int(run[0]), int(run[-1]) + seconds, len(run)))
    return gaps


def coverage(instrument: Instrument, now: datetime | None = None) -> list[Coverage]:
    """Coverage of every interval (in INTERVALS order), gaps included."""
    known = summaries(instrument.id)
    result = []
    for interval in INTERVALS:
        count, first, last = known.get(interval, (0, None, None))
        gaps = find_gaps(instrument, interval, now) if count else []
        result.append(Coverage(interval, count, first, last, gaps))
    return result
