"""Browser test helpers: screenshots into test-artifacts/ for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_page(browser: Browser) -> tuple[Page, list[str]]:
    """A page in a fresh browser context, and the list its console and page errors go to."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def expand_navbar(page: Page) -> None:
    """On a narrow screen, open the collapsed navbar and wait until its transition is over
    (Bootstrap swaps `collapsing` for `show`): a click on an entry still sliding in can land
    on whatever is under it."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        expect(page.locator("#mainNav")).to_have_class(re.compile(r"\bshow\b"))


def open_nav(page: Page, menu: str, entry: str) -> None:
    """Open a navbar menu (Markets, Trading, Analysis, Admin) and follow one of its entries;
    on a narrow screen the collapsed navbar is opened first."""
    expand_navbar(page)
    page.click(f"#nav-menu-{menu.lower()}")
    page.locator(f"#mainNav .dropdown-menu.show >> text={entry}").click()
