"""Navbar entries: each feature registers its own pages, so the navbar lists only what exists."""

from __future__ import annotations

from dataclasses import dataclass

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
