"""JSON shapes of the trading API: amounts as decimal strings, times ISO-8601 UTC."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tradedeck.core.money import to_json
from tradedeck.core.orders import Preview
from tradedeck.market.models import Instrument
from tradedeck.trading.models import CashTransaction, Order, Trade
from tradedeck.trading.portfolio import Portfolio

if TYPE_CHECKING:
    from tradedeck.trading.orders import PlacedOrder

CENT = Decimal("0.01")


def money(value: Decimal | None) -> str | None:
    """At least cents (`"12.50"`), more places only when the value has them."""
    if value is None:
        return None
    return to_json(value.quantize(CENT) if value == value.quantize(CENT) else value.normalize())


def qty(value: Decimal) -> str:
    return to_json(value.normalize())


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def order(row: Order | PlacedOrder, listing: tuple[str, str] | None = None) -> dict[str, Any]:
    """`listing` (symbol, venue code), when the caller has it, spares loading the instrument."""
    symbol, venue = listing or (row.instrument.symbol, row.instrument.venue.code)
    return {
        "id": row.id,
        "client_order_id": row.client_order_id,
        "symbol": symbol,
        "venue": venue,
        "side": row.side,
        "type": row.type,
        "time_in_force": row.time_in_force,
        "quantity": qty(row.quantity),
        "limit_price": money(row.limit_price),
        "stop_price": money(row.stop_price),
        "status": row.status,
        "triggered": row.triggered,
        "fill_price": money(row.fill_price),
        "fee": money(row.fee),
        "reserved_cash": money(row.reserved_cash),
        "reject_reason": row.reject_reason,
        "created_at": iso(row.created_at),
        "queued_at": iso(row.queued_at),
        "opened_at": iso(row.opened_at),
        "filled_at": iso(row.filled_at),
        "cancelled_at": iso(row.cancelled_at),
        "rejected_at": iso(row.rejected_at),
        "expired_at": iso(row.expired_at),
        "expires_at": iso(row.expires_at),
    }


def trade(row: Trade) -> dict[str, Any]:
    return {
        "id": row.id,
        "order_id": row.order_id,
        "symbol": row.instrument.symbol,
        "side": row.side,
        "quantity": qty(row.quantity),
        "price": money(row.price),
        "notional": money(row.notional),
        "fee": money(row.fee),
        "realized_pnl": money(row.realized_pnl),
        "executed_at": iso(row.executed_at),
    }


def cash_transaction(row: CashTransaction) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type,
        "amount": money(row.amount),
        "balance_after": money(row.balance_after),
        "order_id": row.order_id,
        "created_at": iso(row.created_at),
    }


def portfolio(value: Portfolio) -> dict[str, Any]:
    return {
        "cash": money(value.cash),
        "available": money(value.available),
        "equity": money(value.equity),
        "market_value": money(value.market_value),
        "unrealized_pnl": money(value.unrealized_pnl),
        "realized_pnl": money(value.realized_pnl),
        "day_change": money(value.day_change),
        "method": "average_cost",
        "positions": [
            {
                "symbol": h.instrument.symbol,
                "venue": h.instrument.venue.code,
                "quantity": qty(h.quantity),
                "avg_price": money(h.avg_price),
                "cost_basis": money(h.cost_basis),
                "market_price": money(h.market_price),
                "market_value": money(h.market_value),
                "unrealized_pnl": money(h.unrealized_pnl),
                "realized_pnl": money(h.realized_pnl),
                "day_change": money(h.day_change),
            }
            for h in value.holdings
        ],
    }


def preview(instrument: Instrument, side: str, quantity: Decimal, value: Preview) -> dict[str, Any]:
    return {
        "symbol": instrument.symbol,
        "side": side,
        "quantity": qty(quantity),
        "estimated_price": money(value.estimated_price),
        "notional": money(value.notional),
        "fee": money(value.fee),
        "total": money(value.total),
        "cash_required": money(value.cash_required),
        "sufficient": value.sufficient,
        "reason_code": value.reason_code,
        "reason": value.reason,
    }
