"""Admin dashboard: SQL figures (users, activity, orders, trades, notional), venues, worker,
queue and failed jobs, the hourly series, the page and its htmx partial."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import Flask

from tests.admin.market_helpers import admin_api, admin_web, customer, mapp
from tests.helpers import create_user
from tests.trading.helpers import Api
from tradedeck.admin import dashboard_jobs, dashboard_stats
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Tick
from tradedeck.worker import heartbeat
from tradedeck.worker.queue import get_huey

__all__ = ["admin_api", "admin_web", "customer", "mapp"]


def test_empty_figures(mapp: Flask) -> None:
    with mapp.app_context():
        stats = dashboard_stats.collect()
        assert (stats.users_total, stats.users_active, stats.orders_today) == (0, 0, 0)
        assert stats.notional_today == Decimal("0.00") and stats.ticks_per_sec == 0
        assert stats.worker["ok"] is False
        assert [v.code for v in stats.venues] == ["BINANCE", "SIM"]
        series = dashboard_stats.hourly_series()
        assert len(series["orders"]) == 24 and all(p["value"] == 0 for p in series["orders"])


def test_figures_count_today_and_activity(mapp: Flask, admin_api: Api, customer: Api) -> None:
    create_user(mapp, "idle")
    order = {"symbol": "ACME", "side": "buy", "type": "market", "quantity": "3"}
    assert customer.post("/api/v1/orders", order).status_code == 201
    assert customer.post("/api/v1/orders", order | {"quantity": "2"}).status_code == 201
    with mapp.app_context():
        heartbeat.beat()
        now_ms = int(utcnow().timestamp() * 1000)
        db.session.add_all(
            [
                Tick(
                    instrument_id=mapp.config["MARKET"]["ACME"],
                    time_ms=now_ms - k * 2000,
                    price=Decimal("100"),
                    volume=1.0,
                )
                for k in range(6)
            ]
        )
        db.session.commit()
    body = admin_api.get("/api/v1/admin/dashboard").get_json()
    assert body["users"] == {"total": 3, "active": 2, "signed_up_today": 3}
    assert body["orders_today"] == 2 and body["trades_today"] == 2
    trade_notional = Decimal(body["notional_today"])
    assert trade_notional == Decimal("500.00")  # 5 ACME at 100.00 (no slippage in the fixture)
    assert body["engine"] == {"ticks_per_sec": 0.1, "steps_per_min": 6}
    assert body["worker"]["ok"] is True and body["worker"]["alive"] == 1
    assert body["queue"]["ok"] is True and body["queue"]["failed"] == 0
    sim = next(v for v in body["venues"] if v["code"] == "SIM")
    assert sim["is_open"] is True
    series = admin_api.get("/api/v1/admin/dashboard/series").get_json()
    assert series["orders"][-1]["value"] == 2
    assert series["active_users"][-1]["value"] >= 1
    assert series["orders"][-1]["time"] % 3600 == 0


def test_yesterday_is_not_today(mapp: Flask) -> None:
    user = create_user(mapp, "old")
    with mapp.app_context():
        from tradedeck.accounts.models import User

        row = db.session.get(User, user.id)
        row.created_at = utcnow() - timedelta(days=2)
        db.session.commit()
        stats = dashboard_stats.collect()
    assert stats.users_total == 1 and stats.users_today == 0 and stats.users_active == 0


def test_failed_jobs_are_counted(mapp: Flask, admin_api: Api) -> None:
    huey = get_huey(mapp)
    dashboard_jobs.record_failure(huey, "some.task", RuntimeError("boom"))
    queue = admin_api.get("/api/v1/admin/dashboard").get_json()["queue"]
    assert queue["failed"] == 1 and queue["recent_failures"][0]["error"] == "boom"


def test_page_and_partial(admin_web) -> None:
    page = admin_web.get("/admin").get_data(as_text=True)
    assert 'hx-trigger="every 5s"' in page and 'id="orders-chart"' in page
    assert "js/admin_dashboard.js" in page and "<script>" not in page
    partial = admin_web.get("/admin/dashboard/stats")
    html = partial.get_data(as_text=True)
    assert partial.status_code == 200 and html.lstrip().startswith("{#") is False
    assert 'id="stat-users-total"' in html and "no worker has reported yet" in html


def test_unreachable_queue_is_reported_not_fatal(mapp: Flask, admin_web, monkeypatch) -> None:
    def down() -> int:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(get_huey(mapp), "pending_count", down)
    html = admin_web.get("/admin/dashboard/stats").get_data(as_text=True)
    assert "queue unreachable (ConnectionError)" in html
    with mapp.app_context():
        assert dashboard_jobs.queue_stats(get_huey(mapp))["pending"] is None
