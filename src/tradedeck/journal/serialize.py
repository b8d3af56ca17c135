"""JSON shapes of journal entries, portfolios and performance rows (amounts as strings)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tradedeck.journal.analytics import Row, Standing
from tradedeck.journal.models import JournalEntry
from tradedeck.trading.serialize import iso, money, qty


def entry(row: JournalEntry) -> dict[str, Any]:
    return {
        "id": row.id,
        "source": row.source,
        "portfolio_id": row.portfolio_id,
        "trade_id": row.trade_id,
        "symbol": row.symbol,
        "side": row.side,
        "quantity": qty(row.quantity),
        "entry_price": money(row.entry_price),
        "entry_at": iso(row.entry_at),
        "stop_price": money(row.stop_price),
        "exit_price": money(row.exit_price),
        "exit_at": iso(row.exit_at),
        "pnl": money(row.pnl),
        "r_multiple": row.r_multiple,
        "holding_seconds": row.holding_seconds,
        "setup": row.setup,
        "tags": [t.tag for t in row.tags],
        "notes": row.notes,
        "rating": row.rating,
        "mistakes": row.mistakes,
    }


def portfolio(standing: Standing) -> dict[str, Any]:
    row = standing.portfolio
    return {
        "id": row.id,
        "name": row.name,
        "initial_balance": money(row.initial_balance),
        "realised_pnl": money(standing.realised),
        "balance": money(standing.balance),
        "closed_trades": standing.closed,
        "open_entries": standing.open,
        "created_at": iso(row.created_at),
    }


def performance_row(row: Row) -> dict[str, Any]:
    return {
        "key": row.key,
        "trades": row.trades,
        "wins": row.wins,
        "win_rate": row.win_rate,
        "pnl": money(row.pnl),
        "gross_profit": money(row.gross_profit),
        "gross_loss": money(row.gross_loss),
        "expectancy": money(row.expectancy.quantize(Decimal("0.00000001"))),
        "profit_factor": row.profit_factor,
        "avg_r": row.avg_r,
    }


def performance(groups: dict[str, list[Row]], days: dict[date, Decimal]) -> dict[str, Any]:
    return {
        "breakdowns": {name: [performance_row(r) for r in rows] for name, rows in groups.items()},
        "calendar": [{"day": day.isoformat(), "pnl": money(pnl)} for day, pnl in days.items()],
    }
