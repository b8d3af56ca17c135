"""The pattern scanner: on each candle close, detect patterns of every watched series.

Simulated venues: `on_ticks` (a `market.tick` receiver in the engine's process) notices that
a watched instrument's forming candle moved to a new bucket, i.e. one closed, and scans that
series at once. Exchange and Yahoo venues: `scan_remote` (a singleton loop task) finds the
series whose next candle has closed, fetches what the store lacks with one shared provider
per venue, then scans them.

A scan reads the latest SCAN_BARS closed candles, never the forming one. Patterns confirmed
on a bar scanned before are not inserted again (ScanState), the unique (instrument, interval,
key) with ON CONFLICT DO NOTHING makes racing scanners and restarts harmless, and the
statuses of stored active patterns move forward only (active -> terminal).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from tradedeck.core.analytics import Candles
from tradedeck.core.candles import OHLCV, bucket_start, interval_seconds
from tradedeck.core.patterns import EXPIRY_BARS, STATUSES, Patterns, detect, pattern_key
from tradedeck.extensions import db, events
from tradedeck.market import store
from tradedeck.market.models import Instrument
from tradedeck.market.quotes import LOCAL_KINDS
from tradedeck.market.sources import shared_provider
from tradedeck.signals.models import Pattern, ScanState
from tradedeck.signals.services import price, watched_pairs

log = logging.getLogger(__name__)
SCAN_BARS = 500
FORMING_KEY = "tradedeck.signals.forming"
LABELS = {
    "fvg": "FVG",
    "order_block": "Order block",
    "liquidity_sweep": "Liquidity sweep",
    "bos": "BOS",
    "choch": "CHoCH",
}
patterns_found = events.signal("signals.patterns_found")
"""Sent after commit with `patterns=[Pattern]` newly stored (alerts and confluence listen)."""


@dataclass(frozen=True)
class ScanResult:
    """`new`: every pattern stored by the scan; `fresh`: those announced to alerts and
    confluence (a series' first scan stores the zones still active in its history but
    announces only what its last bar confirmed, so a new watchlist is no flood of alerts)."""

    scanned: int
    new: list[Pattern]
    fresh: list[Pattern] = field(default_factory=list)


def as_candles(series: OHLCV) -> Candles:
    """Stored candles as the analytics engine's arrays (already ordered and valid)."""
    return Candles(series.time, series.open, series.high, series.low, series.close, series.volume)


def dialect_insert() -> Any:
    """The INSERT construct with ON CONFLICT of the session's database."""
    dialect = db.session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def scan_series(
    instrument: Instrument, interval: str, now: float | None = None
) -> tuple[list[Pattern], list[Pattern]]:
    """Scan one series up to its last closed candle: (patterns stored now, those of them to
    announce; see ScanResult). The caller commits. Nothing happens when no candle closed
    since the last scan."""
    now = time.time() if now is None else now
    forming = int(bucket_start(int(now), interval))
    candles = store.read_candles(instrument.id, interval, 0, forming, SCAN_BARS)
    if len(candles) < 3:
        return [], []
    last_time = int(candles.time[-1])
    state = db.session.get(ScanState, (instrument.id, interval))
    if state is not None and state.last_bar_time >= last_time:
        return [], []
    found = detect(as_candles(candles), interval)
    since = state.last_bar_time if state is not None else None
    new = _store_new(instrument.id, interval, found, since)
    _advance(instrument.id, interval, found, last_time)
    if state is None:
        state = ScanState(instrument_id=instrument.id, interval=interval)
        db.session.add(state)
    state.last_bar_time = last_time
    db.session.flush()
    fresh = new if since is not None else [p for p in new if p.confirmed_time == last_time]
    return new, fresh


def _store_new(
    instrument_id: int, interval: str, found: Patterns, since: int | None
) -> list[Pattern]:
    """Insert patterns confirmed after `since` (first scan: those still active)."""
    confirmed_time = found.time[found.confirmed_index] if len(found) else np.zeros(0, np.int64)
    first_scan = found.status == STATUSES.index("active")
    mask = first_scan if since is None else confirmed_time > since
    records = found.records(mask)
    if not records:
        return []
    now = datetime.now(UTC)
    rows = [
        {
            "instrument_id": instrument_id,
            "interval": interval,
            "key": pattern_key(r),
            "kind": r["kind"],
            "direction": r["direction"],
            "bar_time": r["time"],
            "confirmed_time": r["confirmed_time"],
            "top": price(r["top"]),
            "bottom": price(r["bottom"]),
            "entry": price(r["entry"]),
            "stop": price(r["stop"]),
            "target": price(r["target"]),
            "atr": price(r["atr"]),
            "status": r["status"],
            "status_time": r["status_time"],
            "detected_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for r in records
    ]
    stmt = (
        dialect_insert()(Pattern.__table__)
        .on_conflict_do_nothing(index_elements=["instrument_id", "interval", "key"])
        .returning(Pattern.__table__.c.id)
    )
    ids = [db.session.execute(stmt, row).scalar() for row in rows]
    inserted = [i for i in ids if i is not None]
    if not inserted:
        return []
    return list(db.session.scalars(select(Pattern).where(Pattern.id.in_(inserted))))


def _advance(instrument_id: int, interval: str, found: Patterns, last_time: int) -> None:
    """Move stored active patterns to what the bars say now; time out those past their budget
    even when they fell out of the scanned window."""
    active = list(
        db.session.scalars(
            select(Pattern).where(
                Pattern.instrument_id == instrument_id,
                Pattern.interval == interval,
                Pattern.status == "active",
            )
        )
    )
    if not active:
        return
    now_status = {
        pattern_key(r): r for r in found.records(found.status != STATUSES.index("active"))
    }
    budget = EXPIRY_BARS.get(interval, 100) * interval_seconds(interval)
    for pattern in active:
        record = now_status.get(pattern.key)
        if record is not None:
            pattern.status = record["status"]
            pattern.status_time = record["status_time"]
        elif pattern.confirmed_time + budget <= last_time:
            pattern.status = "expired"
            pattern.status_time = pattern.confirmed_time + budget


def _announce(new: list[Pattern]) -> None:
    if new:
        patterns_found.send(current_app._get_current_object(), patterns=new)  # type: ignore[attr-defined]


def scan_many(pairs: Iterable[tuple[Instrument, str]], now: float | None = None) -> ScanResult:
    """Scan each series (one failing series is logged and skipped), commit, announce."""
    new: list[Pattern] = []
    fresh: list[Pattern] = []
    scanned = 0
    for instrument, interval in pairs:
        try:
            with db.session.begin_nested():
                stored, announced = scan_series(instrument, interval, now)
            new += stored
            fresh += announced
            scanned += 1
        except Exception:
            log.exception("scan of %s %s failed", instrument.symbol, interval)
    db.session.commit()
    _announce(fresh)
    return ScanResult(scanned, new, fresh)


def _instruments(ids: Iterable[int]) -> dict[int, Instrument]:
    wanted = list(ids)
    if not wanted:
        return {}
    return {
        i.id: i for i in db.session.scalars(select(Instrument).where(Instrument.id.in_(wanted)))
    }


def on_ticks(app: Flask, ticks: list[Any]) -> None:
    """`market.tick` receiver: scan watched series whose candle closed with this tick."""
    pairs = watched_pairs()
    if not pairs:
        return
    seen: dict[tuple[int, str], int] = app.extensions.setdefault(FORMING_KEY, {})
    due: list[tuple[int, str]] = []
    for tick in ticks:
        for interval in pairs.get(tick.instrument_id, ()):
            candle = tick.candles.get(interval)
            if candle is None:
                continue
            key = (tick.instrument_id, interval)
            if seen.get(key) != candle["time"]:
                seen[key] = candle["time"]
                due.append(key)
    if due:
        instruments = _instruments({i for i, _ in due})
        scan_many(((instruments[i], iv) for i, iv in due if i in instruments), ticks[0].time)


def due_remote(now: float) -> dict[str, list[tuple[Instrument, str]]]:
    """Watched series of polled venues whose next candle has closed, grouped by venue."""
    pairs = watched_pairs()
    instruments = _instruments(pairs)
    states = (
        {
            (s.instrument_id, s.interval): s.last_bar_time
            for s in db.session.scalars(
                select(ScanState).where(ScanState.instrument_id.in_(list(pairs)))
            )
        }
        if pairs
        else {}
    )
    by_venue: dict[str, list[tuple[Instrument, str]]] = defaultdict(list)
    for instrument_id, intervals in pairs.items():
        instrument = instruments.get(instrument_id)
        if instrument is None or instrument.venue.kind in LOCAL_KINDS:
            continue
        for interval in sorted(intervals):
            last_closed = int(bucket_start(int(now), interval)) - interval_seconds(interval)
            if states.get((instrument_id, interval), -1) < last_closed:
                by_venue[instrument.venue.code].append((instrument, interval))
    return by_venue


def fetch_series(venue: str, series: list[tuple[Instrument, str]], now: float) -> int:
    """One pass over a venue with its one shared provider: fetch only the spans the store
    lacks for the scan window of each series. Returns candles stored."""
    provider = shared_provider(venue)
    stored = 0
    when = datetime.fromtimestamp(now, UTC)
    for instrument, interval in series:
        seconds = interval_seconds(interval)
        end = int(bucket_start(int(now), interval))
        try:
            stored += store.ensure_range(
                instrument, interval, end - SCAN_BARS * seconds, end, provider, when
            )
        except Exception:  # a provider failure skips the series until the next pass
            log.exception("fetch of %s %s from %s failed", instrument.symbol, interval, venue)
            db.session.rollback()
    return stored


def scan_remote(now: float | None = None) -> ScanResult:
    """Loop task (singleton): fetch and scan the polled venues' series with a closed candle."""
    now = time.time() if now is None else now
    result = ScanResult(0, [])
    for venue, series in due_remote(now).items():
        fetch_series(venue, series, now)
        part = scan_many(series, now)
        result = ScanResult(
            result.scanned + part.scanned, result.new + part.new, result.fresh + part.fresh
        )
    return result


def _user_series(user_id: int) -> list[tuple[Instrument, str]]:
    pairs = watched_pairs(user_id)
    instruments = _instruments(pairs)
    return [
        (instruments[i], interval)
        for i, intervals in pairs.items()
        if i in instruments
        for interval in sorted(intervals)
    ]


def scan_user(user_id: int, now: float | None = None) -> ScanResult:
    """`POST /api/v1/scan`: scan every series of the user's watchlists from the store now."""
    return scan_many(_user_series(user_id), now)


def fetch_user(user_id: int, now: float | None = None) -> int:
    """`POST /api/v1/fetch`: bring the polled venues' watched series up to date (candles
    stored); simulated and imported series are always current."""
    now = time.time() if now is None else now
    remote: dict[str, list[tuple[Instrument, str]]] = defaultdict(list)
    for instrument, interval in _user_series(user_id):
        if instrument.venue.kind not in LOCAL_KINDS:
            remote[instrument.venue.code].append((instrument, interval))
    return sum(fetch_series(venue, items, now) for venue, items in remote.items())


def kind_label(kind: str) -> str:
    """How the pages and notifications name a pattern kind."""
    return LABELS.get(kind, kind)
