from flask import Flask
from playwright.sync_api import Page, expect

from tests.e2e.helpers import screenshot
from tradedeck.accounts.models import User
from tradedeck.extensions import db


def test_register_logout_login_and_toggle_theme(
    page: Page, live_server: str, live_app: Flask
) -> None:
    page.goto(f"{live_server}/register")
    screenshot(page, "register")
    page.fill("#username", "walker")
    page.fill("#email", "walker@example.com")
    page.fill("#password", "walk-the-line-7")
    page.fill("#confirm", "walk-the-line-7")
    page.click("#register-form [type=submit]")
    expect(page.locator("h1")).to_have_text("Hello, walker")
    screenshot(page, "dashboard-dark")

    page.click("#user-menu")
    page.click("#logout-button")
    expect(page.locator(".alert")).to_contain_text("You have been logged out.")

    page.fill("#identifier", "walker@example.com")
    page.fill("#password", "wrong-password-1")
    page.click("#login-form [type=submit]")
    expect(page.locator(".alert-danger")).to_contain_text("Invalid username/email or password.")
    page.fill("#identifier", "walker")
    page.fill("#password", "walk-the-line-7")
    page.click("#login-form [type=submit]")
    expect(page.locator("h1")).to_have_text("Hello, walker")

    html = page.locator("html")
    expect(html).to_have_attribute("data-bs-theme", "dark")
    with page.expect_response("**/preferences/theme") as response:
        page.click("#theme-toggle")
    assert response.value.ok
    expect(html).to_have_attribute("data-bs-theme", "light")
    page.reload()
    expect(html).to_have_attribute("data-bs-theme", "light")
    screenshot(page, "dashboard-light")
    with live_app.app_context():
        assert db.session.query(User).filter_by(username_key="walker").one().theme == "light"


def test_profile_page_creates_api_key(page: Page, live_server: str, live_app: Flask) -> None:
    from tests.helpers import PASSWORD, create_user

    create_user(live_app, "keyholder")
    page.goto(f"{live_server}/login")
    page.fill("#identifier", "keyholder")
    page.fill("#password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.goto(f"{live_server}/profile")
    expect(page.locator(".empty-state")).to_contain_text("No API keys yet")
    page.fill("#name", "notebook")
    page.click("#api-key-form [type=submit]")
    expect(page.locator("#new-api-key")).to_contain_text("td_")
    screenshot(page, "profile")
