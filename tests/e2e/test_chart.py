"""The chart workstation in Chromium: overlays match the analytics API, drawings persist,
the picker changes interval and period, and both themes render (screenshots)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect

from tests.charts.factories import seed_instrument
from tests.e2e.helpers import screenshot
from tests.helpers import PASSWORD, create_user
from tradedeck.charts.schemas import OVERLAYS

EVENT_COUNTS = {
    "swings": "markers",
    "structure": "segments",
    "gaps": "boxes",
    "fvg": "boxes",
    "order_blocks": "boxes",
    "liquidity": "lines",
}


def login(page: Page, live_server: str, app: Flask) -> None:
    create_user(app, "charter")
    page.goto(f"{live_server}/login")
    page.fill("#identifier", "charter")
    page.fill("#password", PASSWORD)
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-menu")).to_be_visible()


def stats(page: Page) -> dict[str, Any]:
    return page.evaluate("window.tradedeckCharts.main.stats()")


def wait_ready(page: Page) -> None:
    page.wait_for_function("() => window.tradedeckCharts?.main?.isReady === true")


def wait_idle(page: Page) -> None:
    """Ready, and no analytics request in flight (its status text is cleared when done)."""
    wait_ready(page)
    page.wait_for_function(
        "() => !document.querySelector('#main-chart [data-ref=status]')"
        ".textContent.includes('Computing')"
    )


def analytics(page: Page, s: dict[str, Any], studies: str) -> dict[str, Any]:
    seconds = {"15m": 900, "1h": 3600}[s["interval"]]
    url = (
        f"/api/v1/analytics?symbol={s['symbol']}&venue={s['venue']}&interval={s['interval']}"
        f"&start={s['firstTime']}&end={s['lastTime'] + seconds}&studies={studies}"
    )
    return page.evaluate(f"fetch('{url}').then(r => r.json())")


def test_overlays_match_api_drawings_persist_and_picker(
    live_server: str, live_app: Flask, page: Page
) -> None:
    """`page` comes last so it closes before the server stops (live requests stay in flight)."""
    seed_instrument(live_app)
    login(page, live_server, live_app)
    page.goto(f"{live_server}/chart?symbol=ACME&venue=SIM&interval=15m")
    wait_ready(page)
    s = stats(page)
    assert s["candles"] == 600 and s["overlays"] == {}

    for key in OVERLAYS:
        with page.expect_response(lambda r: "/api/v1/analytics" in r.url):
            page.click(f"[data-overlay={key}]")
        wait_idle(page)
    s = stats(page)
    every = "swings,structure,gaps,fvg,order_blocks,liquidity,rsi,sma,ema"
    api = analytics(page, s, f"{every}&sma.length=20&ema.length=50")["studies"]
    for key, shape in EVENT_COUNTS.items():
        assert s["overlays"][key][shape] == len(api[key]["events"]) > 0, key
    sweeps = [e for e in api["liquidity"]["events"] if e["swept_time"] is not None]
    assert s["overlays"]["liquidity"]["markers"] == len(sweeps)
    faded = [e for e in api["order_blocks"]["events"] if e["mitigated_time"] is not None]
    assert s["overlays"]["order_blocks"]["faded"] == len(faded)
    for key in ("rsi", "sma", "ema"):
        assert s["overlays"][key]["points"] == sum(v is not None for v in api[key]["values"])
    assert s["panes"] == 2  # RSI has its own pane
    screenshot(page, "chart-dark-overlays")

    # parameters: a wider pivot window gives fewer swings, exactly as the API says
    page.click("[data-overlay-group=swings] .dropdown-toggle")
    page.fill("[data-params=swings] [name=length]", "5")
    with page.expect_response(lambda r: "swings.length=5" in r.url):
        page.click("[data-params=swings] [type=submit]")
    wait_idle(page)
    wide = analytics(page, stats(page), "swings&swings.length=5")["studies"]["swings"]["events"]
    assert stats(page)["overlays"]["swings"]["markers"] == len(wide)

    # theme follows the app's toggle without a reload
    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    page.wait_for_timeout(300)
    screenshot(page, "chart-light-overlays")

    # a trend line drawn with the mouse survives a reload
    box = page.locator("#main-chart .td-chart-surface").bounding_box()
    assert box is not None
    page.click("[data-action=trend]")
    page.mouse.click(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.6)
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/charts/drawings") and r.status == 201
    ):
        page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    # the component adds the line once it has read the 201's body: a microtask after the response
    page.wait_for_function("() => window.tradedeckCharts.main.stats().drawings === 1")
    page.reload()
    wait_idle(page)
    s = stats(page)
    assert s["drawings"] == 1
    assert s["enabled"] == [*EVENT_COUNTS, "rsi", "sma", "ema"]  # remembered per user

    # the picker: 1h over the current week
    page.click("[data-action=pick]")
    expect(page.locator("#tick-data-form")).to_be_visible()
    page.click("label[for=tdf-interval-1h]")
    page.click("label[for=tdf-preset-1W]")
    start = page.input_value("#tdf-start")
    end = page.input_value("#tdf-end")
    page.click("#tdf-submit")
    page.wait_for_url(lambda url: "interval=1h" in url and f"startDate={start}" in url)
    wait_idle(page)
    s = stats(page)
    assert s["interval"] == "1h" and s["drawings"] == 1
    assert s["firstTime"] >= _epoch(start) and 0 < s["candles"] <= 8 * 24
    assert end in page.url


def _epoch(day: str) -> int:
    from datetime import UTC, datetime

    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())
