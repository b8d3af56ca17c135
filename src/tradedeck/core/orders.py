"""Order rules of the paper exchange: validation, triggers, fill prices, fees, reservations.

Fills are all-or-nothing (no partial fills). Simulated prices are rounded against the trader
(buys up, sells down to the tick) so the simulator never hands out a better price than the one
observed, and a limit is never crossed by rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import TypeVar

from tradedeck.core.errors import DomainError
from tradedeck.core.money import (
    BPS_DENOMINATOR,
    MONEY_PLACES,
    bps_fee,
    exact,
    is_multiple_of_step,
    notional,
    parse_decimal,
    quantize_to_step,
    to_json,
)

# Extra headroom a market/stop buy reserves over the reference price: the largest single
# simulated tick (MAX_TICK_PCT 0.05). The fill re-checks cash, so this only sizes the hold.
DEFAULT_RESERVE_BUFFER_BPS = Decimal(500)

E = TypeVar("E", bound=StrEnum)


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"

    @property
    def uses_limit(self) -> bool:
        return self in (OrderType.LIMIT, OrderType.STOP_LIMIT)

    @property
    def uses_stop(self) -> bool:
        return self in (OrderType.STOP, OrderType.STOP_LIMIT)


class TimeInForce(StrEnum):
    DAY = "day"
    GTC = "gtc"


class OrderStatus(StrEnum):
    """`queued`: placed while the venue is closed; `open`: resting limit/stop (an untriggered
    stop is open too; the order row carries a triggered flag)."""

    QUEUED = "queued"
    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        return self not in (OrderStatus.QUEUED, OrderStatus.OPEN)


_ENDS = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED}
)
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.QUEUED: _ENDS | {OrderStatus.OPEN},  # a queued order may fill at the open
    OrderStatus.OPEN: _ENDS,
    OrderStatus.FILLED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
}
"""Every status an order may move to from each status; terminal states never change."""


class IllegalTransition(DomainError):
    """An order status change the lifecycle does not allow (a bug or a lost race): 409."""

    status = 409


def can_transition(current: OrderStatus, new: OrderStatus) -> bool:
    """Whether an order may move from `current` to `new`; terminal states never change."""
    return new in TRANSITIONS[current]


def transition(current: OrderStatus | str, new: OrderStatus) -> OrderStatus:
    """Check one status change against TRANSITIONS and return the new status; every status
    change of an order goes through here. Raises IllegalTransition."""
    status = OrderStatus(current)
    if not can_transition(status, new):
        raise IllegalTransition(
            f"an order that is {status.value} cannot become {new.value}",
            field="status",
            code="illegal_transition",
        )
    return new


@dataclass(frozen=True, slots=True)
class InstrumentRules:
    """Price grid and quantity grid of an instrument (lot 1 for stocks, 0.00001 for crypto)."""

    tick_size: Decimal
    lot_size: Decimal

    def __post_init__(self) -> None:
        for name in ("tick_size", "lot_size"):
            step = getattr(self, name)
            if not isinstance(step, Decimal) or not step.is_finite() or step <= 0:
                raise DomainError(f"{name} must be a positive decimal", field=name)


@dataclass(frozen=True, slots=True)
class Costs:
    """Execution cost settings in basis points; `places` are the cash currency's places."""

    fee_bps: Decimal = Decimal(0)
    slippage_bps: Decimal = Decimal(0)
    reserve_buffer_bps: Decimal = DEFAULT_RESERVE_BUFFER_BPS
    places: int = MONEY_PLACES

    def __post_init__(self) -> None:
        for name in ("fee_bps", "slippage_bps", "reserve_buffer_bps"):
            if getattr(self, name) < 0:
                raise DomainError(f"{name} must not be negative", field=name)


@dataclass(frozen=True, slots=True)
class OrderSpec:
    """A validated order: quantity on the lot grid, prices on the tick grid, only where used."""

    side: Side
    type: OrderType
    quantity: Decimal
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.DAY


def validate_order(
    *,
    side: object,
    order_type: object,
    quantity: object,
    rules: InstrumentRules,
    limit_price: object = None,
    stop_price: object = None,
    time_in_force: object = None,
) -> OrderSpec:
    """Check raw order input (strings, JSON numbers) and return the normalized order.

    Raises DomainError naming the API field: `side`, `type`, `quantity`, `limit_price`,
    `stop_price` or `time_in_force`.
    """
    parsed_side = _parse_enum(Side, side, "side")
    parsed_type = _parse_enum(OrderType, order_type, "type")
    tif = (
        TimeInForce.DAY
        if time_in_force is None
        else _parse_enum(TimeInForce, time_in_force, "time_in_force")
    )
    qty = parse_decimal(quantity, field="quantity", positive=True)
    if not is_multiple_of_step(qty, rules.lot_size):
        raise DomainError(
            f"quantity must be a multiple of the lot size {to_json(rules.lot_size)}",
            field="quantity",
            code="lot_size",
        )
    limit = _price(limit_price, "limit_price", parsed_type.uses_limit, parsed_type, rules)
    stop = _price(stop_price, "stop_price", parsed_type.uses_stop, parsed_type, rules)
    return OrderSpec(parsed_side, parsed_type, qty, limit, stop, tif)


def _parse_enum(enum: type[E], value: object, field: str) -> E:
    if value is None or value == "":
        raise DomainError(f"{field} is required", field=field, code="required")
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise DomainError(f"{field} must be one of: {allowed}", field=field) from None


def _price(
    value: object, field: str, used: bool, order_type: OrderType, rules: InstrumentRules
) -> Decimal | None:
    if not used:
        if value is not None and value != "":
            raise DomainError(
                f"{field} is not allowed on a {order_type.value} order",
                field=field,
                code="not_allowed",
            )
        return None
    if value is None or value == "":
        raise DomainError(
            f"{field} is required for a {order_type.value} order", field=field, code="required"
        )
    price = parse_decimal(value, field=field, positive=True)
    if not is_multiple_of_step(price, rules.tick_size):
        raise DomainError(
            f"{field} must be a multiple of the tick size {to_json(rules.tick_size)}",
            field=field,
            code="tick_size",
        )
    return price


def stop_triggered(side: Side, stop_price: Decimal, price: Decimal) -> bool:
    """A buy stop triggers when the price rises to the stop, a sell stop when it falls to it."""
    return price >= stop_price if side is Side.BUY else price <= stop_price


def limit_reached(side: Side, limit: Decimal, price: Decimal) -> bool:
    """A buy limit fills at or below its limit, a sell limit at or above it."""
    return price <= limit if side is Side.BUY else price >= limit


def would_act(
    side: Side,
    order_type: OrderType,
    price: Decimal,
    *,
    limit_price: Decimal | None,
    stop_price: Decimal | None,
    triggered: bool,
) -> bool:
    """Whether `price` triggers or fills a working order, as `on_price` decides it (before
    any rounding): the worker's cheap test of which orders to lock and work."""
    if order_type.uses_stop and not triggered:
        assert stop_price is not None
        return stop_triggered(side, stop_price, price)
    if limit_price is None:
        return True
    return limit_reached(side, limit_price, price)


def market_fill_price(side: Side, price: Decimal, slippage_bps: Decimal, tick: Decimal) -> Decimal:
    """Price a market order gets: slipped against the trader, then rounded against them to the
    tick (never below one tick)."""
    with exact():
        factor = slippage_bps / BPS_DENOMINATOR
        if side is Side.BUY:
            return quantize_to_step(price * (1 + factor), tick, ROUND_CEILING)
        return max(quantize_to_step(price * (1 - factor), tick, ROUND_FLOOR), tick)


def limit_fill_price(side: Side, limit: Decimal, price: Decimal, tick: Decimal) -> Decimal | None:
    """Fill price of a limit at `price`, or None when it does not fill: a buy fills at or below
    its limit at min(price, limit), a sell at or above it at max(price, limit)."""
    if not limit_reached(side, limit, price):
        return None
    if side is Side.BUY:
        return min(quantize_to_step(price, tick, ROUND_CEILING), limit)
    return max(quantize_to_step(price, tick, ROUND_FLOOR), limit)


@dataclass(frozen=True, slots=True)
class TickOutcome:
    """What a new price does to a working order: `triggered` is the stop state after this
    price (always False for market/limit), `fill_price` is None when it keeps resting."""

    triggered: bool
    fill_price: Decimal | None


def on_price(
    order: OrderSpec,
    price: Decimal,
    *,
    rules: InstrumentRules,
    slippage_bps: Decimal,
    triggered: bool = False,
) -> TickOutcome:
    """Evaluate a working order against a new price; `triggered` is its stored stop state.

    A triggered stop becomes a market order, a triggered stop-limit becomes a limit order (and
    may fill on the same price that triggered it).
    """
    if price <= 0:
        raise ValueError("price must be positive")
    tick = rules.tick_size
    if order.type is OrderType.MARKET:
        return TickOutcome(False, market_fill_price(order.side, price, slippage_bps, tick))
    if order.type is OrderType.LIMIT:
        assert order.limit_price is not None
        return TickOutcome(False, limit_fill_price(order.side, order.limit_price, price, tick))
    assert order.stop_price is not None
    if not (triggered or stop_triggered(order.side, order.stop_price, price)):
        return TickOutcome(False, None)
    if order.type is OrderType.STOP:
        return TickOutcome(True, market_fill_price(order.side, price, slippage_bps, tick))
    assert order.limit_price is not None
    return TickOutcome(True, limit_fill_price(order.side, order.limit_price, price, tick))


@dataclass(frozen=True, slots=True)
class Fill:
    """An execution: notional = price x quantity rounded to money; fee in bps of notional."""

    side: Side
    quantity: Decimal
    price: Decimal
    notional: Decimal
    fee: Decimal

    @property
    def cash_delta(self) -> Decimal:
        """Signed cash movement: a buy pays notional + fee, a sell receives notional - fee."""
        if self.side is Side.BUY:
            return -(self.notional + self.fee)
        return self.notional - self.fee


def fill_at(side: Side, quantity: Decimal, price: Decimal, costs: Costs) -> Fill:
    """Build the fill of `quantity` at `price` with the fee the cost settings charge."""
    amount = notional(price, quantity, costs.places)
    return Fill(side, quantity, price, amount, bps_fee(amount, costs.fee_bps, costs.places))


@dataclass(frozen=True, slots=True)
class Reservation:
    """What a working order holds back: cash for a buy, holdings for a sell."""

    cash: Decimal
    quantity: Decimal


def reservation(
    order: OrderSpec, *, reference_price: Decimal, rules: InstrumentRules, costs: Costs
) -> Reservation:
    """Cash (buys) or quantity (sells) an open order holds against what is available.

    A limit or stop-limit buy cannot pay more than its limit: it holds limit x qty + fee. A
    market or stop buy has no cap, so it holds the price it would fill at (the reference, or
    the stop if higher) slipped by slippage + `reserve_buffer_bps`, plus the fee. The fill
    still re-checks cash, since a price can gap past any buffer.
    """
    if order.side is Side.SELL:
        return Reservation(Decimal(0), order.quantity)
    if order.limit_price is not None:
        price = order.limit_price
    else:
        base = max(reference_price, order.stop_price or reference_price)
        headroom = costs.slippage_bps + costs.reserve_buffer_bps
        price = market_fill_price(Side.BUY, base, headroom, rules.tick_size)
    fill = fill_at(Side.BUY, order.quantity, price, costs)
    return Reservation(-fill.cash_delta, Decimal(0))


@dataclass(frozen=True, slots=True)
class Preview:
    """Estimated execution of an order before it is placed: price, cost, fee and buying power
    (or holdings), checked on the server the way placement checks them.

    `total` is the cash that leaves (buy: notional + fee) or arrives (sell: notional - fee);
    `cash_required` is what the order would reserve. When not `sufficient`, `reason_code` is
    `insufficient_funds` or `insufficient_holdings` and `reason` explains it.
    """

    estimated_price: Decimal
    notional: Decimal
    fee: Decimal
    total: Decimal
    cash_required: Decimal
    sufficient: bool
    reason_code: str | None = None
    reason: str | None = None

    def raise_if_insufficient(self) -> None:
        """Refuse the order the way placement does: a DomainError on `quantity`."""
        if not self.sufficient:
            assert self.reason is not None and self.reason_code is not None
            raise DomainError(self.reason, field="quantity", code=self.reason_code)


def estimated_price(
    order: OrderSpec, reference_price: Decimal, rules: InstrumentRules, costs: Costs
) -> Decimal:
    """Likely fill price: market/stop at the (stop-adjusted) reference with slippage; a limit
    at the price it would fill now, or at its limit if it would rest."""
    tick, side = rules.tick_size, order.side
    if order.limit_price is not None:
        now = limit_fill_price(side, order.limit_price, reference_price, tick)
        if order.type is OrderType.LIMIT and now is not None:
            return now
        return order.limit_price
    base = reference_price
    if order.stop_price is not None:
        pick = max if side is Side.BUY else min
        base = pick(reference_price, order.stop_price)
    return market_fill_price(side, base, costs.slippage_bps, tick)


def preview(
    order: OrderSpec,
    *,
    reference_price: Decimal,
    cash_available: Decimal,
    holdings_available: Decimal,
    rules: InstrumentRules,
    costs: Costs,
    allow_short: bool = False,
) -> Preview:
    """Estimate price, cost and fee, and check buying power (buys) or holdings (sells).

    `cash_available` is cash minus what other open buys reserve; `holdings_available` is the
    position minus what other open sells reserve. Shorts need `allow_short`; no margin is
    modelled for them.
    """
    price = estimated_price(order, reference_price, rules, costs)
    fill = fill_at(order.side, order.quantity, price, costs)
    held = reservation(order, reference_price=reference_price, rules=rules, costs=costs)
    reason_code = reason = None
    if order.side is Side.BUY and held.cash > cash_available:
        reason_code = "insufficient_funds"
        reason = (
            f"insufficient buying power: this order needs {to_json(held.cash)}, "
            f"{to_json(cash_available)} is available"
        )
    elif order.side is Side.SELL and not allow_short and order.quantity > holdings_available:
        reason_code = "insufficient_holdings"
        reason = (
            f"insufficient holdings: selling {to_json(order.quantity)}, "
            f"{to_json(holdings_available)} available (short selling is disabled)"
        )
    return Preview(
        estimated_price=price,
        notional=fill.notional,
        fee=fill.fee,
        total=fill.cash_delta if order.side is Side.SELL else -fill.cash_delta,
        cash_required=held.cash,
        sufficient=reason is None,
        reason_code=reason_code,
        reason=reason,
    )
