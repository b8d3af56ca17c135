"""The /patterns chart link opens its pattern on the chart: the zone box and the entry/stop/
target lines with the pattern's own prices, the time scale on it, a dismissible badge; destroy()
takes it all off. A bad, unknown or foreign id, or another instrument's pattern, leaves the
chart working with a note. Screenshots dark and light."""

from __future__ import annotations

from typing import Any

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.charts.factories import seed_instrument
from tests.e2e.helpers import open_page, screenshot
from tests.e2e.test_chart import login, stats, wait_ready
from tests.helpers import PASSWORD, create_user
from tradedeck.accounts.models import User
from tradedeck.core.candles import interval_seconds
from tradedeck.extensions import db
from tradedeck.market import store
from tradedeck.market.models import Instrument
from tradedeck.signals import scanner, services
from tradedeck.signals.models import Pattern, ScanState, Signal

SCANNED_BARS = 300
NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"


def _levels(pattern: Pattern) -> dict[str, Any]:
    """A stored pattern as the chart should draw it (the API's decimal strings as numbers)."""
    return {
        "id": pattern.id,
        "time": pattern.bar_time,
        "status": pattern.status,
        "end": pattern.status_time,
        "interval": pattern.interval,
        **{k: float(getattr(pattern, k)) for k in ("top", "bottom", "entry", "stop", "target")},
    }


def _scan(app: Flask, username: str = "charter") -> dict[str, dict[str, Any]]:
    """Watch ACME 15m for the user and scan as the worker would after watching 300 bars; the
    newest active order block (given a signal of the user, score 81) and newest filled FVG."""
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        services.create_watchlist(user.id, "E2E", ["15m"], ["ACME"])
        acme = db.session.scalars(select(Instrument).where(Instrument.symbol == "ACME")).one()
        latest = store.latest_candle_times([acme.id], "15m")[acme.id]
        back = latest - SCANNED_BARS * interval_seconds("15m")
        db.session.add(ScanState(instrument_id=acme.id, interval="15m", last_bar_time=back))
        db.session.commit()
        assert scanner.scan_many([(acme, "15m")]).new
        newest = select(Pattern).order_by(Pattern.confirmed_time.desc(), Pattern.id.desc())
        block = db.session.scalars(
            newest.where(Pattern.kind == "order_block", Pattern.status == "active")
        ).first()
        gap = db.session.scalars(newest.where(Pattern.kind == "fvg", Pattern.status == "filled"))
        filled = gap.first()
        assert block is not None and filled is not None
        db.session.add(
            Signal(
                user_id=user.id,
                instrument_id=acme.id,
                setup_key="e2e",
                direction=block.direction,
                score=81,
                reasons=["e2e"],
                entry=block.entry,
                stop=block.stop,
                target=block.target,
                zone_pattern_id=block.id,
                details={},
            )
        )
        db.session.commit()
        return {"active": _levels(block), "filled": _levels(filled)}


def _theme(page: Page, theme: str) -> None:
    if page.locator("html").get_attribute("data-bs-theme") != theme:
        page.click("#theme-toggle")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)


def test_chart_link_opens_the_pattern_zone(live_server: str, live_app: Flask, page: Page) -> None:
    seed_instrument(live_app)
    login(page, live_server, live_app)
    found = _scan(live_app)
    p = found["active"]

    page.goto(f"{live_server}/patterns?kind=order_block&status=active")
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/patterns/{p['id']}")):
        page.click(f"#patterns-table tr[data-pattern='{p['id']}'] [data-chart-link]")
    wait_ready(page)
    assert f"pattern={p['id']}" in page.url
    shown = stats(page)["pattern"]
    assert shown["state"] == "shown" and shown["attached"] and shown["focused"]
    assert shown["inView"]
    zone = shown["zone"]
    assert zone["from"] == p["time"] and zone["to"] > p["time"]  # active: to its expiry
    assert (zone["top"], zone["bottom"]) == (p["top"], p["bottom"])
    assert shown["lines"] == {k: p[k] for k in ("entry", "stop", "target")}
    assert shown["priceLines"] == [
        {"title": "Entry", "price": p["entry"]},
        {"title": "Stop", "price": p["stop"]},
        {"title": "Target", "price": p["target"]},
    ]
    badge = page.locator("#main-chart .td-pattern-badge")
    expect(badge).to_contain_text(p["status"])
    expect(badge).to_contain_text(f"· {p['interval']} ·")
    expect(badge).to_contain_text("score 81")
    screenshot(page, "chart-pattern-dark")

    _theme(page, "light")
    page.wait_for_timeout(300)
    assert stats(page)["pattern"]["zone"]["top"] == p["top"]  # redrawn in the light palette
    screenshot(page, "chart-pattern-light")

    badge.locator(".btn-close").click()
    expect(badge).to_have_count(0)
    assert stats(page)["pattern"]["attached"]  # dismissing the badge keeps the zone

    # a filled gap: its zone ends on the bar that filled it, and the chart opens on it
    gap = found["filled"]
    url = page.evaluate(f"fetch('/api/v1/patterns/{gap['id']}').then(r => r.json())")["chart_url"]
    page.goto(f"{live_server}{url}")
    wait_ready(page)
    shown = stats(page)["pattern"]
    assert shown["zone"] == {
        "from": gap["time"],
        "to": gap["end"],
        "top": gap["top"],
        "bottom": gap["bottom"],
    }
    assert shown["focused"] and shown["inView"]
    expect(badge).to_contain_text("filled")
    expect(badge).not_to_contain_text("score")
    screenshot(page, "chart-pattern-filled-light")

    left = page.evaluate(
        """() => {
          const chart = window.tradedeckCharts.main;
          const h = chart.highlight;
          chart.destroy();
          return { zone: h.zone.isAttached, levels: h.levels.isAttached,
                   badge: document.querySelectorAll('.td-pattern-badge').length,
                   registered: 'main' in window.tradedeckCharts };
        }"""
    )
    assert left == {"zone": False, "levels": False, "badge": 0, "registered": False}


def test_bad_unknown_foreign_and_misplaced_ids_leave_a_working_chart(
    live_server: str, live_app: Flask, browser: Browser
) -> None:
    seed_instrument(live_app)
    seed_instrument(live_app, symbol="BETA", intervals=("15m",))
    create_user(live_app, "charter")
    create_user(live_app, "other", email="other@example.com")
    p = _scan(live_app, "other")["active"]  # watched by "other" only: not charter's pattern
    page, errors = open_page(browser)
    try:
        page.goto(f"{live_server}/login")
        page.fill("#identifier", "charter")
        page.fill("#password", PASSWORD)
        page.click("#login-form [type=submit]")
        expect(page.locator("#user-menu")).to_be_visible()
        base = f"{live_server}/chart?symbol=ACME&venue=SIM&interval=15m"
        for pattern, note in [
            ("abc", '"abc" is not a pattern id.'),
            ("999999", "Pattern 999999 was not found on your watchlists."),
            (str(p["id"]), f"Pattern {p['id']} was not found on your watchlists."),
        ]:
            page.goto(f"{base}&pattern={pattern}")
            wait_ready(page)
            s = stats(page)
            assert s["candles"] == 600, pattern
            assert s["pattern"]["state"] == "error" and s["pattern"]["zone"] is None, pattern
            assert s["pattern"]["message"] == note
            expect(page.locator(".td-pattern-badge")).to_contain_text(note)
        screenshot(page, "chart-pattern-missing-dark")

        with live_app.app_context():
            charter = db.session.scalars(select(User).where(User.username == "charter")).one()
            services.create_watchlist(charter.id, "Mine", ["15m"], ["ACME"])
        page.goto(f"{live_server}/chart?symbol=BETA&venue=SIM&interval=15m&pattern={p['id']}")
        wait_ready(page)
        s = stats(page)
        assert s["symbol"] == "BETA" and s["candles"] == 600
        elsewhere = f"Pattern {p['id']} is on ACME (SIM), not on this chart."
        assert (s["pattern"]["state"], s["pattern"]["message"]) == ("elsewhere", elsewhere)
        assert s["pattern"]["zone"] is None and s["pattern"]["priceLines"] == []
        page.locator(".td-pattern-badge .btn-close").click()
        expect(page.locator(".td-pattern-badge")).to_have_count(0)
    finally:
        page.context.close()
    assert errors == [NOT_FOUND, NOT_FOUND], errors  # the two expected 404 answers, nothing else
