"""Browser: the demo customer adds a watchlist, the worker's scan finds patterns, a toast and
the bell announce them live (SSE), and a pattern opens on the chart; the signals, alerts and
notification-settings pages in dark and light. Any console error fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.helpers import screenshot
from tests.helpers import make_app
from tradedeck.core.candles import interval_seconds
from tradedeck.demo import seed_demo
from tradedeck.extensions import db
from tradedeck.market import store
from tradedeck.market.models import Instrument
from tradedeck.signals import scanner, services
from tradedeck.signals.models import ScanState
from tradedeck.venues import admin as venues_admin

LOOKBACK_BARS = 40


@pytest.fixture
def live_app(tmp_path: Path) -> Flask:
    """The demo database: users (with the demo alert and signal rules), simulated stocks."""
    app = make_app(tmp_path, CANDLE_BACKFILL_DAYS="3")
    with app.app_context():
        assert seed_demo()
        venues_admin.set_override("SIM", "open", by="e2e")
    return app


def _login(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#identifier", "demo@example.com")
    page.fill("#password", "demo123")
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-menu")).to_contain_text("demo")


def _worker_scan(app: Flask) -> int:
    """What the worker does on candle closes, as if it had been watching for LOOKBACK_BARS
    bars already: patterns confirmed since then are stored and announced."""
    with app.app_context():
        acme = db.session.scalars(select(Instrument).where(Instrument.symbol == "ACME")).one()
        pairs = services.watched_pairs()[acme.id]
        for interval in pairs:
            latest = store.latest_candle_times([acme.id], interval)[acme.id]
            back = latest - LOOKBACK_BARS * interval_seconds(interval)
            db.session.add(ScanState(instrument_id=acme.id, interval=interval, last_bar_time=back))
        db.session.commit()
        result = scanner.scan_many([(acme, interval) for interval in sorted(pairs)])
        return len(result.fresh)


def _theme(page: Page, theme: str) -> None:
    if page.locator("html").get_attribute("data-bs-theme") != theme:
        page.click("#theme-toggle")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)


def test_watchlist_pattern_toast_bell_and_chart(
    page: Page, live_server: str, live_app: Flask
) -> None:
    _login(page, live_server)
    page.goto(f"{live_server}/patterns")
    expect(page.locator(".empty-state")).to_contain_text("Nothing watched yet")

    page.goto(f"{live_server}/watchlists")
    expect(page.locator(".empty-state")).to_contain_text("No watchlists yet")
    page.fill("#name", "Demo picks")
    page.fill("#symbols", "ACME")
    page.click("#watchlist-form [type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Watchlist Demo picks created")
    expect(page.locator("[data-watchlist='Demo picks']")).to_contain_text("ACME")
    screenshot(page, "signals-watchlists-dark")

    page.goto(f"{live_server}/patterns")
    expect(page.locator(".empty-state")).to_contain_text("No patterns match")
    expect(page.locator("#bell-count")).to_be_hidden()
    page.wait_for_timeout(1500)  # the bell opens its stream a moment after load
    announced = _worker_scan(live_app)
    assert announced > 0

    toast = page.locator("#toast-area .toast").first
    expect(toast).to_be_visible(timeout=10_000)
    expect(toast).to_contain_text("ACME")
    fresh = page.locator("#toast-area .toast:not(#toast-more)")
    assert fresh.count() <= 3  # a burst shows three toasts and one "n more" summary
    expect(page.locator("#bell-count")).to_be_visible()
    assert int(page.locator("#bell-count").inner_text()) > 0
    if announced > 3:
        expect(page.locator("#toast-more")).to_contain_text("more new notifications")
    screenshot(page, "signals-toast-dark")
    page.click("#bell-toggle")
    expect(page.locator("#bell-list [data-notification]").first).to_contain_text("ACME")

    page.goto(f"{live_server}/patterns")
    rows = page.locator("#patterns-table tbody tr")
    expect(rows.first).to_be_visible()
    screenshot(page, "signals-patterns-dark")
    page.click("#scan-now")
    expect(page.locator("#scan-status")).to_contain_text("series scanned")
    _theme(page, "light")
    screenshot(page, "signals-patterns-light")

    page.locator("#patterns-table [data-chart-link]").first.click()
    page.wait_for_url("**/chart?symbol=ACME**")
    expect(page.locator("#price-chart, canvas").first).to_be_visible()


def test_signals_and_alert_pages_dark_and_light(page: Page, live_server: str) -> None:
    _login(page, live_server)
    for theme in ("dark", "light"):
        page.goto(f"{live_server}/signals")
        _theme(page, theme)
        expect(page.locator("#rules")).to_contain_text("Intraday confluence")
        expect(page.locator(".empty-state")).to_contain_text("No signals yet")
        screenshot(page, f"signals-signals-{theme}")
        page.goto(f"{live_server}/alerts")
        expect(page.locator("#alert-rules")).to_contain_text("New patterns on my watchlists")
        screenshot(page, f"signals-alerts-{theme}")
        page.goto(f"{live_server}/alerts/channels")
        expect(page.locator(".empty-state").first).to_contain_text("No channels")
        screenshot(page, f"signals-channels-{theme}")
    page.fill("#name", "Broken hook")
    page.fill("#url", "json://127.0.0.1:9/hook")
    page.click("#channel-form [type=submit]")
    expect(page.locator("#channels")).to_contain_text("json://127.0.0.1:9/…")
    page.click("#channels button:has-text('Test')")
    expect(page.locator(".alert-danger")).to_contain_text("Test to Broken hook failed")
    page.goto(f"{live_server}/alerts")
    page.select_option("#kind", "price_cross")
    expect(page.locator("#level")).to_be_visible()
    expect(page.locator("#threshold")).to_be_hidden()
    page.fill("#name", "ACME 500")
    page.fill("#symbol", "ACME")
    page.fill("#level", "500")
    page.click("#alert-form [type=submit]")
    expect(page.locator("#alert-rules")).to_contain_text("ACME 500")
