"""Rows other features keep per fill, written as part of the fill itself.

A feature that records something for every fill (the journal's entry) registers a
`FillCompanion` in its `setup.py` instead of listening for fills. Its row is written with the
fill, never after it: on PostgreSQL an order that fills on placement writes it as one more
data-modifying CTE of the fill's single statement (`order_writes`), so it costs no round trip
of its own (bench/orders_api.py); elsewhere (SQLite, the worker's fills) it is one INSERT right
after the trade's, in the same transaction. Either way the row exists exactly when the fill
does, and a row that cannot be written aborts the fill.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Table, insert

from tradedeck.extensions import db

COMPANIONS_KEY = "tradedeck.fill_companions"


@dataclass(frozen=True, slots=True)
class FillRecord:
    """A fill as a companion needs it, known before anything of it is written."""

    user_id: int
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    realized_pnl: Decimal
    executed_at: datetime


@dataclass(frozen=True)
class FillCompanion:
    """`values(record)` is the row for `table` without `trade_column`, which gets the new
    trade's id. Columns it leaves out take their constant or server defaults."""

    table: Table
    trade_column: str
    values: Callable[[FillRecord], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class CompanionRow:
    """One companion's row for one fill, waiting for the trade's id."""

    companion: FillCompanion
    values: dict[str, Any]


def register_fill_companion(app: Flask, companion: FillCompanion) -> None:
    """Write `companion`'s row with every fill of `app`, in registration order."""
    app.extensions.setdefault(COMPANIONS_KEY, []).append(companion)


def rows_for(record: FillRecord) -> tuple[CompanionRow, ...]:
    """Every registered companion's row for the fill `record` describes."""
    companions: list[FillCompanion] = current_app.extensions.get(COMPANIONS_KEY, [])
    return tuple(CompanionRow(c, _scalar_defaults(c.table) | c.values(record)) for c in companions)


@cache
def _scalar_defaults(table: Table) -> dict[str, Any]:
    """Columns' constant defaults (`default=""`), spelled out: inside the fill's statement the
    INSERT is a CTE, where SQLAlchemy applies no Python-side defaults (server defaults apply).
    Read once per table; callers merge it into a new dict, never change it."""
    return {
        column.name: column.default.arg
        for column in table.columns
        if column.default is not None and column.default.is_scalar
    }


def write(rows: tuple[CompanionRow, ...], trade_id: int) -> None:
    """INSERT each row with the trade's id, on the fill's connection (the fill's transaction)."""
    connection = db.session.connection()
    for row in rows:
        companion = row.companion
        connection.execute(insert(companion.table), row.values | {companion.trade_column: trade_id})
