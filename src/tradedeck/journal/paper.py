"""Paper fills become journal entries, written as part of the fill.

The entry is the journal's fill companion (`trading.fill_companions`): on PostgreSQL an order
that fills on placement writes it inside the fill's own statement, elsewhere one INSERT in the
fill's transaction. So the entry exists exactly when the fill does: a crash between the two
cannot leave a fill without its entry, and it costs no round trip of its own
(bench/orders_api.py). `trade_id` is unique, so a fill has one entry at most.
"""

from __future__ import annotations

from typing import Any

from tradedeck.journal.models import JournalEntry
from tradedeck.trading.fill_companions import FillCompanion, FillRecord


def entry_values(fill: FillRecord) -> dict[str, Any]:
    """The entry of one fill: a sale closes a position, so it carries the realized P&L."""
    closing = fill.side == "sell"
    return {
        "user_id": fill.user_id,
        "source": "paper",
        "symbol": fill.symbol,
        "side": fill.side,
        "quantity": fill.quantity,
        "entry_price": fill.price,
        "entry_at": fill.executed_at,
        "pnl": fill.realized_pnl if closing else None,
        "exit_day": fill.executed_at.date() if closing else None,
        "entry_weekday": fill.executed_at.weekday(),
        "entry_hour": fill.executed_at.hour,
        "created_at": fill.executed_at,
        "updated_at": fill.executed_at,
    }


PAPER_ENTRY = FillCompanion(JournalEntry.__table__, "trade_id", entry_values)
