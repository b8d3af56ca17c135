"""The scanner: only confirmed events become patterns (bar-by-bar replay), idempotent storage,
status moving forward, the engine's candle closes and the polled venues' schedule."""

from __future__ import annotations

import numpy as np
from flask import Flask
from sqlalchemy import func, select

from tests.charts.factories import random_walk, seed_instrument
from tests.signals.helpers import NOW
from tradedeck.core.analytics import to_arrays
from tradedeck.core.candles import OHLCV, interval_seconds
from tradedeck.core.patterns import STATUSES, detect, pattern_key
from tradedeck.extensions import db
from tradedeck.market.engine import TickEvent
from tradedeck.market.models import Instrument
from tradedeck.market.store import upsert_candles
from tradedeck.signals import scanner, services
from tradedeck.signals.models import Pattern, ScanState

STEP = interval_seconds("15m")


def _instrument(symbol: str = "ACME") -> Instrument:
    return db.session.scalars(select(Instrument).where(Instrument.symbol == symbol)).one()


def _watch(user_id: int, timeframes: list[str]) -> None:
    services.create_watchlist(user_id, "W", timeframes, ["ACME"])


def _count() -> int:
    return db.session.scalar(select(func.count(Pattern.id))) or 0


def test_replay_bar_by_bar_never_reports_a_pattern_before_its_confirmed_bar(
    app: Flask, user
) -> None:
    """Bars arrive one at a time; each scan may only add patterns confirmed on the bar that
    just closed, and the stored set is what the full series confirms after the first scan."""
    n = 260
    series = random_walk(n, NOW, "15m", seed=11)
    seed_instrument(app, "ACME", intervals=(), n=1, end=NOW)
    with app.app_context():
        instrument = _instrument()
        _watch(user.id, ["15m"])
        first_scan_bar = 30
        for i in range(n - 1):
            bar = OHLCV(*(np.asarray(getattr(series, c)[i : i + 1]) for c in OHLCV.__slots__))
            upsert_candles(instrument.id, "15m", bar)
            db.session.commit()
            if i < first_scan_bar:
                continue
            # Bar i closes when the next one starts to form.
            new = scanner.scan_many([(instrument, "15m")], now=int(series.time[i]) + STEP).new
            if i > first_scan_bar:
                assert {p.confirmed_time for p in new} <= {int(series.time[i])}, i
        stored = {p.key: p for p in db.session.scalars(select(Pattern))}
    closed = to_arrays({c: getattr(series, c)[: n - 1] for c in OHLCV.__slots__})
    full = detect(closed, "15m")
    cutoff = int(series.time[first_scan_bar])
    expected = {pattern_key(r) for r in full.records() if r["confirmed_time"] > cutoff}
    assert expected and expected <= set(stored)
    extra = set(stored) - expected  # stored by the first scan: active at bar 30
    assert all(stored[k].confirmed_time <= cutoff for k in extra)
    levels = {pattern_key(r): r for r in full.records()}
    for key in expected:
        assert float(stored[key].top) == round(levels[key]["top"], 8)
        assert stored[key].confirmed_time == levels[key]["confirmed_time"]


def test_detect_on_every_prefix_matches_the_full_series() -> None:
    """The pure detector: a pattern first appears on a prefix ending at its confirmed bar,
    with the same zone it has on the full series."""
    series = random_walk(240, NOW, "1h", seed=5)
    c = to_arrays({col: getattr(series, col) for col in OHLCV.__slots__})
    first: dict[str, tuple[int, dict]] = {}
    for end in range(1, len(c) + 1):
        for r in detect(c.slice(end), "1h").records():
            first.setdefault(pattern_key(r), (end - 1, r))
    full = {pattern_key(r): r for r in detect(c, "1h").records()}
    assert set(first) == set(full) and len(full) > 20
    for key, (bar, seen) in first.items():
        assert bar == full[key]["confirmed_index"], key
        assert (seen["top"], seen["bottom"], seen["entry"]) == (
            full[key]["top"],
            full[key]["bottom"],
            full[key]["entry"],
        )


def test_scans_are_idempotent_across_restarts(app: Flask, user, acme) -> None:
    with app.app_context():
        _watch(user.id, ["15m", "1h"])
        instrument = _instrument()
        pairs = [(instrument, "15m"), (instrument, "1h")]
        first = scanner.scan_many(pairs, now=NOW)
        assert first.scanned == 2 and first.new and _count() == len(first.new)
        assert all(p.status == "active" for p in first.new)
        assert scanner.scan_many(pairs, now=NOW).new == []  # no candle closed since
        # A restart that lost its progress (or a second scanner) stores nothing twice.
        db.session.execute(ScanState.__table__.delete())
        db.session.commit()
        again = scanner.scan_many(pairs, now=NOW)
        assert again.new == [] and _count() == len(first.new)
        keys = db.session.execute(
            select(Pattern.instrument_id, Pattern.interval, Pattern.key)
        ).all()
        assert len(keys) == len(set(keys))


def test_levels_are_precomputed_and_status_only_moves_forward(app: Flask, user, acme) -> None:
    with app.app_context():
        _watch(user.id, ["15m"])
        instrument = _instrument()
        scanner.scan_many([(instrument, "15m")], now=NOW - 40 * STEP)
        before = {p.id: p.status for p in db.session.scalars(select(Pattern))}
        scanner.scan_many([(instrument, "15m")], now=NOW)
        after = {p.id: p for p in db.session.scalars(select(Pattern))}
        for pid, status in before.items():
            if status != "active":
                assert after[pid].status == status
        moved = [p for pid, p in after.items() if pid in before and p.status != before[pid]]
        assert moved and all(p.status in STATUSES[1:] and p.status_time for p in moved)
        for p in after.values():
            if p.direction == "bullish":
                assert p.stop < p.entry < p.target
            else:
                assert p.target < p.entry < p.stop


def _tick(instrument_id: int, forming: dict[str, int], at: int) -> TickEvent:
    candles = {iv: {"time": t, "open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0, "volume": 1.0}
               for iv, t in forming.items()}  # fmt: skip
    return TickEvent(instrument_id, "ACME", "SIM", 1, None, at, candles)


def test_engine_ticks_scan_when_a_watched_candle_closes(app: Flask, user, acme) -> None:
    found: list[list[Pattern]] = []
    receiver = lambda _sender, patterns: found.append(patterns)  # noqa: E731
    scanner.patterns_found.connect(receiver)
    try:
        with app.app_context():
            _watch(user.id, ["15m"])
            iid = _instrument().id
            forming = NOW - NOW % STEP
            scanner.on_ticks(app, [_tick(iid, {"15m": forming - STEP}, NOW - STEP)])
            assert db.session.get(ScanState, (iid, "15m"))
            state_before = db.session.get(ScanState, (iid, "15m")).last_bar_time
            scanner.on_ticks(app, [_tick(iid, {"15m": forming - STEP}, NOW - STEP + 2)])
            assert db.session.get(ScanState, (iid, "15m")).last_bar_time == state_before
            scanner.on_ticks(app, [_tick(iid, {"15m": forming, "1h": 0}, NOW)])
            db.session.expire_all()
            assert db.session.get(ScanState, (iid, "15m")).last_bar_time == forming - STEP
            announced = [p for batch in found for p in batch]
            assert all(p.confirmed_time >= state_before for p in announced)
            assert db.session.get(ScanState, (iid, "1h")) is None  # not watched on 1h
    finally:
        scanner.patterns_found.disconnect(receiver)
