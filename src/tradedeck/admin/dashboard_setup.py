"""The admin-market part of `init_admin` (dashboard, instruments and candles pages and APIs,
their admin tabs) and `init_admin_jobs` (the candle job task, the failed-job log)."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from tradedeck.admin import (
    candles,
    candles_api,
    candles_jobs,
    dashboard,
    dashboard_api,
    dashboard_jobs,
    instruments,
    instruments_api,
)
from tradedeck.extensions import csrf
from tradedeck.web.nav import NavItem

SECTIONS = (
    NavItem(
        "admin_dashboard.index",
        "Dashboard",
        "speedometer",
        admin_only=True,
        description="Live users, orders, venues, worker and queue figures.",
    ),
    NavItem(
        "admin_instruments.index",
        "Instruments",
        "sliders",
        admin_only=True,
        description="Create simulated stocks, edit them, halt and resume trading.",
    ),
    NavItem(
        "admin_candles.index",
        "Candles",
        "bar-chart-steps",
        admin_only=True,
        description="Candle coverage and gaps; backfill and gap-repair jobs.",
    ),
)


def init_market_admin(app: OpenAPI) -> None:
    for blueprint in (dashboard.bp, instruments.bp, candles.bp):
        app.register_blueprint(blueprint)
    for api in (dashboard_api.bp, instruments_api.bp, candles_api.bp):
        app.register_api(api)
        csrf.exempt(api)
    from tradedeck.admin.setup import register_section  # setup imports this module

    for item in SECTIONS:
        register_section(app, item)


def init_admin_jobs(app: OpenAPI) -> None:
    """The queue side (called after `init_queue`): the candle job task and the failed-job log."""
    candles_jobs.init_candle_jobs(app)
    dashboard_jobs.install_failure_log(app)
