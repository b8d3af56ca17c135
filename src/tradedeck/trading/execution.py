"""Fills and the worker's order cycle: queued orders at the open, triggers, day expiry.

A fill happens only while its account row is locked and its order is still working; together
with the unique `trades.order_id` that makes every fill happen exactly once, whichever process
(web request, worker, a restarted worker) gets there first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from tradedeck.core import positions as core_positions
from tradedeck.core.errors import DomainError
from tradedeck.core.money import to_json
from tradedeck.core.orders import (
    Fill,
    OrderSpec,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
    fill_at,
    transition,
    would_act,
)
from tradedeck.core.orders import on_price as evaluate
from tradedeck.database import utcnow
from tradedeck.extensions import db, events
from tradedeck.market.models import Instrument, LastPrice, Venue
from tradedeck.trading import fill_companions, ledger, pricing
from tradedeck.trading.locking import lock_account
from tradedeck.trading.models import Account, Order, Position, Trade
from tradedeck.venues import schedule

log = logging.getLogger(__name__)
MAX_ORDER_FAILURES = 3
FAILURES_KEY = "tradedeck.trading.order_failures"
order_filled = events.signal("trading.order_filled")


def spec_of(order: Order) -> OrderSpec:
    return OrderSpec(
        Side(order.side),
        OrderType(order.type),
        order.quantity,
        order.limit_price,
        order.stop_price,
        TimeInForce(order.time_in_force),
    )


def position_row(account_id: int, instrument_id: int) -> Position | None:
    return db.session.scalars(
        select(Position).where(
            Position.account_id == account_id, Position.instrument_id == instrument_id
        )
    ).first()


STAMPS = {
    OrderStatus.QUEUED: "queued_at",
    OrderStatus.OPEN: "opened_at",
    OrderStatus.FILLED: "filled_at",
    OrderStatus.CANCELLED: "cancelled_at",
    OrderStatus.REJECTED: "rejected_at",
    OrderStatus.EXPIRED: "expired_at",
}
"""The order column holding the time it reached each status."""


def status_change(current: str, new: OrderStatus, now: datetime) -> dict[str, Any]:
    """The columns one status change writes: the status (checked by `core.orders.transition`,
    IllegalTransition otherwise), its time, and the released reservation once it is done."""
    transition(current, new)
    changes: dict[str, Any] = {"status": new.value, STAMPS[new]: now}
    if new.is_terminal:
        changes |= {"reserved_cash": Decimal(0), "reserved_quantity": Decimal(0)}
    return changes


def move(order: Order, new: OrderStatus, now: datetime) -> None:
    """Change an order row's status: the only way the ORM paths do it."""
    for column, value in status_change(order.status, new, now).items():
        setattr(order, column, value)


def reject(order: Order, reason: str, now: datetime) -> None:
    move(order, OrderStatus.REJECTED, now)
    order.reject_reason = reason[:200]


@dataclass(frozen=True)
class Settlement:
    """What one fill does to the books, worked out before anything is written, so the
    ORM path (worker) and the Core path (order placement) apply the very same rules."""

    fill: Fill
    position: core_positions.Position
    realized_pnl: Decimal
    postings: tuple[tuple[str, Decimal, str], ...]


def settle(
    side: Side,
    quantity: Decimal,
    price: Decimal,
    symbol: str,
    spendable: Decimal,
    position: core_positions.Position,
) -> Settlement | str:
    """The settlement of a fill, or the reason to reject it (cash or holdings no longer
    suffice). `spendable` is cash minus what the account's other working orders reserve."""
    execution = fill_at(side, quantity, price, pricing.costs())
    if side is Side.BUY and -execution.cash_delta > spendable:
        return (
            f"insufficient funds at execution: needs {to_json(-execution.cash_delta)}"
            f", {to_json(spendable)} available"
        )
    try:
        effect = core_positions.apply_fill(
            position, side, quantity, price, execution.fee, allow_short=pricing.allow_short()
        )
    except DomainError as exc:
        return exc.message
    kind, signed = (
        ("buy", -execution.notional) if side is Side.BUY else ("sell", execution.notional)
    )
    label = f"{side.value.title()} {to_json(quantity.normalize())} {symbol}"
    postings = [(kind, signed, label)]
    if execution.fee:
        postings.append(("fee", -execution.fee, f"Fee: {label}"))
    return Settlement(execution, effect.position, effect.realized_pnl, tuple(postings))


def fill(account: Account, order: Order, price: Decimal, now: datetime) -> Trade | None:
    """Execute `order` at `price` (account locked by the caller); rejects it if cash or
    holdings no longer suffice. Returns the trade, or None when rejected."""
    side = Side(order.side)
    spendable = account.cash
    if side is Side.BUY:
        spendable -= ledger.reserved_cash(account.id, [order.id] if order.id else [])
    row = position_row(account.id, order.instrument_id)
    held = (
        core_positions.Position(row.quantity, row.cost_basis, row.realized_pnl)
        if row is not None
        else core_positions.Position(Decimal(0), Decimal(0), Decimal(0))
    )
    result = settle(side, order.quantity, price, order.instrument.symbol, spendable, held)
    if isinstance(result, str):
        reject(order, result, now)
        return None
    if row is None:
        row = Position(account_id=account.id, instrument_id=order.instrument_id)
        db.session.add(row)
    row.quantity = result.position.quantity
    row.cost_basis = result.position.cost_basis
    row.realized_pnl = result.position.realized_pnl
    db.session.flush()
    for kind, amount, note in result.postings:
        ledger.post(account, kind, amount, order.id, note)
    trade = Trade(
        order_id=order.id,
        account_id=account.id,
        instrument_id=order.instrument_id,
        side=order.side,
        quantity=order.quantity,
        price=price,
        notional=result.fill.notional,
        fee=result.fill.fee,
        realized_pnl=result.realized_pnl,
        executed_at=now,
    )
    db.session.add(trade)
    move(order, OrderStatus.FILLED, now)
    order.fill_price, order.fee = price, result.fill.fee
    db.session.flush()
    record = fill_companions.FillRecord(
        user_id=order.user_id,
        symbol=order.instrument.symbol,
        side=order.side,
        quantity=order.quantity,
        price=price,
        realized_pnl=result.realized_pnl,
        executed_at=now,
    )
    fill_companions.write(fill_companions.rows_for(record), trade.id)
    return trade


def work(account: Account, order: Order, price: Decimal, now: datetime) -> Trade | None:
    """Apply one price to a working order: fill, trigger, or move a queued order to open."""
    outcome = evaluate(
        spec_of(order),
        price,
        rules=pricing.rules_of(order.instrument),
        slippage_bps=pricing.costs().slippage_bps,
        triggered=order.triggered,
    )
    order.triggered = outcome.triggered
    if outcome.fill_price is not None:
        return fill(account, order, outcome.fill_price, now)
    if order.status == OrderStatus.QUEUED.value:
        move(order, OrderStatus.OPEN, now)
    return None


def announce(trade: Trade | None) -> None:
    """After commit: tell subscribers (notifications, UI streams) an order filled."""
    if trade is not None:
        order_filled.send(trade.order_id, trade=trade)


@dataclass(frozen=True)
class Candidate:
    order_id: int
    user_id: int
    status: str


def _candidates(now: datetime, instrument_ids: list[int] | None) -> list[Candidate]:
    """Working orders on open venues that this cycle might change (read without locks)."""
    venues = db.session.scalars(select(Venue))
    open_venues = [v.id for v in venues if schedule.is_venue_open(v, now)]
    if not open_venues:
        return []
    statement = (
        select(
            Order.id,
            Order.user_id,
            Order.status,
            Order.side,
            Order.type,
            Order.limit_price,
            Order.stop_price,
            Order.triggered,
            LastPrice.price,
        )
        .join(Instrument, Instrument.id == Order.instrument_id)
        .join(LastPrice, LastPrice.instrument_id == Order.instrument_id)
        .where(
            Order.status.in_(ledger.WORKING),
            Instrument.venue_id.in_(open_venues),
            Instrument.halted.is_(False),  # a halted instrument's orders wait for its resumption
        )
        .order_by(Order.id)
    )
    if instrument_ids is not None:
        statement = statement.where(Order.instrument_id.in_(instrument_ids))
    found = []
    for row in db.session.execute(statement):
        if row.status == OrderStatus.QUEUED.value or _may_act(row):
            found.append(Candidate(row.id, row.user_id, row.status))
    return found


def _may_act(row: Any) -> bool:
    """Cheap pre-filter for resting orders (`core.orders.would_act`); the locked re-check
    with `on_price` decides."""
    return would_act(
        Side(row.side),
        OrderType(row.type),
        row.price,
        limit_price=row.limit_price,
        stop_price=row.stop_price,
        triggered=row.triggered,
    )


def _work_one(candidate: Candidate, now: datetime) -> Trade | None:
    """One order in its own transaction, its account locked; committed on return."""
    account = lock_account(candidate.user_id)
    order = db.session.scalars(
        select(Order)
        .where(Order.id == candidate.order_id)
        .execution_options(populate_existing=True)
    ).one()
    price = pricing.last_price(order.instrument_id)
    if order.status not in ledger.WORKING or price is None:
        db.session.rollback()
        return None
    trade = work(account, order, price, now)
    db.session.commit()
    return trade


def _failed(candidate: Candidate, now: datetime) -> None:
    """Count an order's failed attempt; after MAX_ORDER_FAILURES in a row it is rejected,
    so one order the books cannot take (an overflowing amount, a broken row) is retried a
    few times and then stops costing every cycle, while every other order keeps matching."""
    log.exception("order %s could not be executed", candidate.order_id)
    db.session.rollback()
    failures = _failures()
    failures[candidate.order_id] = failures.get(candidate.order_id, 0) + 1
    if failures[candidate.order_id] < MAX_ORDER_FAILURES:
        return
    del failures[candidate.order_id]
    try:
        lock_account(candidate.user_id)
        order = db.session.get(Order, candidate.order_id, populate_existing=True)
        if order is not None and order.status in ledger.WORKING:
            reject(order, "could not be executed: the fill failed repeatedly", now)
        db.session.commit()
    except Exception:
        log.exception("order %s could not be rejected either", candidate.order_id)
        db.session.rollback()


def _failures() -> dict[int, int]:
    """Consecutive failed attempts per order id, kept per app and process."""
    return current_app.extensions.setdefault(FAILURES_KEY, {})


def process_orders(now: datetime | None = None, instrument_ids: list[int] | None = None) -> int:
    """Execute what the current prices allow, each order on its own; returns how many filled."""
    now = now or utcnow()
    filled = 0
    for candidate in _candidates(now, instrument_ids):
        try:
            trade = _work_one(candidate, now)
        except Exception:
            _failed(candidate, now)
            continue
        _failures().pop(candidate.order_id, None)
        if trade is not None:
            filled += 1
            announce(trade)
    db.session.commit()
    return filled


def expire_day_orders(now: datetime | None = None) -> int:
    """Day orders still working at the close of their session become `expired`."""
    now = now or utcnow()
    due = db.session.execute(
        select(Order.id, Order.user_id).where(
            Order.status.in_(ledger.WORKING),
            Order.time_in_force == TimeInForce.DAY.value,
            Order.expires_at <= now,
        )
    ).all()
    expired = 0
    for order_id, user_id in due:
        lock_account(user_id)
        order = db.session.get(Order, order_id, populate_existing=True)
        if order is not None and order.status in ledger.WORKING:
            move(order, OrderStatus.EXPIRED, now)
            expired += 1
        db.session.commit()
    return expired


def run_cycle(now: datetime | None = None) -> None:
    """The worker's loop task: the market clock, then expiry, then executions."""
    now = now or utcnow()
    schedule.sync_market_states(now)
    expire_day_orders(now)
    process_orders(now)
