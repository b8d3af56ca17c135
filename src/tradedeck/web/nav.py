"""Navbar entries: each feature registers its own pages, so the navbar lists only what exists.

The navbar groups them into a few menus (MENUS, matched by endpoint), so it fits a laptop's
width however many features register; admin-only entries and the console's sections form the
Admin menu; an entry no menu takes (the dashboard) stays a top-level link."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app
from flask_login import current_user

NAV_KEY = "tradedeck.nav"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    icon: str
    admin_only: bool = False
    description: str = ""


def register_nav(app: Flask, item: NavItem) -> None:
    app.extensions.setdefault(NAV_KEY, []).append(item)


def nav_items() -> list[NavItem]:
    """The entries the current user may open."""
    items: list[NavItem] = current_app.extensions.get(NAV_KEY, [])
    is_admin = current_user.is_authenticated and current_user.is_admin
    return [item for item in items if is_admin or not item.admin_only]


@dataclass(frozen=True)
class NavMenu:
    label: str
    icon: str
    items: list[NavItem] = field(default_factory=list)

    @property
    def endpoints(self) -> set[str]:
        return {item.endpoint for item in self.items}


# label, icon, endpoints taken in menu order (a trailing "." takes a whole blueprint); the
# first match wins
MENUS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Markets", "globe2", ("market.", "trading.stocks", "charts.")),
    ("Trading", "briefcase", ("trading.",)),
    (
        "Analysis",
        "lightbulb",
        ("signals.", "alerts.", "backtests.", "journal.", "tradingview_account."),
    ),
)
ADMIN_MENU = ("Admin", "shield-lock")


def _place_of(endpoint: str) -> tuple[int, int] | None:
    """(menu, rank in the menu) of an endpoint: its menu's first matching pattern."""
    for index, (_, _, takes) in enumerate(MENUS):
        for rank, t in enumerate(takes):
            if endpoint == t or (t.endswith(".") and endpoint.startswith(t)):
                return index, rank
    return None


def nav_menus(admin_sections: list[NavItem] | None = None) -> list[NavItem | NavMenu]:
    """The navbar's top level for the current user: links and menus, in MENUS order after the
    ungrouped links; empty menus are left out. `admin_sections` (the console's tabs) open the
    Admin menu, followed by the other admin-only entries."""
    links: list[NavItem | NavMenu] = []
    menus = [NavMenu(label, icon) for label, icon, _ in MENUS]
    is_admin = current_user.is_authenticated and current_user.is_admin
    admin = NavMenu(*ADMIN_MENU, items=list(admin_sections or []) if is_admin else [])
    for item in nav_items():
        place = _place_of(item.endpoint)
        if item.admin_only:
            if item.endpoint not in admin.endpoints:
                admin.items.append(item)
        elif place is None:
            links.append(item)
        else:
            menus[place[0]].items.append(item)
    for menu in menus:
        menu.items.sort(key=lambda item: _place_of(item.endpoint) or (0, 0))
    return links + [menu for menu in (*menus, admin) if menu.items]
