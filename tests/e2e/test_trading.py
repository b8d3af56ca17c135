"""Browser: the demo customer buys, sees position and cash change, sells, sees realized P&L."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.e2e.helpers import screenshot
from tests.helpers import make_app
from tradedeck.demo import seed_demo
from tradedeck.venues import admin as venues_admin


@pytest.fixture
def live_app(tmp_path: Path) -> Flask:
    """The demo database (users, simulated stocks with two weeks of history, cash)."""
    app = make_app(tmp_path, CANDLE_BACKFILL_DAYS="14")
    with app.app_context():
        assert seed_demo()
        venues_admin.set_override("SIM", "open", by="e2e")  # trade whatever the wall clock says
    return app


def _login(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#identifier", "demo@example.com")
    page.fill("#password", "demo123")
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-menu")).to_contain_text("demo")


def _trade(page: Page, side: str, quantity: str) -> None:
    page.click(f"#tab-{side}")
    page.fill("#order-quantity", quantity)
    expect(page.locator("#order-preview-values")).to_be_visible()
    expect(page.locator("#order-preview")).to_contain_text("Fee")
    page.click("#order-submit")
    expect(page.locator(".alert-success")).to_contain_text(
        f"{side.title()} {quantity} ACME filled at"
    )


def test_demo_customer_buys_and_sells(page: Page, live_server: str) -> None:
    _login(page, live_server)
    page.goto(f"{live_server}/cash")
    expect(page.locator("#cash-balance")).to_have_text("100,000.00")

    page.goto(f"{live_server}/stocks")
    _minis_drawn(page)
    screenshot(page, "trading-stocks-dark")
    page.click("#stocks-table a:text-is('ACME')")
    _chart_drawn(page)

    page.fill("#order-quantity", "100000")
    expect(page.locator("#order-preview")).to_contain_text("Insufficient buying power")
    _trade(page, "buy", "10")
    expect(page.locator("#ticket-holding")).to_have_text("10")
    _chart_drawn(page)
    screenshot(page, "trading-instrument-dark")

    page.goto(f"{live_server}/portfolio")
    row = page.locator("#positions-table tr[data-symbol='ACME']")
    expect(row.locator("[data-col=quantity]")).to_have_text("10")
    cash_after_buy = page.locator("#summary-cash").inner_text()
    assert cash_after_buy != "100,000.00"
    screenshot(page, "trading-portfolio-dark")

    page.goto(f"{live_server}/trades")
    page.go_back()
    page.click("#positions-table a:text-is('ACME')")
    _trade(page, "sell", "4")
    page.goto(f"{live_server}/portfolio")
    expect(row.locator("[data-col=quantity]")).to_have_text("6")
    realized = row.locator("[data-col=realized]").inner_text()
    assert re.fullmatch(r"[+-]?[\d,]+\.\d{2}", realized) and realized != "0.00", realized
    expect(page.locator("#summary-realized")).to_have_text(realized)
    assert page.locator("#summary-cash").inner_text() != cash_after_buy

    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    page.wait_for_timeout(150)
    screenshot(page, "trading-portfolio-light")
    for path, name in [("/trades", "trades"), ("/orders", "orders"), ("/cash", "cash")]:
        page.goto(f"{live_server}{path}")
        screenshot(page, f"trading-{name}-light")
    expect(page.locator("#cash-table")).to_contain_text("fee")
    page.goto(f"{live_server}/stocks")
    _minis_drawn(page)
    screenshot(page, "trading-stocks-light")
    page.click("#stocks-table a:text-is('ACME')")
    _chart_drawn(page)
    screenshot(page, "trading-instrument-light")


def _minis_drawn(page: Page) -> None:
    """Every row's trend is a mini chart of the shared component with 48 hourly closes."""
    rows = page.locator("#stocks-table > tbody > tr").count()
    page.wait_for_function(
        "n => document.querySelectorAll('#stocks-table .td-chart-mini[data-ready=true]').length"
        " === n",
        arg=rows,
    )
    minis = page.evaluate(
        "Object.values(window.tradedeckCharts).map(c => c.stats())"
        ".filter(s => s.id.startsWith('mini-'))"
    )
    assert len(minis) == rows > 0
    # Each mini shows exactly what the API returns: the latest 48 hourly candles, reaching
    # back over nights and weekends (SIM trades Mon-Fri 09:30-16:00).
    stored = page.evaluate(
        """minis => Promise.all(minis.map(m => fetch(
            `/api/v1/candles?symbol=${encodeURIComponent(m.symbol)}&venue=${m.venue}`
            + `&interval=1h&limit=48`).then(r => r.json()).then(b => b.candles.length)))""",
        minis,
    )
    assert [m["candles"] for m in minis] == stored
    assert all(n == 48 for n in stored), stored
    assert all(m["interval"] == "1h" and m["panes"] == 1 for m in minis), minis


def _chart_drawn(page: Page) -> None:
    """The instrument chart is the shared component: 15m candles with SMA 20 and EMA 50."""
    page.wait_for_function("() => window.tradedeckCharts?.['price-chart']?.isReady === true")
    page.wait_for_function(
        "() => !document.querySelector('#price-chart [data-ref=status]')"
        ".textContent.includes('Computing')"
    )
    s = page.evaluate("window.tradedeckCharts['price-chart'].stats()")
    assert s["symbol"] == "ACME" and s["interval"] == "15m" and s["candles"] > 100
    assert s["enabled"] == ["sma", "ema"]
    assert s["overlays"]["sma"]["points"] > 0 and s["overlays"]["ema"]["points"] > 0
    expect(page.locator("#price-chart [data-action=pick]")).to_have_count(0)
