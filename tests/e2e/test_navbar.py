"""Browser: the navbar groups every feature's pages into a few menus, so it stays one row at
1280 px with the admin's full set of entries and collapses behind the toggler on a phone;
each menu opens and its entries lead to their pages. Screenshots at 1280 and 390 px, dark and
light."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.e2e.helpers import expand_navbar, open_nav, screenshot
from tests.helpers import make_app
from tradedeck.demo import seed_demo

MENUS = ("markets", "trading", "analysis", "admin")


@pytest.fixture
def live_app(tmp_path: Path) -> Flask:
    app = make_app(tmp_path, CANDLE_BACKFILL_DAYS="1")
    with app.app_context():
        assert seed_demo()
    return app


def _log_in_as_admin(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#identifier", "admin@example.com")
    page.fill("#password", "admin123")
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-menu")).to_contain_text("admin")


def _set_theme(page: Page, theme: str) -> None:
    html = page.locator("html")
    if html.get_attribute("data-bs-theme") != theme:
        with page.expect_response("**/preferences/theme"):
            page.click("#theme-toggle")
    expect(html).to_have_attribute("data-bs-theme", theme)


def test_the_admin_navbar_fits_a_laptop_in_one_row(page: Page, live_server: str) -> None:
    _log_in_as_admin(page, live_server)
    navbar = page.locator("nav.navbar")
    for menu in MENUS:
        expect(page.locator(f"#nav-menu-{menu}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    height = navbar.bounding_box()["height"]
    assert height < 70, f"navbar wraps to {height}px"
    for theme in ("dark", "light"):
        _set_theme(page, theme)
        page.click("#nav-menu-analysis")
        expect(page.locator("#mainNav .dropdown-menu.show")).to_contain_text("Watchlists")
        screenshot(page, f"navbar-1280-analysis-{theme}")
        page.click("#nav-menu-admin")
        expect(page.locator("#mainNav .dropdown-menu.show")).to_contain_text("Audit log")
        screenshot(page, f"navbar-1280-admin-{theme}")
        page.keyboard.press("Escape")
    open_nav(page, "Trading", "Orders")
    expect(page).to_have_url(f"{live_server}/orders")
    expect(page.locator("#nav-menu-trading")).to_have_class(re.compile(r"\bactive\b"))


def test_the_navbar_collapses_on_a_phone(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in_as_admin(page, live_server)
    expect(page.locator(".navbar-toggler")).to_be_visible()
    expect(page.locator("#nav-menu-markets")).to_be_hidden()
    for theme in ("dark", "light"):
        expand_navbar(page)
        expect(page.locator("#nav-menu-markets")).to_be_visible()
        _set_theme(page, theme)
        expand_navbar(page)
        page.click("#nav-menu-markets")
        expect(page.locator("#mainNav .dropdown-menu.show")).to_contain_text("Chart")
        screenshot(page, f"navbar-390-markets-{theme}")
        page.reload()
    open_nav(page, "Analysis", "Journal")
    expect(page).to_have_url(f"{live_server}/journal")
