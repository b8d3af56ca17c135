"""Backtests in Chromium: run one from the page, see the equity curve and the trades on the
chart, compare two runs; dark and light screenshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from playwright.sync_api import Page, expect

from tests.charts.factories import seed_instrument
from tests.e2e.helpers import screenshot
from tests.helpers import PASSWORD, create_user
from tradedeck.worker.queue import get_huey


def login(page: Page, live_server: str, app: Flask) -> None:
    create_user(app, "tester")
    page.goto(f"{live_server}/login")
    page.fill("#identifier", "tester")
    page.fill("#password", PASSWORD)
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-menu")).to_be_visible()


def run_backtest(page: Page, live_server: str, fast: str) -> None:
    page.goto(f"{live_server}/backtests")
    today = datetime.now(UTC).date()
    page.fill("#symbol", "ACME")
    page.fill("#venue", "SIM")
    page.select_option("#interval", "1h")
    page.fill("#start", (today - timedelta(days=40)).isoformat())
    page.fill("#end", today.isoformat())
    page.select_option("#strategy", "sma_cross")
    page.fill("#p-sma_cross-fast", fast)
    page.fill("#p-sma_cross-slow", "20")
    page.fill("#commission_pct", "0.1")
    page.click("#run-backtest")
    expect(page.locator("[data-status=done]")).to_be_visible()
    page.wait_for_selector("#backtest-charts[data-ready=true]")


def test_run_a_backtest_see_equity_and_trades_and_compare(
    live_server: str, live_app: Flask, page: Page
) -> None:
    seed_instrument(live_app, "ACME", intervals=("1h",), n=600)
    get_huey(live_app).immediate = True  # the job runs inside the request that starts it
    login(page, live_server, live_app)
    page.goto(f"{live_server}/backtests")
    expect(page.locator("fieldset[data-strategy=sma_cross]")).to_be_visible()
    expect(page.locator("fieldset[data-strategy=fvg_retrace]")).to_be_hidden()
    page.select_option("#strategy", "fvg_retrace")
    expect(page.locator("fieldset[data-strategy=fvg_retrace]")).to_be_visible()
    screenshot(page, "backtests-form-dark")

    run_backtest(page, live_server, "5")
    chart = page.evaluate("window.tradedeckBacktest")
    trades = page.locator("#trades-table tbody tr").count()
    assert chart["equityPoints"] == chart["candles"] > 100
    assert chart["trades"] == trades > 0
    assert chart["markers"] >= 2 * trades  # an entry and an exit marker per trade
    expect(page.locator("#backtest-charts canvas").first).to_be_visible()
    expect(page.locator("[data-stat=sharpe] td")).not_to_have_text("")
    screenshot(page, "backtests-result-dark")
    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    screenshot(page, "backtests-result-light")

    run_backtest(page, live_server, "8")
    page.goto(f"{live_server}/backtests")
    checks = page.locator(".compare-check")
    assert checks.count() == 2
    checks.nth(0).check()
    checks.nth(1).check()
    page.click("#compare-button")
    page.wait_for_selector("#compare-chart[data-ready=true]")
    expect(page.locator("#compare-table thead th")).to_have_count(3)
    screenshot(page, "backtests-compare-light")
    page.goto(f"{live_server}/backtests")
    screenshot(page, "backtests-index-light")

    page.click("#optimise-link")
    page.fill("#symbol", "ACME")
    page.fill("#venue", "SIM")
    page.fill("#start", (datetime.now(UTC).date() - timedelta(days=40)).isoformat())
    page.fill("#g-sma_cross-fast", "3-12:3")
    page.fill("#g-sma_cross-slow", "15,20,30")
    page.fill("#windows", "3")
    page.click("#run-backtest")
    expect(page.locator("#optimisation-head")).to_have_attribute("data-status", "done")
    expect(page.locator("#g-sma_cross-fast")).to_have_value("3-12:3")
    expect(page.locator("#heatmap tbody tr")).to_have_count(4)
    expect(page.locator("#walk-forward-table tbody tr")).to_have_count(3)
    screenshot(page, "backtests-optimise-light")
    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    screenshot(page, "backtests-optimise-dark")


def test_an_optimisation_job_shows_progress_then_its_results(
    live_server: str, live_app: Flask, page: Page
) -> None:
    from sqlalchemy import func, select

    from tradedeck.backtests import optimise
    from tradedeck.backtests.models import BacktestOptimisation
    from tradedeck.extensions import db

    seed_instrument(live_app, "ACME", intervals=("1h",), n=600)
    get_huey(live_app).immediate = False  # no worker yet: the optimisation waits in the queue
    login(page, live_server, live_app)
    page.goto(f"{live_server}/backtests/optimise")
    page.fill("#symbol", "ACME")
    page.fill("#venue", "SIM")
    page.fill("#start", (datetime.now(UTC).date() - timedelta(days=40)).isoformat())
    page.fill("#g-sma_cross-fast", "3,6")
    page.click("#run-backtest")
    expect(page.locator("#optimisation-head")).to_have_attribute("data-status", "queued")
    expect(page.locator("#backtest-message")).to_contain_text("Waiting for a worker")
    screenshot(page, "backtests-optimise-queued-dark")
    with live_app.app_context():
        queued = db.session.scalar(select(func.max(BacktestOptimisation.id)))
        optimise.execute(queued)  # the worker's turn
    expect(page.locator("#optimisation-head")).to_have_attribute("data-status", "done")
    expect(page.locator("#heatmap tbody tr")).to_have_count(2)
