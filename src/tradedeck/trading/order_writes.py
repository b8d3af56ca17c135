"""Writing a placed order, and its immediate fill, in as few round trips as the database allows.

An order that fills on placement writes five tables: the order, the position, the ledger, the
account's cash and the trade, and the rows other features keep per fill (`fill_companions`:
the journal's entry). On PostgreSQL one statement does it: data-modifying CTEs that share the
new order's and trade's ids, so a fill costs one round trip instead of six (see
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

from sqlalchemy import (
    Select,
    Table,
    bindparam,
    cast,
    insert,
    literal_column,
    null,
    select,
    true,
    union_all,
    update,
)

from tradedeck.extensions import db
from tradedeck.trading import fill_companions
from tradedeck.trading.models import Account, CashTransaction, Order, Position, Trade


@dataclass(frozen=True, slots=True)
class FillRows:
    """What an immediate fill writes besides the order; the order's id is added here.

    `position` holds the position's new quantity, cost basis and realized P&L (a new row
    when `position_id` is None); `ledger` the cash movements and `cash` the balance after them;
    `companions` the other features' rows for this fill.
    """

    account_id: int
    instrument_id: int
    position_id: int | None
    position: dict[str, Any]
    ledger: tuple[dict[str, Any], ...]
    cash: Decimal
    trade: dict[str, Any]
    now: datetime
    companions: tuple[fill_companions.CompanionRow, ...] = ()


def write(order: dict[str, Any], fill: FillRows | None) -> tuple[int, int | None]:
    """Insert the order (and the fill's rows); returns the order's id and the trade's."""
    connection = db.session.connection()
    if fill is None or connection.dialect.name != "postgresql":
        return _write_one_by_one(order, fill)
    statement, params = combined(order, fill)
    order_id, trade_id = connection.execute(statement, params).one()
    return order_id, trade_id


def combined(order: dict[str, Any], fill: FillRows) -> tuple[Select[Any], dict[str, Any]]:
    """PostgreSQL's single statement for an order and its fill, with its parameters."""
    shared = {"now": fill.now, "a_id": fill.account_id, "i_id": fill.instrument_id}
    order_shape, params = _shape("o", order, shared)
    trade_shape, trade_params = _shape("t", fill.trade, shared)
    params |= trade_params | shared | _prefixed("p_", fill.position)
    params |= {"p_id": fill.position_id, "a_cash": fill.cash}
    ledger_shapes = []
    for i, row in enumerate(fill.ledger):
        shape, row_params = _shape(f"l{i}_", row, shared)
        ledger_shapes.append(shape)
        params |= row_params
    companion_shapes = []
    for i, row in enumerate(fill.companions):
        shape, row_params = _shape(f"c{i}_", row.values, shared)
        companion_shapes.append((row.companion.table, row.companion.trade_column, shape))
        params |= row_params
    new_position = fill.position_id is None
    statement = _combined(
        order_shape, trade_shape, new_position, tuple(ledger_shapes), tuple(companion_shapes)
    )
    return statement, params


Shape = tuple[tuple[str, str | None], ...]
"""Where each column's value comes from: its own parameter, a shared one, or None for NULL."""

_SHARED_COLUMNS = {"account_id": "a_id", "instrument_id": "i_id"}


def _shape(
    prefix: str, values: dict[str, Any], shared: dict[str, Any]
) -> tuple[Shape, dict[str, Any]]:
    """Each column's parameter: NULLs are written as literals and the fill's time, account
    and instrument as one shared parameter each. Parameters are named by position (`o3`), not
    column. Fewer parameters and a shorter text keep the statement within psycopg's limits for
    caching its parsed form (50 parameters, 4096 characters; beyond them it parses the text
    again on every fill), and cost less to adapt."""
    shape: list[tuple[str, str | None]] = []
    params: dict[str, Any] = {}
    for column, value in values.items():
        source: str | None
        if value is None:
            source = None
        elif isinstance(value, datetime) and value == shared["now"]:
            source = "now"
        elif column in _SHARED_COLUMNS and value == shared[_SHARED_COLUMNS[column]]:
            source = _SHARED_COLUMNS[column]
        else:
            source = f"{prefix}{len(shape)}"
            params[source] = value
        shape.append((column, source))
    return tuple(shape), params


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
    fill_companions.write(fill.companions, trade_id)
    return order_id, trade_id


@cache
def _position_update() -> Any:
    positions = Position.__table__
    return update(positions).where(positions.c.id == bindparam("position_id"))


@cache
def _account_update() -> Any:
    accounts = Account.__table__
    return update(accounts).where(accounts.c.id == bindparam("account_id"))


def _binds(table: Table, shape: Shape, typed_nulls: bool = False) -> dict[str, Any]:
    """Typed bound parameters (Money, UTC datetimes) for the columns of `shape`, and NULLs:
    plain where the target column gives them their type (VALUES, INSERT … SELECT), typed
    where a UNION must agree on it. Every character counts (see `_shape`)."""
    return {
        column: (cast(null(), table.c[column].type) if typed_nulls else null())
        if source is None
        else bindparam(source, type_=table.c[column].type)
        for column, source in shape
    }


def _copy_from(table: Table, shape: Shape, order_id: Any, typed_nulls: bool = False) -> Select[Any]:
    """SELECT of one row for `table` whose order_id is the new order's (INSERT … SELECT)."""
    binds = _binds(table, shape, typed_nulls)
    return select(order_id.label("order_id"), *(binds[c].label(c) for c, _ in shape))


@cache
def _combined(
    order_shape: Shape,
    trade_shape: Shape,
    new_position: bool,
    ledger_shapes: tuple[Shape, ...],
    companion_shapes: tuple[tuple[Table, str, Shape], ...],
) -> Select[Any]:
    """The PostgreSQL statement for one shape of fill, built once: constructing it costs
    more than running it."""
    orders, trades = Order.__table__, Trade.__table__
    positions, ledger, accounts = Position.__table__, CashTransaction.__table__, Account.__table__
    new_order = (
        insert(orders).values(_binds(orders, order_shape)).returning(orders.c.id).cte("new_order")
    )
    position_shape: Shape = (
        ("quantity", "p_quantity"),
        ("cost_basis", "p_cost_basis"),
        ("realized_pnl", "p_realized_pnl"),
        ("updated_at", "now"),
    )
    if new_position:
        position_shape += (("account_id", "a_id"), ("instrument_id", "i_id"), ("created_at", "now"))
        position = insert(positions).values(_binds(positions, position_shape))
    else:
        position = (
            update(positions)
            .where(positions.c.id == bindparam("p_id"))
            .values(_binds(positions, position_shape))
        )
    account = (
        update(accounts)
        .where(accounts.c.id == bindparam("a_id"))
        .values(_binds(accounts, (("cash", "a_cash"), ("updated_at", "now"))))
    )
    ledger_columns = tuple(column for column, _ in ledger_shapes[0])
    postings = union_all(
        *(
            _copy_from(ledger, shape, new_order.c.id, typed_nulls=True).add_columns(
                literal_column(str(i)).label("ordinal")
            )
            for i, shape in enumerate(ledger_shapes)
        )
    ).subquery("postings")
    ledger_write = insert(ledger).from_select(
        ("order_id", *ledger_columns),
        select(*postings.c[: len(ledger_columns) + 1]).order_by(postings.c.ordinal),
    )
    trade_values = tuple((c, source) for c, source in trade_shape if c != "order_id")
    new_trade = (
        insert(trades)
        .from_select(
            ("order_id", *(c for c, _ in trade_values)),
            _copy_from(trades, trade_values, new_order.c.id),
        )
        .returning(trades.c.id)
        .cte("new_trade")
    )
    others = [position.cte("position_write"), account.cte("account_write")]
    others.append(ledger_write.cte("ledger_write"))
    for i, (table, trade_column, shape) in enumerate(companion_shapes):
        binds = _binds(table, shape)
        row = select(new_trade.c.id.label(trade_column), *(binds[c].label(c) for c, _ in shape))
        columns = (trade_column, *(c for c, _ in shape))
        companion = insert(table).from_select(columns, row, include_defaults=False)
        others.append(companion.cte(f"companion_{i}"))
    return (
        select(new_order.c.id, new_trade.c.id)
        .select_from(new_order.join(new_trade, true()))
        .add_cte(*others)
    )
