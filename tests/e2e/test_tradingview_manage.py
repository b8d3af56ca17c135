"""Browser: an admin pastes TradingView cookies on /manage, registers a Pine script, links a
demo user's TradingView username, grants 30 days, extends by 30 (the fake TradingView then
lists the new expiry), and removes the access. Screenshots in dark and light."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_nav, screenshot
from tests.fakes.tradingview import FakeTradingView
from tests.helpers import PASSWORD, create_user, make_app
from tradedeck.database import utcnow

PINE = "PUB;3be120ba74944ca7b32ad644f40aaff2"


@pytest.fixture
def fake() -> Iterator[FakeTradingView]:
    with FakeTradingView() as server:
        server.add_script(PINE)
        server.add_user("DemoTrader")
        yield server


@pytest.fixture
def live_app(tmp_path: Path, fake: FakeTradingView) -> Flask:
    app = make_app(tmp_path, TRADEDECK_TRADINGVIEW_URL=fake.url, TRADINGVIEW_EXPIRY_SECS="0")
    create_user(app, "root", role="admin")
    create_user(app, "demo")
    return app


def test_admin_grants_extends_and_removes_access(
    page: Page, live_server: str, fake: FakeTradingView
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server}/login")
    page.fill("#identifier", "root")
    page.fill("#password", PASSWORD)
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-menu")).to_contain_text("admin")

    open_nav(page, "Admin", "TradingView")
    expect(page.locator("#session-badge")).to_have_text("not set")
    expect(page.locator("#tv-grants")).to_contain_text("Nobody has access yet")
    screenshot(page, "tradingview-manage-empty-dark")

    sessionid, sign = fake.new_session()
    page.fill("#cookies-sessionid", sessionid)
    page.fill("#cookies-sessionid_sign", sign)
    page.click("#cookies-submit")
    expect(page.locator(".alert-success")).to_contain_text("session of ScriptOwner saved")
    expect(page.locator("#session-status")).to_contain_text("by root")
    assert sessionid not in page.content()

    page.fill("#pine_id", PINE)
    page.fill("#name", "Smart Money Zones")
    page.fill("#description", "Order blocks and FVGs")
    page.click("#script-submit")
    expect(page.locator(f"#scripts-table tr[data-pine-id='{PINE}']")).to_contain_text(
        "Smart Money Zones"
    )

    page.select_option("#link-user_id", label="demo")
    page.fill("#link-username", "demotrader")
    page.click("#link-submit")
    expect(page.locator(".alert-success")).to_contain_text("Linked TradingView user DemoTrader")

    page.select_option("#grant-user_id", label="demo")
    page.select_option("#grant-duration", "30d")
    page.click("#grant-submit")
    expect(page.locator(".alert-success")).to_contain_text("access granted")
    first = fake.expiration_of(PINE, "DemoTrader")
    assert isinstance(first, type(utcnow()))
    assert abs(first - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)

    row = page.locator("#grants-table tr[data-user=demo]")
    row.locator("select").select_option("30d")
    row.locator(".extend-form button").click()
    expect(page.locator(".alert-success")).to_contain_text("access extended")
    extended = fake.expiration_of(PINE, "DemoTrader")
    assert extended == first + timedelta(days=30)  # TradingView lists the new expiry
    expect(page.locator("#grants-table tr[data-user=demo] .grant-expiry")).to_contain_text(
        extended.strftime("%Y-%m-%d %H:%M")
    )
    expect(page.locator("#operations-table")).to_contain_text("modify: ok")
    screenshot(page, "tradingview-manage-granted-dark")
    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    screenshot(page, "tradingview-manage-granted-light")

    page.locator("#grants-table tr[data-user=demo] .remove-button").click()
    expect(page.locator(".alert-success")).to_contain_text("removed")
    expect(page.locator("#tv-grants")).to_contain_text("Nobody has access yet")
    assert fake.expiration_of(PINE, "DemoTrader") == "absent"
    screenshot(page, "tradingview-manage-removed-light")


def test_user_links_their_tradingview_username(
    page: Page, live_server: str, fake: FakeTradingView
) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#identifier", "demo")
    page.fill("#password", PASSWORD)
    page.click("#login-form [type=submit]")
    open_nav(page, "Analysis", "Pine access")
    expect(page.locator("#tv-my-grants")).to_contain_text("No script access yet")
    expect(page.locator("#mainNav")).not_to_contain_text("TradingView")  # /manage is admin-only
    page.fill("#username", "demotrade")  # a near match is not the user
    page.click("#own-link-submit")
    expect(page.locator(".alert-danger")).to_contain_text("no user named")
    page.fill("#username", "DEMOTRADER")
    page.click("#own-link-submit")
    expect(page.locator("#linked-username")).to_contain_text("DemoTrader")
    screenshot(page, "tradingview-account-dark")
    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    screenshot(page, "tradingview-account-light")
