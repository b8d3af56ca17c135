"""Paper fills become journal entries, written in the fill's own transaction.

`trading.fill_recorded` is sent before the fill commits, so the entry exists exactly when the
fill does: a crash between the two can no longer leave a fill without its entry. The INSERT
is built once with bind parameters and runs on the order's connection, one round trip and no
statement building per fill (bench/orders_api.py); `ON CONFLICT (trade_id) DO NOTHING` keeps
it once per trade.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam

from tradedeck.extensions import db
from tradedeck.journal.models import JournalEntry
from tradedeck.signals.scanner import dialect_insert
from tradedeck.trading.execution import FillRecord

_COLUMNS = (
    "user_id",
    "trade_id",
    "symbol",
    "side",
    "quantity",
    "entry_price",
    "entry_at",
    "pnl",
    "exit_day",
    "entry_weekday",
    "entry_hour",
)


@cache
def _insert(build: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING (`build`: the database's insert construct), one bind
    parameter per column."""
    values = {name: bindparam(name) for name in _COLUMNS} | {"source": "paper"}
    statement = build(JournalEntry.__table__).values(values)
    return statement.on_conflict_do_nothing(index_elements=["trade_id"])


def entry_values(fill: FillRecord) -> dict[str, Any]:
    """The entry of one fill: a sale closes a position, so it carries the realized P&L."""
    closing = fill.side == "sell"
    return {
        "user_id": fill.user_id,
        "trade_id": fill.trade_id,
        "symbol": fill.symbol,
        "side": fill.side,
        "quantity": fill.quantity,
        "entry_price": fill.price,
        "entry_at": fill.executed_at,
        "pnl": fill.realized_pnl if closing else None,
        "exit_day": fill.executed_at.date() if closing else None,
        "entry_weekday": fill.executed_at.weekday(),
        "entry_hour": fill.executed_at.hour,
    }


def on_fill_recorded(_sender: object, record: FillRecord, **_: object) -> None:
    """`trading.fill_recorded` receiver: the fill's entry, in the fill's transaction."""
    db.session.connection().execute(_insert(dialect_insert()), entry_values(record))
