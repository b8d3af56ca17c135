"""`init_admin(app)`: every admin page, API and command.

Each part of the console registers its blueprints here and its tab with `register_section`;
the admin pages show those tabs (`admin_sections()` in templates) in registration order.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user
from flask_openapi3 import OpenAPI

from tradedeck.admin import audit_views, keys_api, keys_views, users_api, users_views
from tradedeck.admin.audit_api import bp as audit_api_bp
from tradedeck.admin.dashboard_setup import init_market_admin
from tradedeck.admin.users_cli import register_cli
from tradedeck.api.errors import ApiError
from tradedeck.extensions import csrf
from tradedeck.web.nav import NavItem, register_nav

SECTIONS_KEY = "tradedeck.admin_sections"


def register_section(app: Flask, item: NavItem) -> None:
    """Add a tab to the admin pages (shown when its endpoint exists)."""
    app.extensions.setdefault(SECTIONS_KEY, []).append(item)


def admin_sections() -> list[NavItem]:
    items: list[NavItem] = current_app.extensions.get(SECTIONS_KEY, [])
    return [item for item in items if item.endpoint in current_app.view_functions]


def admin_gate() -> Any:
    """before_request, deny by default: any route under /admin or /api/v1/admin is for admins,
    whatever blueprint adds it, and the check runs before request-body validation (so a
    customer gets 403, not a 400 describing the body). Visitors: 401 on the API (from
    `enforce_api_access`), the login page elsewhere."""
    path = request.path
    if request.endpoint is None or not (
        path == "/admin" or path.startswith(("/admin/", "/api/v1/admin/"))
    ):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if not current_user.is_admin:
        raise ApiError(403, "forbidden", "Administrator access is required.")
    return None


def init_admin(app: OpenAPI) -> None:
    app.before_request(admin_gate)
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
            "admin_dashboard.index",
            "Admin",
            "shield-lock",
            admin_only=True,
            description="Users, access keys, audit and access logs.",
        ),
    )
    register_cli(app)
