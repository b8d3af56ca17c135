"""Browser: the demo admin creates a simulated stock, sees it listed on /stocks and its price
move with the engine, halts it (the customer's order is refused with the message), resumes
it, and reads the dashboard figures; candles page; screenshots dark and light."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.e2e.helpers import screenshot
from tests.helpers import api_login, make_app
from tradedeck.demo import seed_demo
from tradedeck.extensions import db
from tradedeck.market.engine import get_engine
from tradedeck.market.models import Instrument, LastPrice
from tradedeck.venues import admin as venues_admin


@pytest.fixture
def live_app(tmp_path: Path) -> Flask:
    app = make_app(tmp_path, CANDLE_BACKFILL_DAYS="1", ORDER_RATE_LIMIT="1000/minute")
    with app.app_context():
        assert seed_demo()
        venues_admin.set_override("SIM", "open", by="test")  # trade whatever the clock says
    return app


def login(page: Page, server: str, who: str, password: str) -> None:
    page.goto(f"{server}/login")
    page.fill("#identifier", who)
    page.fill("#password", password)
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-menu")).to_be_visible()


def logout(page: Page, server: str) -> None:
    """From a page without live requests: a chart's fetch still in flight when the session
    ends would be answered 401 and logged as a console error."""
    page.goto(f"{server}/profile")
    page.click("#user-menu")
    page.click("#logout-button")


def test_admin_creates_halts_and_resumes_a_stock(
    page: Page, live_server: str, live_app: Flask
) -> None:
    login(page, live_server, "admin@example.com", "admin123")
    page.goto(f"{live_server}/admin")
    expect(page.locator("#stat-users-total")).to_have_text("2")
    expect(page.locator("#venue-states")).to_contain_text("SIM")
    page.wait_for_function("document.documentElement.dataset.adminCharts === 'ready'")
    screenshot(page, "admin-dashboard-dark")

    page.goto(f"{live_server}/admin/instruments")
    page.click("#new-stock")
    page.fill("#symbol", "zebra")
    page.fill("#name", "Zebra Labs (simulated)")
    page.fill("#price", "abc")
    page.click("#stock-form [type=submit]")
    expect(page.locator(".invalid-feedback")).to_contain_text("price must be a decimal number")
    page.fill("#price", "25.50")
    page.fill("#volatility", "0.4")  # moves of several ticks per 2 s step
    screenshot(page, "admin-instrument-form-dark")
    page.click("#stock-form [type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("ZEBRA created on SIM at 25.50")
    row = page.locator("#instruments-table tr[data-symbol=ZEBRA]")
    expect(row).to_contain_text("trading")
    screenshot(page, "admin-instruments-dark")

    with live_app.app_context():
        zebra = db.session.query(Instrument).filter_by(symbol="ZEBRA").one()
        zebra_id = zebra.id
        engine = get_engine(live_app)
        start = db.session.get(LastPrice, zebra_id).price
        prices = set()
        for k in range(1, 11):  # engine steps 2 s apart, as the worker's loop runs them
            engine.step(now=time.time() + 2 * k)
            db.session.expire_all()
            prices.add(db.session.get(LastPrice, zebra_id).price)
        assert prices - {start}, "the engine did not move the new stock's price"
    page.goto(f"{live_server}/stocks?q=ZEBRA")
    expect(page.locator("#stocks-table")).to_contain_text("ZEBRA")

    page.goto(f"{live_server}/admin/instruments?q=ZEBRA")
    row.get_by_role("button", name="Halt").click()
    expect(page.locator(".alert-warning")).to_contain_text("ZEBRA is halted")
    expect(row).to_contain_text("halted")
    logout(page, live_server)

    login(page, live_server, "demo@example.com", "demo123")
    page.goto(f"{live_server}/stocks/{zebra_id}")
    page.fill("#order-quantity", "2")
    page.click("#order-submit")
    expect(page.locator(".alert-danger")).to_contain_text(
        "Trading in ZEBRA (SIM) is halted by an administrator"
    )
    logout(page, live_server)

    login(page, live_server, "admin@example.com", "admin123")
    page.goto(f"{live_server}/admin/instruments?q=ZEBRA")
    row.get_by_role("button", name="Resume").click()
    expect(page.locator(".alert-success")).to_contain_text("ZEBRA resumed")
    expect(row).to_contain_text("trading")

    api = live_app.test_client()
    bearer = {"Authorization": f"Bearer {api_login(api, 'demo', 'demo123')}"}
    order = {"symbol": "ZEBRA", "side": "buy", "type": "market", "quantity": "4"}
    filled = api.post("/api/v1/orders", json=order, headers=bearer)
    assert filled.status_code == 201 and filled.get_json()["order"]["status"] == "filled"
    notional = Decimal(filled.get_json()["order"]["fill_price"]) * 4

    page.goto(f"{live_server}/admin/candles")
    expect(page.locator("#candles-table")).to_contain_text("ZEBRA")
    screenshot(page, "admin-candles-list-dark")
    page.goto(f"{live_server}/admin/candles/{zebra_id}")
    expect(page.locator("#coverage-table")).to_contain_text("1h")
    page.get_by_role("button", name="Repair gaps").click()
    expect(page.locator(".alert-success")).to_contain_text("Repair of ZEBRA")
    screenshot(page, "admin-candles-dark")

    # The audit log holds each of these admin actions, filtered to the instrument's actions.
    page.goto(f"{live_server}/admin/audit?action=instrument.")
    audit = page.locator("#audit-table")
    for action in ("instrument.create", "instrument.halt", "instrument.resume"):
        expect(audit.locator(f"tr[data-action='{action}']")).to_have_count(1)
    expect(audit).to_contain_text("ZEBRA")
    page.goto(f"{live_server}/admin/audit?action=candles.")
    expect(audit.locator("tr[data-action='candles.repair']")).to_have_count(1)

    page.goto(f"{live_server}/admin")
    expect(page.locator("#stat-users-active")).to_have_text("2")
    expect(page.locator("#stat-orders-today")).to_have_text("1")
    expect(page.locator("#stat-trades-today")).to_have_text("1")
    expect(page.locator("#stat-notional-today")).to_have_text(f"{notional:,.2f}")
    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    page.wait_for_function("document.documentElement.dataset.adminCharts === 'ready'")
    screenshot(page, "admin-dashboard-light")
    page.goto(f"{live_server}/admin/instruments")
    screenshot(page, "admin-instruments-light")
    page.goto(f"{live_server}/admin/instruments/{zebra_id}/edit")
    expect(page.locator("#name")).to_have_value("Zebra Labs (simulated)")
    screenshot(page, "admin-instrument-edit-light")
    page.goto(f"{live_server}/admin/candles")
    screenshot(page, "admin-candles-list-light")
    page.goto(f"{live_server}/admin/candles/{zebra_id}")
    screenshot(page, "admin-candles-light")
