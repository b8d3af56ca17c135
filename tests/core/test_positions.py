from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradedeck.core.errors import DomainError
from tradedeck.core.orders import Side
from tradedeck.core.positions import Position, apply_fill

D = Decimal
CENT = Fraction(1, 100)


def test_buy_fee_raises_cost_basis_and_sell_fee_reduces_realized():
    bought = apply_fill(Position(), Side.BUY, D("10"), D("100"), D("1"))
    assert bought.position == Position(D("10"), D("1001"), D("0"))
    assert bought.position.avg_price == D("100.1")
    assert (bought.realized_pnl, bought.cash_delta) == (D("0"), D("-1001"))

    sold = apply_fill(bought.position, Side.SELL, D("4"), D("110"), D("0.44"))
    # releases 4/10 of 1001 = 400.40; receives 440 - 0.44
    assert sold.cash_delta == D("439.56")
    assert sold.realized_pnl == D("39.16")
    assert sold.position == Position(D("6"), D("600.60"), D("39.16"))
    assert sold.position.avg_price == D("100.1")

    closed = apply_fill(sold.position, Side.SELL, D("6"), D("90"), D("0"))
    assert closed.position == Position(D("0"), D("0"), D("39.16") + D("-60.60"))
    assert closed.position.avg_price == 0


def test_average_cost_moves_only_on_buys():
    p = apply_fill(Position(), Side.BUY, D("1"), D("10"), D("0")).position
    p = apply_fill(p, Side.BUY, D("2"), D("13"), D("0")).position
    assert p.avg_price == D("12")
    p = apply_fill(Position(), Side.BUY, D("3"), D("1"), D("0")).position
    p = apply_fill(p, Side.BUY, D("3"), D("2"), D("0.01")).position
    assert p.avg_price == D("1.50166667")


def test_selling_more_than_held_is_rejected_without_shorts():
    p = Position(D("5"), D("500"), D("0"))
    with pytest.raises(DomainError) as err:
        apply_fill(p, Side.SELL, D("6"), D("100"), D("0"))
    assert (err.value.field, err.value.code) == ("quantity", "insufficient_holdings")
    with pytest.raises(DomainError):
        apply_fill(Position(), Side.SELL, D("1"), D("100"), D("0"))


def test_short_round_trip():
    short = apply_fill(Position(), Side.SELL, D("10"), D("100"), D("1"), allow_short=True)
    assert short.position == Position(D("-10"), D("-999"), D("0"))
    assert short.position.avg_price == D("99.9")
    assert short.cash_delta == D("999")
    assert short.position.market_value(D("90")) == D("-900.00")
    assert short.position.unrealized_pnl(D("90")) == D("99.00")

    cover = apply_fill(short.position, Side.BUY, D("10"), D("90"), D("0.90"))
    assert cover.cash_delta == D("-900.90")
    assert cover.realized_pnl == D("98.10")
    assert cover.position == Position(D("0"), D("0"), D("98.10"))


def test_fill_crossing_zero_is_split_with_fee_pro_rata():
    long = Position(D("5"), D("500"), D("0"))
    flip = apply_fill(long, Side.SELL, D("8"), D("110"), D("0.88"), allow_short=True)
    # closing 5: 550 - 0.55 fee - 500 released; opening short 3 with the remaining 0.33 fee
    assert flip.realized_pnl == D("49.45")
    assert flip.position == Position(D("-3"), D("-329.67"), D("49.45"))
    assert flip.position.avg_price == D("109.89")
    back = apply_fill(flip.position, Side.BUY, D("4"), D("100"), D("0.40"))
    assert back.position.quantity == D("1")
    assert back.realized_pnl == D("-300.30") + D("329.67")
    assert back.position.cost_basis == D("100.10")


def test_market_value_and_unrealized_pnl():
    p = Position(D("0.12345"), D("5000.00"), D("0"))
    assert p.market_value(D("42000.5")) == D("5184.96")
    assert p.unrealized_pnl(D("42000.5")) == D("184.96")
    assert Position().market_value(D("10")) == D("0")


def test_rejects_nonsense_fills():
    for qty, price, fee in (("0", "1", "0"), ("1", "0", "0"), ("1", "1", "-1")):
        with pytest.raises(ValueError):
            apply_fill(Position(), Side.BUY, D(qty), D(price), D(fee))


def oracle(fills):
    """Textbook average-cost recomputation in exact fractions, tracking the average price."""
    qty = avg = realized = Fraction(0)
    for side, *numbers in fills:
        q, price, fee = map(Fraction, numbers)
        sign = 1 if side is Side.BUY else -1
        if qty * sign < 0:
            closing = min(q, abs(qty))
            close_fee = fee * closing / q
            realized += closing * (price - avg) * (1 if qty > 0 else -1) - close_fee
            qty += sign * closing
            q, fee = q - closing, fee - close_fee
            if qty == 0:
                avg = Fraction(0)
        if q:
            effective = price + sign * fee / q
            avg = (abs(qty) * avg + q * effective) / (abs(qty) + q)
            qty += sign * q
    return qty, avg * qty, realized


fill_strategy = st.tuples(
    st.sampled_from(Side),
    st.decimals(min_value=D("0.001"), max_value=D("50"), places=3),
    st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2),
    st.decimals(min_value=D("0"), max_value=D("10"), places=2),
)
marks = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)


def run_fills(fills, allow_short):
    """Apply fills in order, skipping (after checking the refusal) oversells when not shorting."""
    position, cash_total, applied, realized = Position(), D(0), [], D(0)
    for side, qty, price, fee in fills:
        if not allow_short and side is Side.SELL and qty > position.quantity:
            with pytest.raises(DomainError):
                apply_fill(position, side, qty, price, fee)
            continue
        effect = apply_fill(position, side, qty, price, fee, allow_short=allow_short)
        assert allow_short or effect.position.quantity >= 0
        position = effect.position
        cash_total += effect.cash_delta
        realized += effect.realized_pnl
        applied.append((side, qty, price, fee))
    return position, cash_total, applied, realized


@settings(max_examples=300, deadline=None)
@given(st.lists(fill_strategy, max_size=25), marks, st.booleans())
def test_any_fill_sequence_matches_oracle_and_reconciles(fills, mark, allow_short):
    position, cash_total, applied, realized = run_fills(fills, allow_short)
    assert realized == position.realized_pnl
    # the books reconcile to the cent: cash paid out is either realized or still in the basis
    assert cash_total == position.realized_pnl - position.cost_basis
    assert cash_total + position.market_value(mark) == (
        position.realized_pnl + position.unrealized_pnl(mark)
    )
    if position.quantity == 0:
        assert position.cost_basis == 0
    qty, basis, oracle_realized = oracle(applied)
    tolerance = len(applied) * 2 * CENT
    assert Fraction(position.quantity) == qty
    assert abs(Fraction(position.cost_basis) - basis) <= tolerance
    assert abs(Fraction(position.realized_pnl) - oracle_realized) <= tolerance
