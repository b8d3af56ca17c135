from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradedeck.core.errors import DomainError
from tradedeck.core.orders import (
    TRANSITIONS,
    Costs,
    IllegalTransition,
    InstrumentRules,
    OrderSpec,
    OrderStatus,
    OrderType,
    Reservation,
    Side,
    TickOutcome,
    TimeInForce,
    can_transition,
    fill_at,
    limit_fill_price,
    market_fill_price,
    on_price,
    preview,
    reservation,
    stop_triggered,
    transition,
    validate_order,
    would_act,
)

D = Decimal
STOCK = InstrumentRules(tick_size=D("0.01"), lot_size=D("1"))
CRYPTO = InstrumentRules(tick_size=D("0.01"), lot_size=D("0.00001"))
COSTS = Costs(fee_bps=D("10"), slippage_bps=D("5"))


def order(side="buy", type_="limit", qty="10", limit=None, stop=None, rules=STOCK):
    return validate_order(
        side=side,
        order_type=type_,
        quantity=qty,
        limit_price=limit,
        stop_price=stop,
        rules=rules,
    )


def test_validate_normalizes_input():
    spec = validate_order(
        side="BUY",
        order_type="stop_limit",
        quantity=10,
        limit_price="101.50",
        stop_price=101.0,
        time_in_force="gtc",
        rules=STOCK,
    )
    assert spec == OrderSpec(
        Side.BUY, OrderType.STOP_LIMIT, D("10"), D("101.5"), D("101"), TimeInForce.GTC
    )
    assert order(type_="market").time_in_force is TimeInForce.DAY
    assert order(type_="market", qty="0.00125", rules=CRYPTO).quantity == D("0.00125")


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"side": "hold"}, "side", "invalid"),
        ({"side": None}, "side", "required"),
        ({"order_type": "trailing"}, "type", "invalid"),
        ({"time_in_force": "ioc"}, "time_in_force", "invalid"),
        ({"quantity": "0"}, "quantity", "not_positive"),
        ({"quantity": "-1"}, "quantity", "negative"),
        ({"quantity": "1.5"}, "quantity", "lot_size"),
        ({"quantity": "1e2"}, "quantity", "invalid_number"),
        ({"quantity": None}, "quantity", "required"),
        ({"limit_price": None}, "limit_price", "required"),
        ({"limit_price": ""}, "limit_price", "required"),
        ({"limit_price": "0"}, "limit_price", "not_positive"),
        ({"limit_price": "10.005"}, "limit_price", "tick_size"),
        ({"limit_price": "NaN"}, "limit_price", "invalid_number"),
        ({"stop_price": "9"}, "stop_price", "not_allowed"),
        ({"order_type": "market", "limit_price": "9"}, "limit_price", "not_allowed"),
        ({"order_type": "stop", "limit_price": None}, "stop_price", "required"),
        (
            {"order_type": "stop", "limit_price": None, "stop_price": "1.001"},
            "stop_price",
            "tick_size",
        ),
        ({"order_type": "stop_limit", "stop_price": None}, "stop_price", "required"),
    ],
)
def test_validate_rejects_naming_the_field(kwargs, field, code):
    args = {"side": "buy", "order_type": "limit", "quantity": "10", "limit_price": "10.00"}
    args |= kwargs
    with pytest.raises(DomainError) as err:
        validate_order(rules=STOCK, **args)
    assert (err.value.field, err.value.code) == (field, code)


def test_fractional_crypto_quantity_respects_lot_size():
    with pytest.raises(DomainError) as err:
        order(type_="market", qty="0.000015", rules=CRYPTO)
    assert err.value.code == "lot_size"
    assert "0.00001" in err.value.message


def test_instrument_rules_and_costs_validate():
    with pytest.raises(DomainError):
        InstrumentRules(tick_size=D("0"), lot_size=D("1"))
    with pytest.raises(DomainError):
        Costs(fee_bps=D("-1"))


def test_status_transitions():
    assert can_transition(OrderStatus.QUEUED, OrderStatus.FILLED)
    assert can_transition(OrderStatus.QUEUED, OrderStatus.OPEN)
    assert can_transition(OrderStatus.OPEN, OrderStatus.EXPIRED)
    assert not can_transition(OrderStatus.OPEN, OrderStatus.QUEUED)
    assert not can_transition(OrderStatus.FILLED, OrderStatus.CANCELLED)
    assert not can_transition(OrderStatus.CANCELLED, OrderStatus.FILLED)
    assert {s for s in OrderStatus if s.is_terminal} == {
        OrderStatus.FILLED,
        OrderStatus.CANCELLED,
        OrderStatus.REJECTED,
        OrderStatus.EXPIRED,
    }


def test_transition_checks_the_table_and_raises_409_on_illegal_moves():
    assert set(TRANSITIONS) == set(OrderStatus)
    for current, allowed in TRANSITIONS.items():
        for new in OrderStatus:
            if new in allowed:
                assert transition(current.value, new) is new
            else:
                with pytest.raises(IllegalTransition) as caught:
                    transition(current, new)
                assert caught.value.status == 409 and caught.value.code == "illegal_transition"
    assert all(not TRANSITIONS[s] for s in OrderStatus if s.is_terminal)


prices = st.decimals(min_value=D("0.01"), max_value=D("1000"), places=2)


@given(
    side=st.sampled_from(Side),
    order_type=st.sampled_from([OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT]),
    price=prices,
    limit=prices,
    stop=prices,
    triggered=st.booleans(),
)
def test_would_act_is_what_on_price_decides(side, order_type, price, limit, stop, triggered):
    """The worker's pre-filter and the fill rules agree: an order is worked exactly when the
    price fills it or changes its trigger state."""
    spec = OrderSpec(
        side,
        order_type,
        D(1),
        limit if order_type.uses_limit else None,
        stop if order_type.uses_stop else None,
    )
    triggered = triggered and order_type.uses_stop
    outcome = on_price(spec, price, rules=STOCK, slippage_bps=D(0), triggered=triggered)
    acts = outcome.fill_price is not None or outcome.triggered != triggered
    assert acts == would_act(
        side,
        order_type,
        price,
        limit_price=spec.limit_price,
        stop_price=spec.stop_price,
        triggered=triggered,
    )


def test_stop_trigger_direction():
    assert stop_triggered(Side.BUY, D("105"), D("105"))
    assert not stop_triggered(Side.BUY, D("105"), D("104.99"))
    assert stop_triggered(Side.SELL, D("95"), D("95"))
    assert not stop_triggered(Side.SELL, D("95"), D("95.01"))


def test_market_fill_price_slips_against_trader_and_rounds_to_tick():
    tick = D("0.01")
    assert market_fill_price(Side.BUY, D("100"), D("5"), tick) == D("100.05")
    assert market_fill_price(Side.SELL, D("100"), D("5"), tick) == D("99.95")
    assert market_fill_price(Side.BUY, D("100.001"), D("0"), tick) == D("100.01")
    assert market_fill_price(Side.SELL, D("100.009"), D("0"), tick) == D("100.00")
    assert market_fill_price(Side.SELL, D("0.01"), D("100"), tick) == D("0.01")


def test_limit_fill_price():
    tick = D("0.01")
    assert limit_fill_price(Side.BUY, D("100"), D("100.01"), tick) is None
    assert limit_fill_price(Side.BUY, D("100"), D("100"), tick) == D("100")
    assert limit_fill_price(Side.BUY, D("100"), D("98.5"), tick) == D("98.5")
    assert limit_fill_price(Side.BUY, D("100"), D("99.999"), tick) == D("100")
    assert limit_fill_price(Side.SELL, D("100"), D("99.99"), tick) is None
    assert limit_fill_price(Side.SELL, D("100"), D("101.237"), tick) == D("101.23")
    assert limit_fill_price(Side.SELL, D("100"), D("100.001"), tick) == D("100")


def test_on_price_for_each_order_type():
    def run(spec, price, triggered=False):
        return on_price(spec, D(price), rules=STOCK, slippage_bps=D("0"), triggered=triggered)

    assert run(order(type_="market"), "50") == TickOutcome(False, D("50"))
    assert run(order(limit="100"), "101") == TickOutcome(False, None)
    assert run(order(limit="100"), "99") == TickOutcome(False, D("99"))
    buy_stop = order(type_="stop", stop="105")
    assert run(buy_stop, "104") == TickOutcome(False, None)
    assert run(buy_stop, "106") == TickOutcome(True, D("106"))
    assert run(buy_stop, "100", triggered=True) == TickOutcome(True, D("100"))
    sell_stop = order(side="sell", type_="stop", stop="95")
    assert run(sell_stop, "96") == TickOutcome(False, None)
    assert run(sell_stop, "94.5") == TickOutcome(True, D("94.5"))
    stop_limit = order(type_="stop_limit", stop="105", limit="106")
    assert run(stop_limit, "104") == TickOutcome(False, None)
    assert run(stop_limit, "105.5") == TickOutcome(True, D("105.5"))
    assert run(stop_limit, "107") == TickOutcome(True, None)
    assert run(stop_limit, "110", triggered=True) == TickOutcome(True, None)
    assert run(stop_limit, "104", triggered=True) == TickOutcome(True, D("104"))
    with pytest.raises(ValueError):
        run(order(type_="market"), "0")


prices = st.decimals(min_value=D("0.01"), max_value=D("10000"), places=3)
limits = st.decimals(min_value=D("0.01"), max_value=D("10000"), places=2)


@given(st.sampled_from(Side), limits, prices)
def test_limit_never_fills_worse_than_its_limit(side, limit, price):
    spec = order(side=side.value, limit=limit)
    fill = on_price(spec, price, rules=STOCK, slippage_bps=D("25")).fill_price
    if fill is None:
        assert (price > limit) if side is Side.BUY else (price < limit)
        return
    assert fill % STOCK.tick_size == 0
    assert fill <= limit if side is Side.BUY else fill >= limit
    assert abs(fill - price) < STOCK.tick_size or fill == limit


def test_fill_notional_fee_and_cash_delta():
    buy = fill_at(Side.BUY, D("3"), D("33.335"), COSTS)
    assert (buy.notional, buy.fee, buy.cash_delta) == (D("100.01"), D("0.10"), D("-100.11"))
    sell = fill_at(Side.SELL, D("10"), D("100"), COSTS)
    assert (sell.notional, sell.fee, sell.cash_delta) == (D("1000.00"), D("1.00"), D("999.00"))


def test_reservation():
    limit_buy = order(limit="100")
    assert reservation(limit_buy, reference_price=D("90"), rules=STOCK, costs=COSTS) == (
        Reservation(D("1001.00"), D("0"))
    )
    market_buy = order(type_="market")
    # 100 * (1 + (5 + 500) / 10000) = 105.05 -> notional 1050.50, fee 1.05
    assert reservation(market_buy, reference_price=D("100"), rules=STOCK, costs=COSTS) == (
        Reservation(D("1051.55"), D("0"))
    )
    stop_buy = order(type_="stop", stop="110")
    held = reservation(stop_buy, reference_price=D("100"), rules=STOCK, costs=COSTS)
    assert held.cash == D("1156.76")  # 110 x 1.0505 = 115.555 -> 115.56; 1155.60 + fee 1.16
    sell = order(side="sell", type_="market", qty="7")
    assert reservation(sell, reference_price=D("100"), rules=STOCK, costs=COSTS) == Reservation(
        D("0"), D("7")
    )


def _preview(spec, cash="100000", holdings="0", **kwargs):
    return preview(
        spec,
        reference_price=D("100"),
        cash_available=D(cash),
        holdings_available=D(holdings),
        rules=STOCK,
        costs=COSTS,
        **kwargs,
    )


def test_preview_market_buy():
    p = _preview(order(type_="market"))
    assert p.estimated_price == D("100.05")
    assert p.notional == D("1000.50")
    assert p.fee == D("1.00")
    assert p.total == D("1001.50")
    assert p.cash_required == D("1051.55")
    assert p.sufficient and p.reason is None
    p.raise_if_insufficient()


def test_preview_limit_prices():
    assert _preview(order(limit="99")).estimated_price == D("99")
    assert _preview(order(limit="120")).estimated_price == D("100")
    assert _preview(order(side="sell", limit="90"), holdings="10").estimated_price == D("100")
    stop_limit = order(type_="stop_limit", stop="101", limit="102")
    assert _preview(stop_limit).estimated_price == D("102")
    assert _preview(order(side="sell", type_="stop", stop="95"), holdings="10").estimated_price == (
        D("94.95")
    )


def test_preview_insufficient_buying_power():
    p = _preview(order(type_="market"), cash="1051.54")
    assert not p.sufficient
    assert p.reason_code == "insufficient_funds"
    assert "1051.55" in p.reason and "1051.54" in p.reason
    with pytest.raises(DomainError) as err:
        p.raise_if_insufficient()
    assert (err.value.field, err.value.code) == ("quantity", "insufficient_funds")
    assert _preview(order(type_="market"), cash="1051.55").sufficient


def test_preview_sell_checks_holdings_unless_shorting_allowed():
    sell = order(side="sell", type_="market")
    p = _preview(sell, holdings="9")
    assert (p.sufficient, p.reason_code) == (False, "insufficient_holdings")
    assert p.total == D("998.50")  # 99.95 x 10 - 1.00 fee
    assert _preview(sell, holdings="10").sufficient
    assert _preview(sell, holdings="0", allow_short=True).sufficient
