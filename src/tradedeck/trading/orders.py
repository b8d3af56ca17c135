"""Placing, previewing and cancelling orders.

Placement validates the input against the instrument's rules, then - holding the account
lock - honours `client_order_id` idempotency, checks buying power or holdings net of what
other working orders reserve, and either fills at once (open venue, marketable), rests
(`open`) or waits for the venue to open (`queued`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from tradedeck.core import orders as rules
from tradedeck.core.errors import DomainError
from tradedeck.core.money import to_json
from tradedeck.core.orders import OrderSpec, OrderStatus, Side, TimeInForce
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Instrument
from tradedeck.trading import execution, hours, ledger, pricing
from tradedeck.trading.locking import lock_account
from tradedeck.trading.models import Account, Order, Position

CLIENT_ORDER_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")


@dataclass(frozen=True)
class OrderRequest:
    """Raw order input as the API or a form sent it; validated by `prepare`."""

    symbol: object
    side: object
    type: object = "market"
    quantity: object = None
    limit_price: object = None
    stop_price: object = None
    time_in_force: object = None
    client_order_id: str | None = None
    venue: str | None = None


def prepare(request: OrderRequest) -> tuple[Instrument, OrderSpec]:
    """Validate the request: DomainError names the offending field."""
    instrument = pricing.find_instrument(request.symbol, request.venue)
    spec = rules.validate_order(
        side=request.side,
        order_type=request.type,
        quantity=request.quantity,
        rules=pricing.rules_of(instrument),
        limit_price=request.limit_price,
        stop_price=request.stop_price,
        time_in_force=request.time_in_force,
    )
    if spec.quantity < instrument.min_qty:
        raise DomainError(
            f"quantity must be at least {to_json(instrument.min_qty.normalize())}",
            field="quantity",
            code="min_qty",
        )
    coid = request.client_order_id
    if coid is not None and not CLIENT_ORDER_ID.fullmatch(coid):
        raise DomainError(
            "client_order_id must be 1-64 letters, digits or . _ : -", field="client_order_id"
        )
    return instrument, spec


def held_quantity(account_id: int, instrument_id: int, exclude: int | None = None) -> Decimal:
    """Position minus what working sell orders already reserve."""
    quantity = db.session.scalar(
        select(Position.quantity).where(
            Position.account_id == account_id, Position.instrument_id == instrument_id
        )
    ) or Decimal(0)
    statement = select(func.coalesce(func.sum(Order.reserved_quantity), 0)).where(
        Order.account_id == account_id,
        Order.instrument_id == instrument_id,
        Order.status.in_(ledger.WORKING),
    )
    if exclude is not None:
        statement = statement.where(Order.id != exclude)
    return quantity - Decimal(db.session.scalar(statement) or 0)


def _preview(account: Account | None, instrument: Instrument, spec: OrderSpec) -> rules.Preview:
    cash = ledger.available_cash(account) if account else Decimal(0)
    holdings = held_quantity(account.id, instrument.id) if account else Decimal(0)
    return rules.preview(
        spec,
        reference_price=pricing.require_price(instrument),
        cash_available=cash,
        holdings_available=holdings,
        rules=pricing.rules_of(instrument),
        costs=pricing.costs(),
        allow_short=pricing.allow_short(),
    )


def preview_order(
    user_id: int, request: OrderRequest
) -> tuple[Instrument, OrderSpec, rules.Preview]:
    """Estimated price, cost, fee and whether it can be placed now (nothing is written)."""
    instrument, spec = prepare(request)
    return instrument, spec, _preview(ledger.find_account(user_id), instrument, spec)


def find_by_client_id(user_id: int, client_order_id: str) -> Order | None:
    return db.session.scalars(
        select(Order).where(Order.user_id == user_id, Order.client_order_id == client_order_id)
    ).first()


def place_order(
    user_id: int, request: OrderRequest, now: datetime | None = None
) -> tuple[Order, bool]:
    """Place an order; returns (order, created). A repeated client_order_id returns the
    first order with created=False."""
    instrument, spec = prepare(request)
    account = lock_account(user_id)
    if request.client_order_id is not None:
        existing = find_by_client_id(user_id, request.client_order_id)
        if existing is not None:
            db.session.commit()
            return existing, False
    try:
        check = _preview(account, instrument, spec)
        check.raise_if_insufficient()
    except DomainError:
        db.session.rollback()
        raise
    now = now or utcnow()
    price = pricing.require_price(instrument)
    hold = rules.reservation(
        spec, reference_price=price, rules=pricing.rules_of(instrument), costs=pricing.costs()
    )
    order = Order(
        user_id=user_id,
        account_id=account.id,
        instrument_id=instrument.id,
        client_order_id=request.client_order_id,
        side=spec.side.value,
        type=spec.type.value,
        time_in_force=spec.time_in_force.value,
        quantity=spec.quantity,
        limit_price=spec.limit_price,
        stop_price=spec.stop_price,
        triggered=False,
        reserved_cash=hold.cash,
        reserved_quantity=hold.quantity,
        status=OrderStatus.QUEUED.value,
        queued_at=now,
        expires_at=hours.session_end(instrument.venue, now)
        if spec.time_in_force is TimeInForce.DAY
        else None,
    )
    order.instrument = instrument
    db.session.add(order)
    db.session.flush()
    trade = None
    if hours.is_venue_open(instrument.venue, now):
        order.queued_at = None
        order.status = OrderStatus.OPEN.value
        order.opened_at = now
        trade = execution.work(account, order, price, now)
    db.session.commit()
    execution.announce(trade)
    return order, True


def cancel_order(user_id: int, order_id: int, now: datetime | None = None) -> Order:
    """Cancel a queued or open order of this user; its reservation is released."""
    lock_account(user_id)
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None or order.user_id != user_id:
        db.session.rollback()
        raise DomainError(f"order {order_id} not found", field="id", code="not_found")
    if order.status not in ledger.WORKING:
        db.session.rollback()
        raise DomainError(
            f"order {order_id} is {order.status} and cannot be cancelled",
            field="id",
            code="not_cancellable",
        )
    order.status = OrderStatus.CANCELLED.value
    order.cancelled_at = now or utcnow()
    order.reserved_cash = order.reserved_quantity = Decimal(0)
    db.session.commit()
    return order


def get_order(user_id: int, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or order.user_id != user_id:
        raise DomainError(f"order {order_id} not found", field="id", code="not_found")
    return order


def list_orders(
    user_id: int,
    status: str | None = None,
    symbol: str | None = None,
    side: str | None = None,
    limit: int = 200,
) -> list[Order]:
    statement = select(Order).where(Order.user_id == user_id)
    if status:
        statuses = [s.strip().lower() for s in status.split(",") if s.strip()]
        unknown = set(statuses) - {s.value for s in OrderStatus}
        if unknown:
            raise DomainError(f"unknown status {sorted(unknown)[0]!r}", field="status")
        statement = statement.where(Order.status.in_(statuses))
    if side:
        try:
            statement = statement.where(Order.side == Side(side.lower()).value)
        except ValueError:
            raise DomainError("side must be buy or sell", field="side") from None
    if symbol:
        statement = statement.join(Instrument).where(Instrument.symbol == symbol.upper())
    return list(db.session.scalars(statement.order_by(Order.id.desc()).limit(limit)))
