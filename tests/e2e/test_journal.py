"""Journal in Chromium: create a portfolio, log trades, annotate one, read the performance page;
dark and light screenshots. (Field errors are 400 pages, which Chromium logs as console errors,
so they are covered by tests/journal/test_views.py.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.charts.factories import seed_instrument
from tests.e2e.helpers import screenshot
from tests.helpers import PASSWORD, create_user


def login(page: Page, live_server: str, app: Flask) -> None:
    create_user(app, "journaler")
    page.goto(f"{live_server}/login")
    page.fill("#identifier", "journaler")
    page.fill("#password", PASSWORD)
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-menu")).to_be_visible()


def log(page: Page, symbol: str, entry: str, exit_: str, day: str, setup: str) -> None:
    page.fill("#symbol", symbol)
    page.fill("#quantity", "10")
    page.fill("#entry_price", entry)
    page.fill("#entry_at", f"2026-11-{day}T10:00")
    page.fill("#exit_price", exit_)
    page.fill("#exit_at", f"2026-11-{day}T15:30")
    page.fill("#stop_price", str(float(entry) - 2))
    page.fill("#setup", setup)
    page.fill("#tags", "trend")
    page.select_option("#trade-form #rating", "4")
    page.click("#log-trade")
    expect(page.locator(".alert-success")).to_contain_text("Trade logged")


def test_journal_log_annotate_and_performance(live_server: str, live_app: Flask, page: Page):
    login(page, live_server, live_app)
    page.goto(f"{live_server}/journal")
    page.fill("#name", "Swing")
    page.fill("#initial_balance", "5000")
    page.click("#create-portfolio")
    expect(page.locator("#portfolio-filter .active")).to_contain_text("Swing")
    log(page, "ACME", "100", "104", "02", "breakout")
    log(page, "BETA", "50", "47", "03", "fade")
    log(page, "ACME", "101", "106", "05", "breakout")
    expect(page.locator("#entries-table tbody tr")).to_have_count(3)
    page.locator("#entries-table a[aria-label^='Edit']").first.click()
    page.fill("#mistakes", "moved the stop")
    page.fill("#notes", "Entered late after the retest.")
    page.click("#save-notes")
    expect(page.locator(".alert-success")).to_contain_text("saved")
    screenshot(page, "journal-dark")
    page.click("#performance-link")
    expect(page.locator("#by-setup tbody tr")).to_have_count(2)
    expect(page.locator("#pnl-calendar td.pnl-down-2")).to_have_count(1)  # -30 of at most 50
    expect(page.locator("#pnl-calendar td.pnl-up-3")).to_have_count(2)  # +40 and +50
    screenshot(page, "journal-performance-dark")
    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    screenshot(page, "journal-performance-light")
    page.goto(f"{live_server}/journal")
    screenshot(page, "journal-light")

    # a trade inside the stored candles: its entry page draws the chart at entry
    seed_instrument(live_app, "GAMMA", intervals=("1h",), n=300)
    start = (datetime.now(UTC) - timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    page.fill("#symbol", "GAMMA")
    page.fill("#quantity", "3")
    page.fill("#entry_price", "100")
    page.fill("#entry_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#exit_price", "103")
    page.fill("#exit_at", (start + timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#portfolio_id", label="Swing")
    page.click("#log-trade")
    expect(page.locator(".alert-success")).to_contain_text("Trade logged")
    page.locator("#entries-table tr", has_text="GAMMA").locator("a").click()
    expect(page.locator("#entry-chart rect")).to_have_count(48 + 30 + 12)
    screenshot(page, "journal-entry-light")

    # the manual trade's figures are edited on its page; the portfolio is renamed on its own
    page.fill("#exit_price", "104")
    page.click("#save-notes")
    expect(page.locator(".alert-success")).to_contain_text("saved")
    expect(page.locator("#entries-table tr", has_text="GAMMA")).to_contain_text("12.00")
    page.locator("#portfolio-filter a", has_text="Swing").click()
    page.click("#edit-portfolio-link")
    page.fill("#name", "Swing trades")
    page.click("#save-portfolio")
    expect(page.locator("#portfolio-filter .active")).to_contain_text("Swing trades")
    expect(page.locator("#portfolio-balance")).to_have_text("5,012.00")  # + (104 - 100) * 3
    page.click("#edit-portfolio-link")
    screenshot(page, "journal-portfolio-light")
    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    screenshot(page, "journal-portfolio-dark")


def test_delete_an_entry_through_the_confirm(live_server: str, live_app: Flask, page: Page):
    login(page, live_server, live_app)
    page.goto(f"{live_server}/journal")
    log(page, "ACME", "100", "104", "02", "breakout")
    log(page, "BETA", "50", "47", "03", "fade")
    page.locator("#entries-table tr", has_text="ACME").locator("a").click()
    page.click("#delete-entry")
    dialog = page.locator("#delete-entry-modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("ACME long")
    screenshot(page, "journal-entry-delete-dark")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.click("#delete-entry")
    page.click("#confirm-delete-entry")
    expect(page.locator(".alert-success")).to_contain_text("Entry deleted")
    expect(page).to_have_url(f"{live_server}/journal")
    expect(page.locator("#entries-table tbody tr")).to_have_count(1)
    expect(page.locator("#entries-table")).not_to_contain_text("ACME")


def test_delete_an_entry_without_javascript(live_server: str, live_app: Flask, browser: Browser):
    """The Delete link loads the page with the confirm open; its form posts on its own."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 860}
    )
    page = context.new_page()
    try:
        login(page, live_server, live_app)
        page.goto(f"{live_server}/journal")
        page.fill("#symbol", "GAMMA")
        page.fill("#quantity", "1")
        page.fill("#entry_price", "10")
        page.fill("#entry_at", "2026-11-02T10:00")
        page.click("#log-trade")
        page.locator("#entries-table tr", has_text="GAMMA").locator("a").click()
        page.click("#delete-entry")
        expect(page).to_have_url(re.compile(r"/journal/\d+\?confirm=delete$"))
        expect(page.locator("#delete-entry-modal")).to_be_visible()
        screenshot(page, "journal-entry-delete-nojs")
        page.locator("#delete-entry-modal").get_by_role("link", name="Cancel").click()
        expect(page.locator("#delete-entry-modal")).to_be_hidden()
        page.click("#delete-entry")
        page.click("#confirm-delete-entry")
        expect(page.locator(".alert-success")).to_contain_text("Entry deleted")
        expect(page.locator("#entries-table")).to_have_count(0)
    finally:
        context.close()
