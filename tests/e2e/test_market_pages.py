"""Saved tickers in Chromium: htmx search, and double-click → picker modal → chart."""

from flask import Flask
from playwright.sync_api import Page, expect

from tests.charts.factories import seed_instrument
from tests.e2e.helpers import screenshot
from tests.helpers import PASSWORD, create_user


def test_search_then_double_click_opens_picker_and_chart(
    page: Page, live_server: str, live_app: Flask
) -> None:
    seed_instrument(live_app, "ACME")
    seed_instrument(live_app, "GLOBX")
    create_user(live_app, "picker")
    page.goto(f"{live_server}/login")
    page.fill("#identifier", "picker")
    page.fill("#password", PASSWORD)
    page.click("#login-form [type=submit]")

    page.goto(f"{live_server}/saved-tickers")
    rows = page.locator("#ticker-results tr[data-symbol]")
    expect(rows).to_have_count(2)
    page.fill("#ticker-search", "glo")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-symbol", "GLOBX")
    screenshot(page, "saved-tickers-search")

    rows.first.dblclick()
    modal = page.locator("#tick-data-modal")
    expect(modal).to_be_visible()
    expect(modal.locator("form[data-tick-form] [name=symbol]")).to_have_value("GLOBX")
    modal.locator("form[data-tick-form] [type=submit]").click()
    page.wait_for_url("**/chart?*symbol=GLOBX*")
    page.wait_for_function("() => window.tradedeckCharts?.main?.isReady === true")
