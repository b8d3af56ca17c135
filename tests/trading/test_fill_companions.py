"""Rows a feature keeps per fill are written with the fill, on every path, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from tests.trading.helpers import Api, set_price
from tradedeck.database import Money
from tradedeck.extensions import db
from tradedeck.trading import execution, ledger
from tradedeck.trading.fill_companions import (
    COMPANIONS_KEY,
    FillCompanion,
    FillRecord,
    register_fill_companion,
)
from tradedeck.trading.models import Account, Order, Trade

NOTES = Table(
    "test_fill_notes",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("trade_id", Integer, nullable=False, unique=True),
    Column("user_id", Integer, nullable=False),
    Column("note", String(80), nullable=False),
    Column("pnl", Money(), nullable=True),
    Column("kind", String(8), default="fill"),
)


def note_values(fill: FillRecord) -> dict[str, Any]:
    """Every field of the record, so a test sees what the companion was given."""
    return {
        "user_id": fill.user_id,
        "note": f"{fill.side} {fill.quantity.normalize()} {fill.symbol} @ {fill.price}",
        "pnl": fill.realized_pnl if fill.side == "sell" else None,
    }


@pytest.fixture
def notes(tapp: Flask) -> Iterator[Table]:
    """The test's own companion table (no journal involved), registered after the app's
    companions."""
    with tapp.app_context():
        NOTES.create(db.engine, checkfirst=True)
    register_fill_companion(tapp, FillCompanion(NOTES, "trade_id", note_values))
    yield NOTES
    with tapp.app_context():
        db.session.remove()
        NOTES.drop(db.engine, checkfirst=True)


def rows(app: Flask, table: Table) -> list[Any]:
    with app.app_context():
        return list(db.session.execute(select(table).order_by(table.c.id)))


def test_a_fill_on_placement_writes_the_companion_row_with_its_trade(
    tapp: Flask, trader: Api, notes: Table
) -> None:
    bought = trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "3"})
    sold = trader.post("/api/v1/trade/sell", {"symbol": "ACME", "quantity": "2"})
    assert [bought.status_code, sold.status_code] == [201, 201]
    with tapp.app_context():
        trades = list(db.session.scalars(select(Trade).order_by(Trade.id)))
    written = rows(tapp, notes)
    assert [row.trade_id for row in written] == [trade.id for trade in trades]
    assert written[0].note.startswith("buy 3 ACME @ ") and written[0].pnl is None
    assert written[1].note.startswith("sell 2 ACME @ ")
    assert written[1].pnl == trades[1].realized_pnl
    assert {row.kind for row in written} == {"fill"}  # a column the companion left out


def test_an_order_that_does_not_fill_writes_no_companion_row(
    tapp: Flask, trader: Api, notes: Table
) -> None:
    body = {"symbol": "ACME", "side": "buy", "type": "limit", "quantity": "1"}
    resting = trader.post("/api/v1/orders", body | {"limit_price": "90.00"})
    assert resting.get_json()["order"]["status"] == "open"
    assert rows(tapp, notes) == []


def test_a_worker_fill_writes_the_companion_row(tapp: Flask, trader: Api, notes: Table) -> None:
    body = {"symbol": "ACME", "side": "buy", "type": "limit", "quantity": "2"}
    assert trader.post("/api/v1/orders", body | {"limit_price": "99.00"}).status_code == 201
    set_price(tapp, tapp.config["MARKET"]["ACME"], "98.50")
    with tapp.app_context():
        assert execution.process_orders() == 1
        trade = db.session.scalars(select(Trade)).one()
    (row,) = rows(tapp, notes)
    assert row.trade_id == trade.id and row.note.startswith("buy 2 ACME @ ")


@pytest.mark.parametrize("breaks", ["its values", "its row"])
def test_no_fill_without_its_companion_row(
    tapp: Flask, trader: Api, notes: Table, breaks: str
) -> None:
    """A companion that fails (in Python, or in the database: a NOT NULL column left empty)
    aborts the whole fill: no order, trade, ledger row or companion row; cash untouched."""

    def broken(fill: FillRecord) -> dict[str, Any]:
        if breaks == "its values":
            raise RuntimeError("companion down")
        return note_values(fill) | {"note": None}

    companions = tapp.extensions[COMPANIONS_KEY]
    companions.append(FillCompanion(notes, "trade_id", broken))
    try:
        failed = trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "1"})
        assert failed.status_code == 500
    finally:
        companions.pop()
    with tapp.app_context():
        db.session.remove()
        for model in (Order, Trade):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        account = db.session.scalars(select(Account)).one()
        assert account.cash == Decimal("10000.00") == ledger.ledger_sum(account.id)
    assert rows(tapp, notes) == []
    retried = trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "1"})
    assert retried.status_code == 201
    assert len(rows(tapp, notes)) == 1
