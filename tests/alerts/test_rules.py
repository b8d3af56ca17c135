"""Alert rules: level and line crosses on ticks, new patterns, signal scores, fills, cash;
the bell's API and its SSE stream."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.charts.factories import seed_instrument
from tests.helpers import csrf_token
from tests.signals.helpers import NOW
from tradedeck.alerts import evaluator, services
from tradedeck.alerts.models import Notification
from tradedeck.alerts.services import RuleSpec
from tradedeck.alerts.stream import MAX_KEY, POLL_KEY
from tradedeck.charts.models import ChartDrawing
from tradedeck.extensions import db
from tradedeck.market.engine import TickEvent
from tradedeck.market.models import Instrument
from tradedeck.signals import scanner
from tradedeck.signals import services as signal_services
from tradedeck.trading import ledger
from tradedeck.trading.models import Order, Trade


def _tick(instrument_id: int, price: str, at: int) -> TickEvent:
    return TickEvent(instrument_id, "ACME", "SIM", Decimal(price), None, at, {})


def _titles() -> list[str]:
    db.session.expire_all()
    return [n.title for n in db.session.scalars(select(Notification).order_by(Notification.id))]


def _acme() -> Instrument:
    return db.session.scalars(select(Instrument).where(Instrument.symbol == "ACME")).one()


def test_price_level_cross_fires_once_per_crossing(app: Flask, user) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    with app.app_context():
        services.create_rule(
            user.id, RuleSpec("price_cross", "ACME 100", symbol="ACME", level=Decimal(100))
        )
        iid = _acme().id
        for t, price in enumerate(["99", "99.5", "100.5", "101", "99", "98"]):
            evaluator.on_ticks(app, [_tick(iid, price, 1000 + t)])
        assert _titles() == ["ACME crossed above level 100", "ACME crossed below level 100"]


def test_drawn_trend_line_cross(app: Flask, user) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    with app.app_context():
        line = ChartDrawing(
            user_id=user.id,
            venue="SIM",
            symbol="ACME",
            kind="trend",
            points=[{"time": 0, "price": 100.0}, {"time": 1000, "price": 110.0}],
        )
        db.session.add(line)
        db.session.commit()
        services.create_rule(user.id, RuleSpec("line_cross", "trend", drawing_id=line.id))
        iid = _acme().id
        evaluator.on_ticks(app, [_tick(iid, "104", 500)])  # line at 105: below
        evaluator.on_ticks(app, [_tick(iid, "106", 900)])  # line at 109: still below
        assert _titles() == []
        evaluator.on_ticks(app, [_tick(iid, "111", 1000)])  # line at 110: above
        assert _titles() == ["ACME crossed above line 110"]


def test_new_patterns_notify_watchers_with_a_chart_link(app: Flask, user) -> None:
    seed_instrument(app, "ACME", intervals=("15m",), n=300, end=NOW)
    with app.app_context():
        signal_services.create_watchlist(user.id, "W", ["15m"], ["ACME"])
        services.create_rule(user.id, RuleSpec("pattern", "any"))
        first = scanner.scan_many([(_acme(), "15m")], now=NOW - 60 * 900)
        assert first.new and len(list(db.session.scalars(select(Notification)))) == len(
            first.fresh
        )  # a new watchlist's history is stored, not announced
        result = scanner.scan_many([(_acme(), "15m")], now=NOW)
        notes = list(db.session.scalars(select(Notification)))
        assert result.fresh == result.new and len(notes) == len(first.fresh + result.fresh)
        assert result.new
        assert all(n.url.startswith("/chart?symbol=ACME&venue=SIM&interval=15m") for n in notes)


def _store_fill(account_id: int, user_id: int, instrument_id: int) -> None:
    values = {"account_id": account_id, "instrument_id": instrument_id, "side": "buy"}
    order = Order(user_id=user_id, type="market", quantity=Decimal(2), status="filled", **values)
    db.session.add(order)
    db.session.flush()
    money = {"price": Decimal("101.5"), "notional": Decimal(203), "fee": Decimal("0.1")}
    db.session.add(Trade(order_id=order.id, quantity=Decimal(2), **values, **money))
    db.session.commit()


def test_fills_and_cash_below(app: Flask, user) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    with app.app_context():
        ledger.deposit(user.id, "1000")
        account = ledger.find_account(user.id)
        _store_fill(account.id, user.id, _acme().id)  # before any rule: nothing to say
        assert evaluator.check_fills() == 0
        services.create_rule(user.id, RuleSpec("order_filled", "fills"))
        services.create_rule(user.id, RuleSpec("cash_below", "low", threshold=Decimal(500)))
        _store_fill(account.id, user.id, _acme().id)
        assert evaluator.check_fills() == 2  # the worker's pass sees both recent fills
        assert evaluator.check_fills() == 0  # a fill notifies once however often it is read
        assert _titles() == ["Filled: buy 2 ACME @ 101.5"] * 2
        ledger.withdraw(user.id, "600")
        assert evaluator.check_cash() == 1
        assert evaluator.check_cash() == 0  # fired once until cash recovers
        ledger.deposit(user.id, "600")
        assert evaluator.check_cash() == 0
        ledger.withdraw(user.id, "700")
        assert evaluator.check_cash() == 1


def test_rule_api_validates_and_the_bell_counts(app: Flask, logged_in: FlaskClient, user) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    h = {"X-CSRFToken": csrf_token(logged_in, "/alerts")}
    no_level = logged_in.post(
        "/api/v1/alerts", json={"kind": "price_cross", "name": "x", "symbol": "ACME"}, headers=h
    )
    assert no_level.status_code == 400 and no_level.get_json()["error"]["field"] == "level"
    no_line = logged_in.post(
        "/api/v1/alerts", json={"kind": "line_cross", "name": "x", "drawing_id": 9}, headers=h
    )
    assert no_line.status_code == 404 and no_line.get_json()["error"]["field"] == "drawing_id"
    made = logged_in.post(
        "/api/v1/alerts",
        json={"kind": "price_cross", "name": "x", "symbol": "ACME", "level": "100.5"},
        headers=h,
    )
    assert made.status_code == 201 and made.get_json()["level"] == "100.50000000"
    with app.app_context():
        services.notify(user.id, "a", "pattern", "one")
        services.notify(user.id, "b", "pattern", "two")
        db.session.commit()
    listed = logged_in.get("/api/v1/notifications").get_json()
    assert listed["unread"] == 2 and [n["title"] for n in listed["notifications"]] == ["two", "one"]
    page = logged_in.get("/alerts").get_data(as_text=True)
    assert 'id="bell-count">2<' in page
    marked = logged_in.post("/api/v1/notifications/read", headers=h).get_json()
    assert marked == {"marked": 2, "unread": 0}


def test_stream_sends_new_notifications_and_is_capped(
    app: Flask, logged_in: FlaskClient, user
) -> None:
    app.config.update({MAX_KEY: 0.6, POLL_KEY: 0.05})
    with app.app_context():
        services.notify(user.id, "a", "pattern", "ACME 15m: bullish FVG", "zone", "/chart")
        db.session.commit()
    response = logged_in.get("/api/v1/notifications/stream?after=0")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    text = response.get_data(as_text=True)
    assert "event: notification" in text and '"unread":1' in text and "event: end" in text
    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(
        update={"notify_stream_max_per_user": 1}
    )
    held = logged_in.get("/api/v1/notifications/stream", buffered=False)
    refused = logged_in.get("/api/v1/notifications/stream")
    assert refused.status_code == 429
    held.close()
