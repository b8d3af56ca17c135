"""The order path's cost and its Core writes: a statement budget, a response equal to the
stored row, the fill event, and the books after a mix of fills and rejections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from psycopg import _queries as psycopg_queries
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import psycopg as postgresql_psycopg

from tests.helpers import recorded_statements
from tests.trading.helpers import Api, set_sim
from tradedeck.extensions import db
from tradedeck.trading import execution, ledger, order_writes
from tradedeck.trading.models import Account, CashTransaction, Order, Position, Trade

# [BEGIN IMMEDIATE], account lock (which also reads the JWT caller's user row: the order
# views check it there, `api.auth.checks_caller_itself`), book, order, position, ledger rows,
# cash, trade, and the journal entry (the journal's fill companion, one INSERT in the fill's
# transaction). On PostgreSQL the order and everything of its fill is one statement. Alert
# rules cost nothing here: the worker reads fills.
FILLED_ORDER_STATEMENTS = 9
FILLED_ORDER_STATEMENTS_POSTGRESQL = 3


def test_a_filled_market_order_stays_within_its_statement_budget(tapp: Flask, trader: Api) -> None:
    trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "1"})  # position exists
    for side in ("buy", "sell"):
        with recorded_statements(tapp) as seen:
            response = trader.post(f"/api/v1/trade/{side}", {"symbol": "ACME", "quantity": "1"})
        assert response.get_json()["order"]["status"] == "filled"
        budget = FILLED_ORDER_STATEMENTS
        if tapp.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            budget = FILLED_ORDER_STATEMENTS_POSTGRESQL
        assert len(seen) <= budget, "\n".join(seen)
        assert not [s for s in seen if s.lstrip().upper().startswith("SELECT ORDERS.")]


def test_the_response_equals_the_stored_order(trader: Api) -> None:
    for body in (
        {
            "symbol": "ACME",
            "side": "buy",
            "type": "market",
            "quantity": "3",
            "client_order_id": "a",
        },
        {"symbol": "ACME", "side": "buy", "type": "limit", "quantity": "2", "limit_price": "90"},
        {"symbol": "ACME", "side": "sell", "type": "market", "quantity": "1"},
        {"symbol": "ACME", "side": "sell", "type": "market", "quantity": "50"},  # > held
        {"symbol": "BTC/USDT", "side": "buy", "quantity": "0.01", "time_in_force": "gtc"},
    ):
        response = trader.post("/api/v1/orders", body)
        assert response.status_code in (201, 400), response.get_json()
        if response.status_code == 400:
            continue
        placed = response.get_json()["order"]
        stored = trader.get(f"/api/v1/orders/{placed['id']}").get_json()["order"]
        assert placed == stored


def test_a_closed_venue_queues_with_the_same_shape(tapp: Flask, trader: Api) -> None:
    set_sim(tapp, "closed")
    placed = trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "2"}).get_json()
    assert placed["order"]["status"] == "queued" and placed["order"]["reserved_cash"] != "0.00"
    stored = trader.get(f"/api/v1/orders/{placed['order']['id']}").get_json()["order"]
    assert placed["order"] == stored


def test_an_immediate_fill_announces_its_trade(trader: Api) -> None:
    seen: list[tuple[int, Trade, str]] = []

    def on_fill(order_id: int, trade: Trade) -> None:
        seen.append((order_id, trade, trade.instrument.symbol))  # lazy loads still work

    execution.order_filled.connect(on_fill)
    try:
        order = trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "4"}).get_json()
    finally:
        execution.order_filled.disconnect(on_fill)
    [(order_id, trade, symbol)] = seen
    assert order_id == trade.order_id == order["order"]["id"]
    assert trade.id and trade.quantity == Decimal(4) and symbol == "ACME"
    assert trade.notional == Decimal("400.00") and trade.fee == Decimal("0.40")


def test_repeated_client_order_id_returns_the_first_order(trader: Api) -> None:
    body = {"symbol": "ACME", "side": "buy", "quantity": "1", "client_order_id": "same-1"}
    first = trader.post("/api/v1/orders", body)
    again = trader.post("/api/v1/orders", {**body, "quantity": "5"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == {"order": first.get_json()["order"], "created": False}


def test_books_balance_after_fills_and_rejections(tapp: Flask, trader: Api) -> None:
    for n in range(12):
        side = "buy" if n % 3 else "sell"
        trader.post(f"/api/v1/trade/{side}", {"symbol": "ACME", "quantity": str(n + 1)})
    trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "1000000"})  # no cash
    with tapp.app_context():
        account = db.session.scalars(select(Account)).one()
        assert account.cash == ledger.ledger_sum(account.id) >= 0
        last = db.session.scalars(
            select(CashTransaction).order_by(CashTransaction.id.desc())
        ).first()
        assert last is not None and last.balance_after == account.cash
        held = db.session.scalar(select(Position.quantity))
        bought = db.session.scalar(
            select(func.coalesce(func.sum(Trade.quantity), 0)).where(Trade.side == "buy")
        )
        sold = db.session.scalar(
            select(func.coalesce(func.sum(Trade.quantity), 0)).where(Trade.side == "sell")
        )
        assert held == Decimal(bought) - Decimal(sold)
        filled = db.session.scalar(select(func.count()).where(Order.status == "filled"))
        assert filled == db.session.scalar(select(func.count()).select_from(Trade))


def test_the_postgresql_fill_statement_stays_within_psycopg_caching_limits(
    tapp: Flask, trader: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """psycopg parses a statement longer than 4096 characters, or with more than 50
    parameters, again on every execution: an order's single PostgreSQL statement that grew
    past that cost 0.5 ms more server CPU per order (bench/orders_api.py). The largest shapes
    placed here (client ids, limit prices, new and closed positions, the journal's entry)
    compiled for psycopg must stay inside both limits."""
    seen: list[tuple[Any, Any]] = []
    write = order_writes.write

    def spy(order: Any, fill: Any) -> Any:
        seen.append((order, fill))
        return write(order, fill)

    monkeypatch.setattr(order_writes, "write", spy)
    base = {"symbol": "ACME", "quantity": "2"}
    for n, body in enumerate(
        [
            {"side": "buy", "type": "market"},
            {"side": "sell", "type": "limit", "limit_price": "99.00", "time_in_force": "gtc"},
            {"side": "buy", "type": "stop_limit", "stop_price": "99.00", "limit_price": "101.00"},
            {"side": "sell", "type": "market"},
        ]
    ):
        placed = trader.post("/api/v1/orders", base | body | {"client_order_id": f"id-{n:060}"})
        assert placed.get_json()["order"]["status"] == "filled", placed.get_json()
    dialect = postgresql_psycopg.dialect()
    with tapp.app_context():
        for order, fill in seen:
            statement, params = order_writes.combined(order, fill)
            assert "journal_entries" in (text := str(statement.compile(dialect=dialect)))
            assert len(text) <= psycopg_queries.MAX_CACHED_STATEMENT_LENGTH
            assert len(params) <= psycopg_queries.MAX_CACHED_STATEMENT_PARAMS
