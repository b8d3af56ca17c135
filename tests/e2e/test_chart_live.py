"""Live candles in Chromium: on the instrument page (the shared chart component), price-engine
steps run here update the last candle and the price line, a new bucket appends one candle, and
after a forced reconnect the missed candle is backfilled without duplicates."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.helpers import make_app
from tradedeck.core.candles import bucket_start
from tradedeck.demo import seed_demo
from tradedeck.extensions import db
from tradedeck.market.engine import PriceEngine, TickEvent
from tradedeck.market.lock import FileLock
from tradedeck.market.models import Instrument
from tradedeck.venues import admin as venues_admin

CHART = "window.tradedeckCharts['price-chart']"
STEP = 900  # the instrument page opens on 15m candles


@pytest.fixture
def live_app(tmp_path: Path) -> Flask:
    """The demo market with SIM open whatever the wall clock says."""
    app = make_app(tmp_path, CANDLE_BACKFILL_DAYS="2")
    with app.app_context():
        assert seed_demo()
        venues_admin.set_override("SIM", "open", by="e2e")
    return app


def _series(page: Page) -> list[dict[str, Any]]:
    """What the candlestick series really holds (not the component's own array)."""
    return page.evaluate(f"{CHART}.series.data().map(b => ({{time: b.time, close: b.close}}))")


def _assert_unique(bars: list[dict[str, Any]]) -> None:
    times = [b["time"] for b in bars]
    assert times == sorted(set(times)), "duplicate or unordered candles"


def _step(engine: PriceEngine, now: int) -> TickEvent:
    """One engine step, as the worker's loop task runs it (inside the test's app context)."""
    return next(t for t in engine.step(now) if t.symbol == "ACME")


def _wait_last(page: Page, time_: int, close: float) -> None:
    page.wait_for_function(
        f"([t, c]) => {{ const d = {CHART}.series.data(); const b = d[d.length - 1];"
        " return b.time === t && Math.abs(b.close - c) < 1e-6; }",
        arg=[time_, close],
    )


def test_live_candles_update_and_reconnect_without_duplicates(
    live_server: str, live_app: Flask, page: Page
) -> None:
    """`page` comes last so it closes before the server stops (the stream stays open)."""
    engine = PriceEngine(
        live_app, lock=FileLock(live_app.config["TRADEDECK"].instance_path / "e2e.lock"), seed=3
    )
    with live_app.app_context():
        acme = db.session.query(Instrument).filter_by(symbol="ACME").one().id
        _watch_live_candles(page, live_server, acme, engine)
    engine.close()


def _watch_live_candles(page: Page, live_server: str, acme: int, engine: PriceEngine) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#identifier", "demo@example.com")
    page.fill("#password", "demo123")
    page.click("#login-form [type=submit]")
    page.goto(f"{live_server}/stocks/{acme}")
    page.wait_for_function(f"() => {CHART}?.isReady === true")
    status = page.locator("#price-chart [data-ref=status]")
    expect(status).to_have_text("● Live")
    # Passing notes (history paging, overlays) show over the live state, then give it back.
    page.evaluate(f"{CHART}.toolbar.setStatus('muted', 'Start of history', 300)")
    expect(status).to_have_text("Start of history")
    expect(status).to_have_text("● Live")
    page.evaluate(f"{CHART}.toolbar.setStatus('muted', 'Computing overlays…')")
    page.evaluate(f"{CHART}.toolbar.setStatus('muted', '')")
    expect(status).to_have_text("● Live")
    before = _series(page)
    _assert_unique(before)

    # one step now: the forming candle (same bucket) or one new candle, and the price line
    now = int(time.time())
    tick = _step(engine, now)
    bucket = int(bucket_start(now, "15m"))
    _wait_last(page, bucket, float(tick.price))
    expect(page.locator("#last-price")).to_have_text(f"{tick.price:,.2f}")
    after = _series(page)
    _assert_unique(after)
    assert len(after) == len(before) + (bucket > before[-1]["time"])
    price_line = page.evaluate(f"{CHART}.series.dataByIndex(1e9, -1).close")  # last bar
    assert price_line == float(tick.price)

    # the next bucket appends exactly one candle
    tick = _step(engine, bucket + STEP + 5)
    _wait_last(page, bucket + STEP, float(tick.price))
    bars = _series(page)
    _assert_unique(bars)
    assert len(bars) == len(after) + 1

    # drop the connection, miss a candle, reconnect: backfilled once, nothing duplicated
    drop = "s => { s.close(); s.dispatchEvent(new Event('error')); }"
    dropped = page.evaluate(
        f"(() => {{ const s = {CHART}.live.source; ({drop})(s); return s.readyState; }})()"
    )
    assert dropped == 2  # EventSource.CLOSED; the component waits ~1 s before reconnecting
    missed = _step(engine, bucket + 2 * STEP + 5)
    # The status slot is shared with history loading, so the reconnect is read from the
    # stream itself rather than from the transient "Reconnecting…" text.
    page.wait_for_function(
        f"() => {CHART}.live.source && {CHART}.live.source.readyState === 1", timeout=10_000
    )
    _wait_last(page, bucket + 2 * STEP, float(missed.price))
    final = _series(page)
    _assert_unique(final)
    assert len(final) == len(bars) + 1
    assert page.evaluate(f"{CHART}.stats().candles") == len(final)
