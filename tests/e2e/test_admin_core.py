"""Browser: the demo admin finds the demo customer, resets the password (the customer must pick
a new one at the next login), creates an access key that registers a new user, deactivates and
reactivates that user, and finds all of it in the audit log. Screenshots dark and light."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import open_page, screenshot
from tests.helpers import make_app
from tradedeck.demo import seed_demo


@pytest.fixture
def live_app(tmp_path: Path) -> Flask:
    """The demo database (admin + customer), registration by access key only."""
    app = make_app(tmp_path, CANDLE_BACKFILL_DAYS="1", REGISTRATION_MODE="key")
    with app.app_context():
        assert seed_demo()
    return app


def _login(page: Page, base: str, identifier: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#identifier", identifier)
    page.fill("#password", password)
    page.click("#login-form [type=submit]")


def test_admin_resets_password_issues_key_deactivates_and_audits(
    page: Page, browser: Browser, live_server: str, live_app: Flask
) -> None:
    base = live_server
    _login(page, base, "admin@example.com", "admin123")
    expect(page.locator("#user-menu")).to_contain_text("admin")

    # Users: search with htmx, open the customer, reset the password.
    page.goto(f"{base}/admin/users")
    expect(page.locator("#users-table tr[data-user=admin]")).to_be_visible()
    page.fill("#f-q", "dem")
    expect(page.locator("#users-table tbody tr")).to_have_count(1)
    expect(page.locator("#users-table tr[data-user=demo]")).to_be_visible()
    screenshot(page, "admin-users-dark")
    page.click("#users-table tr[data-user=demo] a")
    expect(page.locator("h1")).to_contain_text("demo")
    expect(page.locator("#cash-table")).to_contain_text("deposit")
    screenshot(page, "admin-user-detail-dark")
    page.click("#reset-password")
    expect(page.locator("#reset-modal")).to_be_visible()
    page.click("#confirm-reset")
    temporary = page.locator("#temporary-password").input_value()
    assert len(temporary) >= 12
    screenshot(page, "admin-user-password-dark")

    # Access keys: create one, copy it.
    page.goto(f"{base}/admin/keys")
    page.fill("#count", "1")
    page.fill("#note", "for newbie")
    page.fill("#expires_in_days", "7")
    page.click("#key-create-form [type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Created 1 key")
    key = page.locator("[data-new-key]").inner_text().strip()
    screenshot(page, "admin-keys-dark")

    # Another browser: the customer must change the temporary password; a newcomer registers.
    other, other_errors = open_page(browser)
    _login(other, base, "demo@example.com", "demo123")
    expect(other.locator(".alert-danger")).to_contain_text("Invalid username/email or password.")
    _login(other, base, "demo", temporary)
    expect(other.locator("#forced-change")).to_be_visible()
    other.goto(f"{base}/portfolio")
    expect(other.locator("#forced-change")).to_be_visible()  # every page leads here first
    screenshot(other, "password-forced-change-dark")
    other.fill("#current_password", temporary)
    other.fill("#password", "fresh-start-42")
    other.fill("#confirm", "fresh-start-42")
    other.click("#password-form [type=submit]")
    expect(other.locator(".alert-success")).to_contain_text("Password changed")
    other.click("#user-menu")
    other.click("#logout-button")
    other.goto(f"{base}/register")
    other.fill("#username", "newbie")
    other.fill("#email", "newbie@example.com")
    other.fill("#password", "new-in-town-9")
    other.fill("#confirm", "new-in-town-9")
    other.fill("#access_key", key)
    other.click("#register-form [type=submit]")
    expect(other.locator("#user-menu")).to_contain_text("newbie")

    # The key is used by newbie; deactivate and reactivate newbie.
    page.goto(f"{base}/admin/keys?state=used")
    expect(page.locator("#keys-table tbody tr")).to_have_count(1)
    expect(page.locator("#keys-table")).to_contain_text("newbie")
    page.click("#keys-table a:text-is('newbie')")
    expect(page.locator("h1")).to_contain_text("newbie")
    page.click("#deactivate-user")
    page.click("#confirm-deactivate")
    expect(page.locator(".alert-success")).to_contain_text("newbie is deactivated")
    expect(page.locator("#user-state")).to_contain_text("deactivated")
    other.goto(f"{base}/profile")
    expect(other.locator("#login-form")).to_be_visible()  # signed out at once
    page.click("#reactivate-user")
    expect(page.locator("#user-state")).to_contain_text("active")
    page.click("#edit-user")
    page.fill("#email", "not-an-email")
    page.click("#user-edit-form [type=submit]")
    expect(page.locator("#user-edit-form .invalid-feedback")).to_contain_text("Invalid email")
    screenshot(page, "admin-user-edit-error-dark")
    page.fill("#email", "newbie.renamed@example.com")
    page.click("#user-edit-form [type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Saved newbie")

    # A one-time reset link instead of a temporary password: newbie sets a password with it.
    page.click("#reset-password")
    page.click("#confirm-reset-link")
    link = page.locator("#reset-link").input_value()
    screenshot(page, "admin-user-reset-link-dark")
    other.goto(link)
    expect(other.locator("#password-reset-form")).to_be_visible()
    screenshot(other, "password-reset-link-dark")
    other.fill("#password", "via-the-link-5")
    other.fill("#confirm", "via-the-link-5")
    other.click("#password-reset-form [type=submit]")
    expect(other.locator(".alert-success")).to_contain_text("Password set")
    _login(other, base, "newbie", "via-the-link-5")
    expect(other.locator("#user-menu")).to_contain_text("newbie")

    # The audit log has all of it; filters narrow it.
    page.goto(f"{base}/admin/audit")
    table = page.locator("#audit-table")
    for action, count in (
        ("user.password_reset", 2),
        ("access_key.create", 1),
        ("user.deactivate", 1),
        ("user.reactivate", 1),
        ("user.update", 1),
    ):
        expect(table.locator(f"tr[data-action='{action}']")).to_have_count(count)
    screenshot(page, "admin-audit-dark")
    page.fill("#f-action", "user.")
    expect(table.locator("tbody tr")).to_have_count(5)
    page.fill("#f-target", "newbie")
    expect(table.locator("tbody tr")).to_have_count(4)
    page.goto(f"{base}/admin/access?user=demo")
    expect(page.locator("#access-table tr[data-event='login.failure']")).to_have_count(1)
    screenshot(page, "admin-access-dark")

    # Light theme: the same pages.
    with page.expect_response("**/preferences/theme"):
        page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    for path, name in (
        ("/admin/audit", "admin-audit-light"),
        ("/admin/access", "admin-access-light"),
        ("/admin/users", "admin-users-light"),
        ("/admin/keys", "admin-keys-light"),
    ):
        page.goto(f"{base}{path}")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
        screenshot(page, name)
    page.goto(f"{base}/admin/users")
    page.click("#users-table tr[data-user=demo] a")
    expect(page.locator("#login-history, #logins-table")).to_contain_text("login")
    screenshot(page, "admin-user-detail-light")
    other.context.close()
    assert other_errors == []
