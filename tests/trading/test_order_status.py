"""Order status changes go through core.orders transitions; the orders list resolves symbols."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from tradedeck.core.orders import IllegalTransition, OrderStatus
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.trading import execution
from tradedeck.trading.models import Order


def _order(trader, **body) -> int:
    response = trader.post("/api/v1/orders", {"side": "buy", "quantity": "1", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["order"]["id"]


def test_status_changes_stamp_their_time_and_release_reservations(tapp: Flask, trader) -> None:
    resting = _order(trader, symbol="ACME", type="limit", limit_price="90.00")
    assert trader.delete(f"/api/v1/orders/{resting}").status_code == 200
    with tapp.app_context():
        order = db.session.get(Order, resting)
        assert order.status == "cancelled" and order.cancelled_at is not None
        assert order.reserved_cash == 0 and order.reserved_quantity == 0
        changes = execution.status_change("open", OrderStatus.EXPIRED, utcnow())
        assert set(changes) == {"status", "expired_at", "reserved_cash", "reserved_quantity"}
        assert set(execution.status_change("queued", OrderStatus.OPEN, utcnow())) == {
            "status",
            "opened_at",
        }


def test_a_finished_order_cannot_change_status(tapp: Flask, trader) -> None:
    filled = _order(trader, symbol="ACME")
    with tapp.app_context():
        order = db.session.get(Order, filled)
        assert order.status == "filled"
        for new in (OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.OPEN):
            with pytest.raises(IllegalTransition):
                execution.move(order, new, utcnow())
        assert order.status == "filled"
        later = utcnow() + timedelta(days=2)
        assert execution.expire_day_orders(later) == 0
    refused = trader.delete(f"/api/v1/orders/{filled}")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_cancellable"


def test_orders_list_symbol_resolves_like_other_routes(trader) -> None:
    btc = _order(trader, symbol="BTC/USDT", quantity="0.001")
    _order(trader, symbol="ACME")
    for symbol in ("BTC/USDT", "btc/usdt", "BTCUSDT", "BINANCE:BTC/USDT", "binance:btcusdt"):
        listed = trader.get(f"/api/v1/orders?symbol={symbol}").get_json()["orders"]
        assert [o["id"] for o in listed] == [btc], symbol
    unknown = trader.get("/api/v1/orders?symbol=NOPE")
    assert unknown.status_code == 404
    assert unknown.get_json()["error"] == {
        "code": "unknown_symbol",
        "message": "Unknown symbol 'NOPE'.",
        "field": "symbol",
    }
