"""`/api/v1/admin/dashboard`: the dashboard's figures and hourly series as JSON (admins)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel

from tradedeck.admin import dashboard_jobs, dashboard_stats
from tradedeck.admin.instruments_api import ADMIN_ERRORS, ADMIN_TAGS
from tradedeck.api.auth import admin_only
from tradedeck.worker.queue import get_huey

bp = APIBlueprint(
    "admin_dashboard_api",
    __name__,
    url_prefix="/api/v1/admin",
    abp_tags=ADMIN_TAGS,
    abp_responses=ADMIN_ERRORS,
)


class DashboardOut(BaseModel):
    at: str
    users: dict[str, int]
    orders_today: int
    trades_today: int
    notional_today: str
    venues: list[dict[str, Any]]
    worker: dict[str, Any]
    engine: dict[str, float]
    queue: dict[str, Any]


class DashboardPoint(BaseModel):
    time: int
    value: int


class SeriesOut(BaseModel):
    orders: list[DashboardPoint]
    active_users: list[DashboardPoint]


@bp.get("/dashboard", responses={"200": DashboardOut})
@admin_only
def dashboard() -> Response:
    """Users, orders, trades and traded notional today, venues, worker, engine, queue."""
    body = dashboard_stats.collect().to_json()
    body["queue"] = dashboard_jobs.queue_stats(get_huey(current_app))
    return jsonify(body)


@bp.get("/dashboard/series", responses={"200": SeriesOut})
@admin_only
def series() -> Response:
    """Orders and active users per UTC hour over the last 24 hours (chart points)."""
    return jsonify(dashboard_stats.hourly_series())
