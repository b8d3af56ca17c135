"""Average-cost position arithmetic, long and short.

A position keeps its signed quantity (negative = short) and its cost basis: the net cash put
into the open quantity (negative for a short, which received cash). Average price is derived as
cost_basis / quantity. Keeping the basis in money units instead of a rounded average makes the
books reconcile to the cent: the sum of all cash deltas equals realized P&L minus cost basis.

Fee treatment (the method the UI states): fees of fills that open or add to a position go into
the cost basis (a buy fee raises a long's average cost, a short-sale fee lowers a short's
average price); fees of fills that reduce or close a position come out of realized P&L.
Closing part of a position releases basis pro rata (rounded to money places, ROUND_HALF_UP);
closing all of it releases exactly what is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tradedeck.core.errors import DomainError
from tradedeck.core.money import MONEY_PLACES, exact, notional, quantize_money, to_json
from tradedeck.core.orders import Side

AVG_PRICE_PLACES = 8
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Position:
    """An instrument holding. `cost_basis` includes opening fees; see the module docstring."""

    quantity: Decimal = _ZERO
    cost_basis: Decimal = _ZERO
    realized_pnl: Decimal = _ZERO

    @property
    def avg_price(self) -> Decimal:
        """Average cost per unit (fees included), 8 places; 0 when flat."""
        if not self.quantity:
            return _ZERO
        with exact():
            return (self.cost_basis / self.quantity).quantize(
                Decimal(1).scaleb(-AVG_PRICE_PLACES), rounding=ROUND_HALF_UP
            )

    def market_value(self, price: Decimal, places: int = MONEY_PLACES) -> Decimal:
        """Signed value at `price` (negative for a short: what buying it back would cost)."""
        value = notional(price, abs(self.quantity), places)
        return value if self.quantity >= 0 else -value

    def unrealized_pnl(self, price: Decimal, places: int = MONEY_PLACES) -> Decimal:
        """Gain if the position were closed at `price` before fees."""
        return self.market_value(price, places) - self.cost_basis


@dataclass(frozen=True, slots=True)
class FillEffect:
    """The position after a fill, the P&L the fill realized and the cash it moved."""

    position: Position
    realized_pnl: Decimal
    cash_delta: Decimal


def apply_fill(
    position: Position,
    side: Side,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    *,
    allow_short: bool = False,
    places: int = MONEY_PLACES,
) -> FillEffect:
    """Apply one fill with average-cost accounting.

    Selling more than is held raises DomainError(`insufficient_holdings`) unless `allow_short`;
    then the excess opens a short, and a buy beyond a short's size flips it long. A fill that
    crosses zero is split by quantity into a closing and an opening part, its fee pro rata.
    """
    if quantity <= 0 or price <= 0 or fee < 0:
        raise ValueError("a fill needs quantity > 0, price > 0 and fee >= 0")
    if side is Side.SELL and not allow_short and quantity > max(position.quantity, _ZERO):
        raise DomainError(
            f"cannot sell {to_json(quantity)}: only {to_json(max(position.quantity, _ZERO))} held",
            field="quantity",
            code="insufficient_holdings",
        )
    signed = quantity if side is Side.BUY else -quantity
    cash = _cash_delta(side, notional(price, quantity, places), fee)
    held = position.quantity
    if held == 0 or (held > 0) == (signed > 0):
        opened = Position(held + signed, position.cost_basis - cash, position.realized_pnl)
        return FillEffect(opened, _ZERO, cash)

    closing = min(quantity, abs(held))
    with exact():
        if closing == quantity:
            close_cash = cash
        else:
            close_fee = quantize_money(fee * closing / quantity, places)
            close_cash = _cash_delta(side, notional(price, closing, places), close_fee)
        if closing == abs(held):
            released = position.cost_basis
        else:
            released = quantize_money(position.cost_basis * closing / abs(held), places)
    realized = close_cash - released
    basis = position.cost_basis - released - (cash - close_cash)
    after = Position(held + signed, basis, position.realized_pnl + realized)
    return FillEffect(after, realized, cash)


def _cash_delta(side: Side, amount: Decimal, fee: Decimal) -> Decimal:
    return -(amount + fee) if side is Side.BUY else amount - fee
