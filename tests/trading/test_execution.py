"""Queued orders at the open (exactly once, across restarts), triggers, expiry, events."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.helpers import api_login, app_overrides, create_user
from tests.trading.helpers import TRADING_SETTINGS, Api, fund, set_price, set_sim
from tradedeck.app import create_app
from tradedeck.extensions import db, events
from tradedeck.trading import execution, ledger
from tradedeck.trading.models import Account, Order, Trade


def _place(api: Api, **body: str) -> dict:
    response = api.post("/api/v1/orders", {"symbol": "ACME", "side": "buy", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["order"]


def test_order_placed_while_closed_fills_once_at_the_open_across_restart(
    tapp: Flask, trader: Api, tmp_path: Path
) -> None:
    set_sim(tapp, "closed")
    order = _place(trader, quantity="5", client_order_id="q-1")
    assert order["status"] == "queued" and order["queued_at"]
    with tapp.app_context():
        assert execution.process_orders() == 0  # still closed: nothing happens
    set_sim(tapp, "open")
    # A "restarted" worker is a second app (own engine, pool and caches) on the same database:
    # both run their cycle at the same moment; exactly one of them fills the order.
    restarted = create_app(
        app_overrides(tmp_path, **TRADING_SETTINGS), instance_path=tmp_path / "instance2"
    )
    results: list[int] = []

    def cycle(app: Flask) -> None:
        with app.app_context():
            results.append(execution.process_orders())

    threads = [threading.Thread(target=cycle, args=(a,)) for a in (tapp, restarted, tapp)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 1]
    for app in (tapp, restarted):
        with app.app_context():
            execution.run_cycle()
    with tapp.app_context():
        assert db.session.scalar(select(func.count()).select_from(Trade)) == 1
        account = db.session.scalars(select(Account)).one()
        assert account.cash == Decimal("9499.50") == ledger.ledger_sum(account.id)
    detail = trader.get(f"/api/v1/orders/{order['id']}").get_json()["order"]
    assert detail["status"] == "filled" and detail["filled_at"] and detail["queued_at"]
    with restarted.app_context():
        db.session.remove()
        db.engine.dispose()


def test_limit_and_stop_orders_trigger_on_ticks(tapp: Flask, trader: Api) -> None:
    acme = tapp.config["MARKET"]["ACME"]
    limit = _place(trader, type="limit", quantity="10", limit_price="95.00")
    stop = _place(trader, type="stop", quantity="1", stop_price="105.00")
    assert limit["status"] == stop["status"] == "open"
    filled: list[int] = []

    def on_fill(order_id: int, trade: Trade) -> None:
        filled.append(order_id)

    execution.order_filled.connect(on_fill)
    try:
        set_price(tapp, acme, "96.00")
        with tapp.app_context():
            assert execution.process_orders() == 0
        set_price(tapp, acme, "94.50")
        with tapp.app_context():
            # as the price engine publishes it: tick events with instrument ids
            tick = type("Tick", (), {"instrument_id": acme})()
            events.signal("market.tick").send(tapp, ticks=[tick])
        assert filled == [limit["id"]]
        fill = trader.get(f"/api/v1/orders/{limit['id']}").get_json()["order"]
        assert fill["fill_price"] == "94.50"  # at or below the limit
        set_price(tapp, acme, "105.20")
        with tapp.app_context():
            assert execution.process_orders() == 1
        assert filled == [limit["id"], stop["id"]]
    finally:
        execution.order_filled.disconnect(on_fill)
    assert trader.get(f"/api/v1/orders/{stop['id']}").get_json()["order"]["fill_price"] == (
        "105.20"
    )


def test_stop_limit_triggers_then_rests(tapp: Flask, trader: Api) -> None:
    acme = tapp.config["MARKET"]["ACME"]
    order = _place(
        trader, type="stop_limit", quantity="1", stop_price="102.00", limit_price="102.50"
    )
    set_price(tapp, acme, "103.00")  # triggered, but above the limit: rests as a limit
    with tapp.app_context():
        assert execution.process_orders() == 0
        row = db.session.get(Order, order["id"])
        assert row.triggered and row.status == "open"
    set_price(tapp, acme, "102.40")
    with tapp.app_context():
        assert execution.process_orders() == 1


def test_day_orders_expire_at_the_close_and_gtc_survive(tapp: Flask, trader: Api) -> None:
    day = _place(trader, type="limit", quantity="1", limit_price="50.00")
    gtc = _place(trader, type="limit", quantity="1", limit_price="50.00", time_in_force="gtc")
    with tapp.app_context():
        row = db.session.get(Order, day["id"])
        assert execution.expire_day_orders(row.expires_at) == 1
        assert db.session.get(Order, day["id"]).status == "expired"
        assert db.session.get(Order, gtc["id"]).status == "open"
    cash = trader.get("/api/v1/cash").get_json()
    assert Decimal(cash["balance"]) - Decimal(cash["available"]) == Decimal("50.05")


def test_queued_buy_is_rejected_at_the_open_when_cash_is_gone(tapp: Flask) -> None:
    user = create_user(tapp)
    fund(tapp, user.id, "1000")
    set_sim(tapp, "closed")
    client = tapp.test_client()
    api = Api(client, api_login(client))
    order = _place(api, quantity="9")
    set_price(tapp, tapp.config["MARKET"]["ACME"], "120.00")  # gapped past the reservation
    set_sim(tapp, "open")
    with tapp.app_context():
        assert execution.process_orders() == 0
    row = api.get(f"/api/v1/orders/{order['id']}").get_json()["order"]
    assert row["status"] == "rejected" and "insufficient funds" in row["reject_reason"]
    assert api.get("/api/v1/cash").get_json()["available"] == "1000.00"


def test_equity_samples(tapp: Flask, trader: Api) -> None:
    from tradedeck.trading import portfolio

    trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "10"})
    with tapp.app_context():
        assert portfolio.sample_equity() == 1
    points = trader.get("/api/v1/portfolio/equity").get_json()["points"]
    assert points[0]["equity"] == "9999.00" and points[0]["cash"] == "8999.00"


def test_a_failing_order_neither_stops_the_others_nor_works_forever(
    tapp: Flask, trader: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = tapp.config["MARKET"]["ACME"]
    broken = _place(trader, type="limit", quantity="1", limit_price="95.00")
    healthy = _place(trader, type="limit", quantity="2", limit_price="95.00")
    real_fill = execution.fill

    def fill(account: Account, order: Order, price: Decimal, now: object) -> Trade | None:
        if order.id == broken["id"]:  # e.g. an amount the money column cannot hold
            raise OverflowError("numeric overflow")
        return real_fill(account, order, price, now)

    monkeypatch.setattr(execution, "fill", fill)
    set_price(tapp, acme, "94.00")
    with tapp.app_context():
        assert execution.process_orders() == 1  # the healthy order fills beside the broken one
        for _ in range(execution.MAX_ORDER_FAILURES - 1):
            assert execution.process_orders() == 0
    assert trader.get(f"/api/v1/orders/{healthy['id']}").get_json()["order"]["status"] == "filled"
    row = trader.get(f"/api/v1/orders/{broken['id']}").get_json()["order"]
    assert row["status"] == "rejected" and "failed repeatedly" in row["reject_reason"]
    cash = trader.get("/api/v1/cash").get_json()
    assert cash["available"] == cash["balance"]  # the rejected order reserves nothing


def test_a_failing_tick_receiver_does_not_stop_the_others(tapp: Flask) -> None:
    from tradedeck.market.engine import PriceEngine

    heard: list[int] = []

    def failing(_sender: object, **_: object) -> None:
        raise RuntimeError("subscriber bug")

    def listening(_sender: object, ticks: list[object], **_: object) -> None:
        heard.append(len(ticks))

    signal = events.signal("market.tick")
    signal.connect(failing, weak=False)
    signal.connect(listening, weak=False)
    try:
        with tapp.app_context():
            engine = PriceEngine(tapp)
            try:
                engine._publish([type("Tick", (), {"instrument_id": 0})()])
            finally:
                engine.close()
    finally:
        signal.disconnect(failing)
        signal.disconnect(listening)
    assert heard == [1]
