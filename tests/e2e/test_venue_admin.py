"""Browser: the demo admin opens Venues, adds a half-day holiday to SIM and sees it listed,
edits it in place and sees both changes under Recent changes; a bad weekly-hours entry shows
its error at the field; an exchange venue (NYSE) shows its calendar's hours and holidays read
only. Screenshots in dark and light."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_nav, screenshot
from tests.helpers import make_app
from tradedeck.demo import seed_demo
from tradedeck.venues import admin as venues_admin


@pytest.fixture
def live_app(tmp_path: Path) -> Flask:
    """The demo database: admin and customer, SIM with its seeded hours and holidays."""
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


def test_admin_adds_a_holiday_and_sees_it_listed(
    page: Page, live_server: str, live_app: Flask
) -> None:
    _log_in_as_admin(page, live_server)

    open_nav(page, "Admin", "Venues")
    expect(page.locator("#venues-table tr[data-venue=SIM]")).to_contain_text("mon-fri 09:30-16:00")
    screenshot(page, "venue-admin-list-dark")
    page.click("#venues-table tr[data-venue=SIM] >> text=Manage")
    expect(page.locator("h1")).to_contain_text("SIM")
    expect(page.locator("#hours-mon")).to_have_value("09:30-16:00")
    expect(page.locator("#audit")).to_contain_text("No changes yet")

    page.fill("#holiday-date", "2030-12-24")
    page.fill("#holiday-name", "Christmas Eve")
    page.fill("#holiday-early-close", "13:00")
    page.click("#holiday-submit")
    expect(page.locator(".alert-success")).to_contain_text(
        "SIM closes at 13:00 on Tue 24 Dec 2030 (Christmas Eve)."
    )
    row = page.locator("#holidays-table tr[data-date='2030-12-24']")
    expect(row).to_contain_text("Christmas Eve")
    expect(row).to_contain_text("closes 13:00")
    with live_app.app_context():
        [eve] = venues_admin.list_holidays("SIM", date(2030, 12, 24), date(2030, 12, 24))
        assert eve.name == "Christmas Eve"
    screenshot(page, "venue-admin-holiday-dark")

    audit = page.locator("#audit")
    expect(audit.locator("#audit-table tbody tr")).to_have_count(1)
    edit_row = page.locator("#holiday-edit-2030-12-24")
    expect(edit_row).to_be_hidden()
    row.get_by_role("button", name="Edit Christmas Eve on 2030-12-24").click()
    expect(edit_row).to_be_visible()
    expect(page.locator("#holiday-edit-name-2030-12-24")).to_have_value("Christmas Eve")
    expect(page.locator("#holiday-edit-early-close-2030-12-24")).to_have_value("13:00")
    page.fill("#holiday-edit-name-2030-12-24", "Christmas Eve half day")
    page.fill("#holiday-edit-early-close-2030-12-24", "12:00")
    page.evaluate("window.scrollTo(0, 0)")  # full-page shot: keep the sticky navbar on top
    screenshot(page, "venue-admin-holiday-edit-dark")
    page.click("#holiday-edit-submit-2030-12-24")
    expect(page.locator(".alert-success")).to_contain_text(
        "Saved Christmas Eve half day (Tue 24 Dec 2030): SIM closes at 12:00."
    )
    expect(row).to_contain_text("Christmas Eve half day")
    expect(row).to_contain_text("closes 12:00")
    expect(edit_row).to_be_hidden()
    entries = audit.locator("#audit-table tbody tr")
    expect(entries).to_have_count(2)
    expect(entries.first).to_have_attribute("data-action", "holiday.update")
    expect(entries.first).to_contain_text("admin")
    expect(entries.first).to_contain_text(
        "2030-12-24: Christmas Eve (closes 13:00) → Christmas Eve half day (closes 12:00)"
    )
    expect(entries.nth(1)).to_have_attribute("data-action", "holiday.add")
    with live_app.app_context():
        [eve] = venues_admin.list_holidays("SIM", date(2030, 12, 24), date(2030, 12, 24))
        assert (eve.name, eve.early_close) == ("Christmas Eve half day", time(12))
    screenshot(page, "venue-admin-audit-dark")

    page.fill("#hours-sat", "10:00-09:00")
    page.click("#hours-submit")
    expect(page.locator(".alert-danger")).to_contain_text("Hours not saved")
    expect(page.locator("#hours-sat")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#hours-sat + .invalid-feedback")).to_contain_text(
        "sat: close 09:00 must be after open 10:00"
    )
    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    screenshot(page, "venue-admin-hours-error-light")


def test_an_exchange_venue_shows_its_calendar(
    page: Page, live_server: str, live_app: Flask
) -> None:
    _log_in_as_admin(page, live_server)
    page.goto(f"{live_server}/admin/venues")
    nyse = page.locator("#venues-table tr[data-venue=NYSE]")
    expect(nyse).to_contain_text("XNYS calendar: mon-fri 09:30-16:00")
    expect(page.locator("#venues-table tr[data-venue=NSE]")).to_contain_text("Asia/Kolkata")
    nyse.get_by_role("link", name="Manage").click()
    expect(page.locator("#hours-kind")).to_have_text("XNYS calendar")
    expect(page.locator("#calendar-note")).to_contain_text("exchange calendar")
    expect(page.locator("#hours-form")).to_have_count(0)
    page.goto(f"{live_server}/admin/venues/NYSE?past=1#holidays")
    thanksgiving = page.locator("#holidays-table tr[data-date='2026-11-26']")
    expect(thanksgiving).to_contain_text("Thanksgiving")
    expect(thanksgiving).to_contain_text("exchange calendar")
    expect(page.locator("#holidays-table tr[data-date='2026-11-27']")).to_contain_text(
        "closes 13:00"
    )
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "venue-admin-exchange-dark")
    page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    screenshot(page, "venue-admin-exchange-light")
