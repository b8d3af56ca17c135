"""`/api/v1`: orders, trade shorthands, portfolio, trades and the cash ledger."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy import select

from tradedeck.api import paging
from tradedeck.api.auth import caller_check, checks_caller_itself
from tradedeck.api.errors import ApiError, ErrorBody
from tradedeck.core.money import to_json
from tradedeck.trading import ledger, orders, portfolio, serialize
from tradedeck.trading.models import Account, CashTransaction, Order, Trade
from tradedeck.trading.order_rate_limit import limit_orders
from tradedeck.trading.schemas import (
    AmountBody,
    CashLedger,
    OrderBody,
    OrderList,
    OrderPath,
    OrdersQuery,
    TradeBody,
    TradeList,
    TradeSide,
)

bp = APIBlueprint(
    "trading_api",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="trading", description="Orders, portfolio and cash ledger")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "404": ErrorBody, "429": ErrorBody},
)


def _place(request: orders.OrderRequest) -> tuple[Response, int]:
    placed = orders.place(int(current_user.id), request, check_caller=caller_check())
    listing = (placed.symbol, placed.venue) if placed.symbol and placed.venue else None
    body = {"order": serialize.order(placed.order, listing), "created": placed.created}
    return jsonify(body), 201 if placed.created else 200


@bp.post("/orders")
@checks_caller_itself
@limit_orders
def place_order(body: OrderBody) -> tuple[Response, int]:
    """Place an order. A repeated `client_order_id` returns the first order (200, created=false)."""
    return _place(orders.OrderRequest(**body.model_dump()))


@bp.post("/orders/preview")
def preview_order(body: OrderBody) -> Response:
    """Estimated price, notional, fee, total and whether buying power/holdings suffice."""
    request = orders.OrderRequest(**body.model_dump())
    instrument, spec, value = orders.preview_order(int(current_user.id), request)
    return jsonify(serialize.preview(instrument, spec.side.value, spec.quantity, value))


@bp.get("/orders", responses={"200": OrderList})
def list_orders(query: OrdersQuery) -> Response:
    """The caller's orders, newest first; `status` may list several (`open,queued`)."""
    statement = orders.orders_of(int(current_user.id), query.status, query.symbol, query.side)
    page = paging.fetch(statement, Order.created_at, Order.id, query.cursor, query.limit)
    return paging.respond({"orders": [serialize.order(row) for row in page.rows]}, page)


@bp.get("/orders/<int:order_id>")
def get_order(path: OrderPath) -> Response:
    return jsonify({"order": serialize.order(_own_order(path.order_id))})


@bp.delete("/orders/<int:order_id>")
def cancel_order(path: OrderPath) -> Response:
    """Cancel a queued or open order (409 when it already filled, expired or was cancelled)."""
    _own_order(path.order_id)
    order = orders.cancel_order(int(current_user.id), path.order_id)
    return jsonify({"order": serialize.order(order)})


def _own_order(order_id: int) -> Any:
    return orders.get_order(int(current_user.id), order_id)


@bp.post("/trade/<side>")
@checks_caller_itself
@limit_orders
def trade(path: TradeSide, body: TradeBody) -> tuple[Response, int]:
    """Market-order shorthand: `POST /trade/buy` or `/trade/sell` with `{symbol, quantity}`."""
    if path.side not in ("buy", "sell"):
        raise ApiError(404, "not_found", "Use /trade/buy or /trade/sell.", "side")
    return _place(
        orders.OrderRequest(
            symbol=body.symbol,
            side=path.side,
            type="market",
            quantity=body.quantity,
            client_order_id=body.client_order_id,
            venue=body.venue,
        )
    )


@bp.get("/portfolio")
def get_portfolio() -> Response:
    """Cash, equity and positions valued at last prices (average-cost method)."""
    return jsonify(serialize.portfolio(portfolio.portfolio_of(int(current_user.id))))


@bp.get("/portfolio/equity")
def equity_history() -> Response:
    """Equity samples taken by the worker: `{points: [{time (epoch s), equity, cash}]}`."""
    rows = portfolio.equity_history(int(current_user.id))
    return jsonify(
        {
            "points": [
                {
                    "time": int(r.time.timestamp()),
                    "equity": serialize.money(r.equity),
                    "cash": serialize.money(r.cash),
                }
                for r in rows
            ]
        }
    )


@bp.get("/trades", responses={"200": TradeList})
def list_trades(query: paging.PageQuery) -> Response:
    """The caller's fills, newest first, a page at a time."""
    statement = (
        select(Trade)
        .join(Account, Account.id == Trade.account_id)
        .where(Account.user_id == int(current_user.id))
    )
    page = paging.fetch(statement, Trade.executed_at, Trade.id, query.cursor, query.limit)
    return paging.respond({"trades": [serialize.trade(row) for row in page.rows]}, page)


@bp.get("/cash", responses={"200": CashLedger})
def get_cash(query: paging.PageQuery) -> Response:
    """Balance, available (cash minus open buy reservations) and a page of the ledger,
    newest first."""
    account = ledger.find_account(int(current_user.id))
    if account is None:
        if query.cursor:
            paging.decode(query.cursor)
        empty = paging.Page([], None)
        return paging.respond({"balance": "0.00", "available": "0.00", "transactions": []}, empty)
    statement = select(CashTransaction).where(CashTransaction.account_id == account.id)
    page = paging.fetch(
        statement, CashTransaction.created_at, CashTransaction.id, query.cursor, query.limit
    )
    return paging.respond(
        {
            "balance": serialize.money(account.cash),
            "available": serialize.money(ledger.available_cash(account)),
            "transactions": [serialize.cash_transaction(row) for row in page.rows],
        },
        page,
    )


@bp.post("/cash/deposit")
def deposit(body: AmountBody) -> tuple[Response, int]:
    row = ledger.deposit(int(current_user.id), body.amount)
    return jsonify(
        {"transaction": serialize.cash_transaction(row), "balance": to_json(row.balance_after, 2)}
    ), 201


@bp.post("/cash/withdraw")
def withdraw(body: AmountBody) -> tuple[Response, int]:
    row = ledger.withdraw(int(current_user.id), body.amount)
    return jsonify(
        {"transaction": serialize.cash_transaction(row), "balance": to_json(row.balance_after, 2)}
    ), 201
