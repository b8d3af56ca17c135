"""Placing, previewing and cancelling orders.

Placement validates the input against the instrument's rules, then - holding the account
lock - honours `client_order_id` idempotency, checks buying power or holdings net of what
other working orders reserve, and either fills at once (open venue, marketable), rests
(`open`) or waits for the venue to open (`queued`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, func, null, or_, select
from sqlalchemy.orm import make_transient_to_detached

from tradedeck.api.auth import CallerState
from tradedeck.core import orders as rules
from tradedeck.core import positions as core_positions
from tradedeck.core.errors import DomainError
from tradedeck.core.money import to_json
from tradedeck.core.orders import OrderSpec, OrderStatus, Side, TimeInForce, on_price
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market import catalogue, quotes
from tradedeck.market.models import Instrument, LastPrice, Venue
from tradedeck.trading import execution, fill_companions, ledger, order_writes, pricing
from tradedeck.trading.locking import LockedAccount, lock_account, lock_account_row
from tradedeck.trading.models import Order, Position, Trade
from tradedeck.venues import schedule

M = TypeVar("M", Order, Trade)
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


@dataclass(frozen=True, slots=True)
class Book:
    """Everything placement needs about the instrument and the account, read in one query."""

    instrument_id: int
    symbol: str
    status: str
    venue_id: int
    venue: str
    venue_kind: str
    rules: rules.InstrumentRules
    min_qty: Decimal
    price: Decimal | None
    price_time: datetime | None
    position_id: int | None
    position: core_positions.Position
    reserved_cash: Decimal
    reserved_quantity: Decimal
    existing_order_id: int | None


def _working_sum(column: Any, *where: Any) -> Any:
    """What working orders reserve. The statuses are OR-ed equalities, not `IN`: SQLAlchemy
    expands an `IN` list on every execution of the otherwise cached statement."""
    status = Order.__table__.c.status
    working = or_(*(status == value for value in ledger.WORKING))
    return select(func.coalesce(func.sum(column), 0)).where(working, *where).scalar_subquery()


@cache
def _book_statement(by_venue: bool, by_client_id: bool) -> Select[Any]:
    """Built once per shape with bound parameters: constructing it costs more than running it."""
    instruments, venues = Instrument.__table__, Venue.__table__
    prices, positions, orders_table = LastPrice.__table__, Position.__table__, Order.__table__
    account_id = bindparam("account_id")
    existing = (
        select(orders_table.c.id)
        .where(
            orders_table.c.user_id == bindparam("user_id"),
            orders_table.c.client_order_id == bindparam("client_order_id"),
        )
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        select(
            instruments.c.id.label("instrument_id"),
            instruments.c.symbol,
            instruments.c.status,
            instruments.c.venue_id,
            venues.c.code.label("venue"),
            venues.c.kind.label("venue_kind"),
            instruments.c.tick_size,
            instruments.c.lot_size,
            instruments.c.min_qty,
            prices.c.price,
            prices.c.updated_at.label("price_time"),
            positions.c.id.label("position_id"),
            positions.c.quantity,
            positions.c.cost_basis,
            positions.c.realized_pnl,
            _working_sum(
                orders_table.c.reserved_cash, orders_table.c.account_id == account_id
            ).label("reserved_cash"),
            _working_sum(
                orders_table.c.reserved_quantity,
                orders_table.c.account_id == account_id,
                orders_table.c.instrument_id == instruments.c.id,
            ).label("reserved_quantity"),
            (existing if by_client_id else null()).label("existing_order_id"),
            instruments.c.halted,
        )
        .join(venues, venues.c.id == instruments.c.venue_id)
        .outerjoin(prices, prices.c.instrument_id == instruments.c.id)
        .outerjoin(
            positions,
            (positions.c.instrument_id == instruments.c.id)
            & (positions.c.account_id == account_id),
        )
        .where(instruments.c.symbol == bindparam("symbol"))
        .order_by(instruments.c.id)
        .limit(2)  # a second row: the symbol is ambiguous (read_book)
    )
    if by_venue:
        statement = statement.where(venues.c.code == bindparam("venue"))
    return statement


def read_book(user_id: int, account_id: int | None, request: OrderRequest) -> Book:
    """Instrument rules, last price, position, reservations and any order already placed
    under the request's client_order_id: one round trip instead of eight ORM queries.

    Called after the account lock (in its own statement, so on PostgreSQL it sees what the
    previous lock holder committed); raises DomainError for a missing or untradable symbol.
    """
    symbol = request.symbol
    if not isinstance(symbol, str) or not symbol.strip():
        raise DomainError("symbol is required", field="symbol", code="required")
    coid, venue = request.client_order_id, request.venue
    statement = _book_statement(bool(venue), coid is not None)
    params = {
        "account_id": account_id,
        "user_id": user_id,
        "client_order_id": coid,
        "symbol": symbol.strip().upper(),
        "venue": venue.strip().upper() if venue else None,
    }
    rows = db.session.connection().execute(statement, params).all()
    if len(rows) != 1:
        # Not one exact match: the market's resolver answers as everywhere else (aliases such
        # as BTCUSDT, VENUE:SYMBOL; 404 unknown_symbol, 409 ambiguous_symbol).
        instrument = catalogue.get_instrument(symbol, venue)
        params |= {"symbol": instrument.symbol, "venue": instrument.venue.code}
        statement = _book_statement(True, coid is not None)
        rows = db.session.connection().execute(statement, params).all()
    row = rows[0]
    if row.status != "active":
        raise DomainError(
            f"{row.symbol} is {row.status} and cannot be traded",
            field="symbol",
            code="not_tradable",
        )
    if row.halted:
        raise DomainError(
            f"Trading in {row.symbol} ({row.venue}) is halted by an administrator; orders are"
            " refused until it resumes.",
            field="symbol",
            code="halted",
            status=409,
        )
    zero = Decimal(0)
    return Book(
        instrument_id=row.instrument_id,
        symbol=row.symbol,
        status=row.status,
        venue_id=row.venue_id,
        venue=row.venue,
        venue_kind=row.venue_kind,
        rules=rules.InstrumentRules(tick_size=row.tick_size, lot_size=row.lot_size),
        min_qty=row.min_qty,
        price=row.price,
        price_time=row.price_time,
        position_id=row.position_id,
        position=core_positions.Position(
            row.quantity or zero, row.cost_basis or zero, row.realized_pnl or zero
        ),
        reserved_cash=Decimal(row.reserved_cash or 0),
        reserved_quantity=Decimal(row.reserved_quantity or 0),
        existing_order_id=row.existing_order_id,
    )


def validate(book: Book, request: OrderRequest) -> OrderSpec:
    """Validate the request against the instrument's rules: DomainError names the field."""
    spec = rules.validate_order(
        side=request.side,
        order_type=request.type,
        quantity=request.quantity,
        rules=book.rules,
        limit_price=request.limit_price,
        stop_price=request.stop_price,
        time_in_force=request.time_in_force,
    )
    if spec.quantity < book.min_qty:
        raise DomainError(
            f"quantity must be at least {to_json(book.min_qty.normalize())}",
            field="quantity",
            code="min_qty",
        )
    coid = request.client_order_id
    if coid is not None and not CLIENT_ORDER_ID.fullmatch(coid):
        raise DomainError(
            "client_order_id must be 1-64 letters, digits or . _ : -", field="client_order_id"
        )
    return spec


def require_price(book: Book) -> Decimal:
    if book.price is None or book.price <= 0:
        raise DomainError(
            f"no price for {book.symbol} yet; try again shortly", field="symbol", code="no_price"
        )
    return book.price


def quote_is_stale(book: Book, now: datetime) -> bool:
    """An exchange or Yahoo instrument whose stored quote is missing or older than
    QUOTE_MAX_AGE_SECS (simulated and CSV prices are kept current where they are made)."""
    if book.venue_kind in quotes.LOCAL_KINDS:
        return False
    if book.price is None or book.price_time is None:
        return True
    return (now - book.price_time).total_seconds() > quotes.max_age()


def _refresh_quote(book: Book, now: datetime) -> None:
    """Fetch a fresh quote outside any transaction (the caller has ended its own). An order
    that would execute now may not use a stale price, so a failed refresh refuses it while
    the venue is open; a closed venue's last quote is its closing price and still serves."""
    if quotes.refresh_for_order(book.instrument_id, now=now):
        return
    if schedule.is_venue_open(book.venue_id, now):
        raise DomainError(
            f"no current price for {book.symbol}: its market data provider is not answering;"
            " try again shortly",
            field="symbol",
            code="no_price",
        )


def _preview(book: Book, spec: OrderSpec, cash: Decimal) -> rules.Preview:
    return rules.preview(
        spec,
        reference_price=require_price(book),
        cash_available=cash - book.reserved_cash,
        holdings_available=book.position.quantity - book.reserved_quantity,
        rules=book.rules,
        costs=pricing.costs(),
        allow_short=pricing.allow_short(),
    )


def check_ceilings(book: Book, spec: OrderSpec, preview: rules.Preview, cash: Decimal) -> None:
    """MONEY_CEILING on the prices, the notional, the position's value and the cash the order
    would leave: beyond it the money columns could overflow when the order fills."""
    for name, price in (("limit_price", spec.limit_price), ("stop_price", spec.stop_price)):
        if price is not None:
            ledger.check_ceiling(price, name, name)
    ledger.check_ceiling(preview.notional, "the order's notional", "quantity")
    signed = spec.quantity if spec.side is Side.BUY else -spec.quantity
    position = (book.position.quantity + signed) * preview.estimated_price
    ledger.check_ceiling(position, "the resulting position's value", "quantity")
    if spec.side is Side.SELL:
        ledger.check_ceiling(cash + preview.total, "the resulting cash balance", "quantity")


def preview_order(
    user_id: int, request: OrderRequest
) -> tuple[Instrument, OrderSpec, rules.Preview]:
    """Estimated price, cost, fee and whether it can be placed now (nothing is written)."""
    account = ledger.find_account(user_id)
    book = read_book(user_id, account.id if account else None, request)
    spec = validate(book, request)
    now = utcnow()
    if quote_is_stale(book, now):
        db.session.rollback()
        _refresh_quote(book, now)
        account = ledger.find_account(user_id)
        book = read_book(user_id, account.id if account else None, request)
    instrument = db.session.get(Instrument, book.instrument_id)
    assert instrument is not None
    return instrument, spec, _preview(book, spec, account.cash if account else Decimal(0))


class PlacedOrder(SimpleNamespace):
    """A new order's row as written, with its id, under `Order`'s column names: what the API
    answers with. Attaching an ORM `Order` to the session instead costs ~6% of an order's
    CPU (bench/orders_api.py); `place_order` still hands its callers a real `Order`."""


@dataclass(frozen=True, slots=True)
class Placement:
    """A placed (or, for a repeated client_order_id, the first) order and where it trades."""

    order: PlacedOrder | Order
    created: bool
    symbol: str | None = None
    venue: str | None = None


def place_order(
    user_id: int, request: OrderRequest, now: datetime | None = None
) -> tuple[Order, bool]:
    """Place an order; returns (order, created). A repeated client_order_id returns the
    first order with created=False."""
    placed = place(user_id, request, now)
    if isinstance(placed.order, Order):
        return placed.order, placed.created
    return _attached(Order, vars(placed.order)), placed.created


def place(
    user_id: int,
    request: OrderRequest,
    now: datetime | None = None,
    check_caller: Callable[[CallerState | None], None] | None = None,
) -> Placement:
    """Lock the account, read the book, validate, then write the order in its final state
    (and, when it fills at once, the position, ledger and trade) with Core statements.

    `check_caller` runs on the user's row as the account is locked (`api.auth.caller_check`).
    A new order comes back as the row written (nothing is re-read after the commit), with
    its symbol and venue for serialisation.
    """
    now = now or utcnow()
    try:
        account = lock_account_row(user_id, check_caller)
        book = read_book(user_id, account.id, request)
        spec = validate(book, request)
        if book.existing_order_id is None and quote_is_stale(book, now):
            db.session.rollback()  # no network call while holding the account lock
            _refresh_quote(book, now)
            account = lock_account_row(user_id, check_caller)
            book = read_book(user_id, account.id, request)
        if book.existing_order_id is not None:
            db.session.commit()
            existing = db.session.get(Order, book.existing_order_id)
            assert existing is not None
            return Placement(existing, False)
        preview = _preview(book, spec, account.cash)
        check_ceilings(book, spec, preview, account.cash)
        preview.raise_if_insufficient()
        values, settlement = _order_values(user_id, account, book, spec, request, now)
        fill = (
            None
            if settlement is None
            else _fill_rows(user_id, account, book, spec, settlement, values)
        )
        order_id, trade_id = order_writes.write(values, fill)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    order = PlacedOrder(id=order_id, **values)
    if fill is not None and execution.order_filled.receivers:
        trade = fill.trade | {"id": trade_id, "order_id": order_id}
        execution.announce(_attached(Trade, trade))
    return Placement(order, True, book.symbol, book.venue)


def _order_values(
    user_id: int,
    account: LockedAccount,
    book: Book,
    spec: OrderSpec,
    request: OrderRequest,
    now: datetime,
) -> tuple[dict[str, Any], execution.Settlement | None]:
    """The order row in its final state: queued (venue closed), open, filled or rejected."""
    price = require_price(book)
    costs = pricing.costs()
    hold = rules.reservation(spec, reference_price=price, rules=book.rules, costs=costs)
    day = spec.time_in_force is TimeInForce.DAY
    values: dict[str, Any] = {
        "user_id": user_id,
        "account_id": account.id,
        "instrument_id": book.instrument_id,
        "client_order_id": request.client_order_id,
        "side": spec.side.value,
        "type": spec.type.value,
        "time_in_force": spec.time_in_force.value,
        "quantity": spec.quantity,
        "limit_price": spec.limit_price,
        "stop_price": spec.stop_price,
        "status": OrderStatus.QUEUED.value,
        "triggered": False,
        "reserved_cash": hold.cash,
        "reserved_quantity": hold.quantity,
        "fill_price": None,
        "fee": None,
        "reject_reason": None,
        "expires_at": schedule.session_end(book.venue_id, now) if day else None,
        "queued_at": now,
        "opened_at": None,
        "filled_at": None,
        "cancelled_at": None,
        "rejected_at": None,
        "expired_at": None,
        "created_at": now,
        "updated_at": now,
    }
    if not schedule.is_venue_open(book.venue_id, now):
        return values, None
    values.update(status=OrderStatus.OPEN.value, queued_at=None, opened_at=now)
    outcome = on_price(
        spec, price, rules=book.rules, slippage_bps=costs.slippage_bps, triggered=False
    )
    values["triggered"] = outcome.triggered
    if outcome.fill_price is None:
        return values, None
    result = execution.settle(
        spec.side,
        spec.quantity,
        outcome.fill_price,
        book.symbol,
        account.cash - book.reserved_cash,
        book.position,
    )
    if isinstance(result, str):
        values.update(execution.status_change(values["status"], OrderStatus.REJECTED, now))
        values["reject_reason"] = result[:200]
        return values, None
    values.update(execution.status_change(values["status"], OrderStatus.FILLED, now))
    values.update(fill_price=outcome.fill_price, fee=result.fill.fee)
    return values, result


def _fill_rows(
    user_id: int,
    account: LockedAccount,
    book: Book,
    spec: OrderSpec,
    settlement: execution.Settlement,
    values: dict[str, Any],
) -> order_writes.FillRows:
    """Position, ledger rows, cash, the trade and the companion rows of an immediate fill."""
    now = values["filled_at"]
    after = settlement.position
    rows, cash = ledger.entry_rows(account.id, account.cash, settlement.postings, now)
    trade = {
        "account_id": account.id,
        "instrument_id": book.instrument_id,
        "side": spec.side.value,
        "quantity": spec.quantity,
        "price": values["fill_price"],
        "notional": settlement.fill.notional,
        "fee": settlement.fill.fee,
        "realized_pnl": settlement.realized_pnl,
        "executed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    return order_writes.FillRows(
        account_id=account.id,
        instrument_id=book.instrument_id,
        position_id=book.position_id,
        position={
            "quantity": after.quantity,
            "cost_basis": after.cost_basis,
            "realized_pnl": after.realized_pnl,
        },
        ledger=tuple(rows),
        cash=cash,
        trade=trade,
        now=now,
        companions=fill_companions.rows_for(
            fill_companions.FillRecord(
                user_id=user_id,
                symbol=book.symbol,
                side=spec.side.value,
                quantity=spec.quantity,
                price=values["fill_price"],
                realized_pnl=settlement.realized_pnl,
                executed_at=now,
            )
        ),
    )


def _attached(model: type[M], values: dict[str, Any]) -> M:
    """A row just written with Core, attached to the session as if loaded: every column is
    known, so reading it (and the API response) costs no query; relationships load lazily."""
    row = model(**values)
    make_transient_to_detached(row)
    db.session.add(row)
    return row


def cancel_order(user_id: int, order_id: int, now: datetime | None = None) -> Order:
    """Cancel a queued or open order of this user; its reservation is released."""
    lock_account(user_id)
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None or order.user_id != user_id:
        db.session.rollback()
        raise DomainError(f"order {order_id} not found", field="id", code="not_found", status=404)
    if order.status not in ledger.WORKING:
        db.session.rollback()
        raise DomainError(
            f"order {order_id} is {order.status} and cannot be cancelled",
            field="id",
            code="not_cancellable",
            status=409,
        )
    execution.move(order, OrderStatus.CANCELLED, now or utcnow())
    db.session.commit()
    return order


def get_order(user_id: int, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or order.user_id != user_id:
        raise DomainError(f"order {order_id} not found", field="id", code="not_found", status=404)
    return order


def list_orders(
    user_id: int,
    status: str | None = None,
    symbol: str | None = None,
    side: str | None = None,
    limit: int = 200,
) -> list[Order]:
    statement = orders_of(user_id, status, symbol, side)
    return list(db.session.scalars(statement.order_by(Order.id.desc()).limit(limit)))


def orders_of(
    user_id: int, status: str | None = None, symbol: str | None = None, side: str | None = None
) -> Select[tuple[Order]]:
    """The user's orders filtered by status (comma-separated), symbol and side, unordered.

    `symbol` resolves like everywhere else (`market.catalogue.get_instrument`: aliases such as
    BTCUSDT, VENUE:SYMBOL; 404 unknown_symbol, 409 ambiguous_symbol)."""
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
        statement = statement.where(Order.instrument_id == catalogue.get_instrument(symbol).id)
    return statement
