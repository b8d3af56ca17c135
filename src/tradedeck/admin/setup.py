"""`init_admin(app)`: every admin page, API and command.

Each part of the console registers its blueprints here and its tab with `register_section`;
the admin pages show those tabs (`admin_sections()` in templates) in registration order.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_openapi3 import OpenAPI

from tradedeck.admin import audit_views, keys_api, keys_views, users_api, users_views
from tradedeck.admin.audit_api import bp as audit_api_bp
from tradedeck.admin.dashboard_setup import init_market_admin
from tradedeck.admin.users_cli import register_cli
from tradedeck.extensions import csrf
from tradedeck.web.nav import NavItem, register_nav

SECTIONS_KEY = "tradedeck.admin_sections"


def register_section(app: Flask, item: NavItem) -> None:
    """Add a tab to the admin pages (shown when its endpoint exists)."""
    app.extensions.setdefault(SECTIONS_KEY, []).append(item)


def admin_sections() -> list[NavItem]:
    items: list[NavItem] = current_app.extensions.get(SECTIONS_KEY, [])
    return [item for item in items if item.endpoint in current_app.view_functions]


def init_admin(app: OpenAPI) -> None:
    init_market_admin(app)  # dashboard, instruments, candles: the first tabs
    for blueprint in (users_views.bp, keys_views.bp, audit_views.bp):
        app.register_blueprint(blueprint)
    for api in (users_api.bp, keys_api.bp, audit_api_bp):
        app.register_api(api)
        csrf.exempt(api)
    app.add_template_global(admin_sections)
    for item in (
        NavItem(
            "admin_users.index",
            "Users",
            "people",
            admin_only=True,
            description="Search, inspect, edit, reset or deactivate accounts.",
        ),
        NavItem(
            "admin_keys.index",
            "Access keys",
            "key",
            admin_only=True,
            description="One-time registration keys: create, list, revoke.",
        ),
        NavItem(
            "admin_audit.audit",
            "Audit log",
            "journal-text",
            admin_only=True,
            description="Every admin action, before and after; CSV export.",
        ),
        NavItem(
            "admin_audit.access",
            "Access log",
            "door-open",
            admin_only=True,
            description="Logins, failed logins, logouts and API-key use.",
        ),
        NavItem("venue_admin.index", "Venues", "calendar-week", admin_only=True),
    ):
        register_section(app, item)
    register_nav(
        app,
        NavItem(
            "admin_users.index",
            "Admin",
            "shield-lock",
            admin_only=True,
            description="Users, access keys, audit and access logs.",
        ),
    )
    register_cli(app)
