"""The admin dashboard `/admin`: the figures refresh without a reload (htmx polls the
`/admin/dashboard/stats` partial every POLL_SECS) and two small charts (orders and active
users per hour) are drawn by `js/admin_dashboard.js` from `/api/v1/admin/dashboard/series`."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from tradedeck.admin import dashboard_jobs, dashboard_stats
from tradedeck.admin.common import guard
from tradedeck.worker.queue import get_huey

bp = guard(Blueprint("admin_dashboard", __name__, url_prefix="/admin"))
POLL_SECS = 5


def _stats_context() -> dict[str, object]:
    return {
        "stats": dashboard_stats.collect(),
        "queue": dashboard_jobs.queue_stats(get_huey(current_app)),
        "active_minutes": dashboard_stats.ACTIVE_MINUTES,
        "poll_secs": POLL_SECS,
    }


@bp.get("")
def index() -> str:
    return render_template("admin/dashboard.html", **_stats_context())


@bp.get("/dashboard/stats")
def stats_partial() -> str:
    return render_template("admin/dashboard_stats.html", **_stats_context())
