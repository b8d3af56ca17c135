"""Writing a placed order, and its immediate fill, in as few round trips as the database allows.

An order that fills on placement writes five tables: the order, the position, the ledger, the
account's cash and the trade. On PostgreSQL one statement does it: data-modifying CTEs that
share the new order's id, so a fill costs one round trip instead of five (see
bench/orders_api.py); the ledger rows go in through one sorted INSERT so their ids keep the
posting order. SQLite has no such CTEs and no network, so it runs the statements one by one.
Either way they run in the caller's transaction, under the account lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, Table, bindparam, insert, literal, select, true, union_all, update

from tradedeck.extensions import db
from tradedeck.trading.models import Account, CashTransaction, Order, Position, Trade


@dataclass(frozen=True, slots=True)
class FillRows:
    """What an immediate fill writes besides the order; the order's id is added here.

    `position` holds the position's new quantity, cost basis and realized P&L (a new row
    when `position_id` is None); `ledger` the cash movements and `cash` the balance after them.
    """

    account_id: int
    instrument_id: int
    position_id: int | None
    position: dict[str, Any]
    ledger: tuple[dict[str, Any], ...]
    cash: Decimal
    trade: dict[str, Any]
    now: datetime


def write(order: dict[str, Any], fill: FillRows | None) -> tuple[int, int | None]:
    """Insert the order (and the fill's rows); returns the order's id and the trade's."""
    connection = db.session.connection()
    if fill is None or connection.dialect.name != "postgresql":
        return _write_one_by_one(order, fill)
    params = _prefixed("o_", order) | _prefixed("t_", fill.trade)
    params |= _prefixed("p_", fill.position) | {"p_id": fill.position_id, "a_cash": fill.cash}
    params |= {"a_id": fill.account_id, "p_account_id": fill.account_id, "now": fill.now}
    params |= {"p_instrument_id": fill.instrument_id}
    for i, row in enumerate(fill.ledger):
        params |= _prefixed(f"l{i}_", row)
    new_position = fill.position_id is None
    statement = _combined(tuple(order), tuple(fill.trade), new_position, len(fill.ledger))
    order_id, trade_id = connection.execute(statement, params).one()
    return order_id, trade_id


def _prefixed(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    return {prefix + key: value for key, value in values.items()}


def _write_one_by_one(order: dict[str, Any], fill: FillRows | None) -> tuple[int, int | None]:
    connection = db.session.connection()
    orders, trades = Order.__table__, Trade.__table__
    order_id = connection.execute(insert(orders).returning(orders.c.id), order).scalar_one()
    if fill is None:
        return order_id, None
    position = fill.position | {"updated_at": fill.now}
    if fill.position_id is None:
        connection.execute(
            insert(Position.__table__),
            position
            | {
                "account_id": fill.account_id,
                "instrument_id": fill.instrument_id,
                "created_at": fill.now,
            },
        )
    else:
        connection.execute(_position_update(), position | {"position_id": fill.position_id})
    connection.execute(
        insert(CashTransaction.__table__), [row | {"order_id": order_id} for row in fill.ledger]
    )
    account = {"account_id": fill.account_id, "cash": fill.cash, "updated_at": fill.now}
    connection.execute(_account_update(), account)
    trade = fill.trade | {"order_id": order_id}
    trade_id = connection.execute(insert(trades).returning(trades.c.id), trade).scalar_one()
    return order_id, trade_id


@cache
def _position_update() -> Any:
    positions = Position.__table__
    return update(positions).where(positions.c.id == bindparam("position_id"))


@cache
def _account_update() -> Any:
    accounts = Account.__table__
    return update(accounts).where(accounts.c.id == bindparam("account_id"))


def _binds(table: Table, prefix: str, columns: tuple[str, ...]) -> dict[str, Any]:
    """Typed bound parameters (Money, UTC datetimes) for `columns` of `table`."""
    return {c: bindparam(prefix + c, type_=table.c[c].type) for c in columns}


def _copy_from(table: Table, prefix: str, columns: tuple[str, ...], order_id: Any) -> Select[Any]:
    """SELECT of one row for `table` whose order_id is the new order's (INSERT … SELECT)."""
    binds = _binds(table, prefix, columns)
    return select(order_id.label("order_id"), *(binds[c].label(c) for c in columns))


@cache
def _combined(
    order_columns: tuple[str, ...],
    trade_columns: tuple[str, ...],
    new_position: bool,
    ledger_rows: int,
) -> Select[Any]:
    """The PostgreSQL statement for one shape of fill, built once: constructing it costs
    more than running it."""
    orders, trades = Order.__table__, Trade.__table__
    positions, ledger, accounts = Position.__table__, CashTransaction.__table__, Account.__table__
    new_order = (
        insert(orders)
        .values(_binds(orders, "o_", order_columns))
        .returning(orders.c.id)
        .cte("new_order")
    )
    position_columns = ("quantity", "cost_basis", "realized_pnl")
    position_values = _binds(positions, "p_", position_columns)
    position_values["updated_at"] = bindparam("now", type_=positions.c.updated_at.type)
    if new_position:
        position_values |= _binds(positions, "p_", ("account_id", "instrument_id"))
        position_values["created_at"] = bindparam("now", type_=positions.c.created_at.type)
        position = insert(positions).values(position_values)
    else:
        position = (
            update(positions).where(positions.c.id == bindparam("p_id")).values(position_values)
        )
    account = (
        update(accounts)
        .where(accounts.c.id == bindparam("a_id"))
        .values(
            cash=bindparam("a_cash", type_=accounts.c.cash.type),
            updated_at=bindparam("now", type_=accounts.c.updated_at.type),
        )
    )
    ledger_columns = (
        "account_id",
        "type",
        "amount",
        "balance_after",
        "note",
        "created_at",
        "updated_at",
    )
    postings = union_all(
        *(
            _copy_from(ledger, f"l{i}_", ledger_columns, new_order.c.id).add_columns(
                literal(i).label("ordinal")
            )
            for i in range(ledger_rows)
        )
    ).subquery("postings")
    ledger_write = insert(ledger).from_select(
        ("order_id", *ledger_columns),
        select(*postings.c[: len(ledger_columns) + 1]).order_by(postings.c.ordinal),
    )
    trade_values = tuple(c for c in trade_columns if c != "order_id")
    new_trade = (
        insert(trades)
        .from_select(
            ("order_id", *trade_values), _copy_from(trades, "t_", trade_values, new_order.c.id)
        )
        .returning(trades.c.id)
        .cte("new_trade")
    )
    others = [position.cte("position_write"), account.cte("account_write")]
    others.append(ledger_write.cte("ledger_write"))
    return (
        select(new_order.c.id, new_trade.c.id)
        .select_from(new_order.join(new_trade, true()))
        .add_cte(*others)
    )
