"""Hand-made cases for every fill rule of the engine."""

import math

import numpy as np
import pytest

from tradedeck.core.backtest import BacktestError, Settings

from .helpers import flat, only_trade, simulate_rows

SIGNAL, STOP, TARGET = 0, 1, 2

# bar:   0           1           2             3              4              5
ROWS = [
    (10, 10, 10, 10),
    (10, 11, 9, 10),
    (12, 13, 11, 12.5),
    (13, 14, 12.5, 13.5),
    (14, 15, 13, 14),
    (15, 16, 14, 15),
]


def test_entry_fills_at_next_open_and_exit_signal_at_the_open_after():
    trade = only_trade(simulate_rows(ROWS, {1: 1}, exits=(3,), cash=1000))
    assert (trade["entry_bar"], trade["entry"]) == (2, 12.0)
    assert (trade["exit_bar"], trade["exit"], trade["reason"]) == (4, 14.0, SIGNAL)
    assert trade["size"] == 83  # floor(1000 / 12)


def test_close_fill_uses_the_signal_bar_close():
    trade = only_trade(simulate_rows(ROWS, {1: 1}, exits=(3,), cash=1000, fill="close"))
    assert (trade["entry_bar"], trade["entry"], trade["exit_bar"], trade["exit"]) == (
        1,
        10.0,
        3,
        13.5,
    )
    assert trade["size"] == 99  # all equity less one ulp, as backtesting.py: 999.99.. / 10


def test_opposite_signal_reverses_and_same_side_signal_is_ignored():
    result = simulate_rows(ROWS, {0: 1, 1: 1, 3: -1}, cash=1000)
    t = result.trades
    assert len(t) == 1 and t.size[0] == 99 and t.exit_bar[0] == 4 and t.exit_price[0] == 14
    assert result.open_trade is not None
    assert result.open_trade["size"] < 0 and result.open_trade["entry_bar"] == 4
    assert result.open_trade["entry_price"] == 14.0


def test_open_position_at_the_end_stays_out_of_the_closed_trades():
    result = simulate_rows(ROWS, {1: 1}, cash=1000)
    assert len(result.trades) == 0
    assert result.open_trade["entry_bar"] == 2
    assert result.equity[-1] == pytest.approx(1000 - 83 * 12 + 83 * 15)


def test_stop_fills_at_the_stop_price():
    rows = [*flat(10, 2), (10, 10.5, 9.5, 10), (10, 10.2, 8.5, 9), (9, 9, 9, 9)]
    trade = only_trade(simulate_rows(rows, {1: 1}, cash=1000, stop="percent", stop_value=0.1))
    assert (trade["exit_bar"], trade["exit"], trade["reason"]) == (3, 9.0, STOP)


def test_gap_through_the_stop_fills_at_the_worse_open():
    rows = [*flat(10, 2), (10, 10.5, 9.5, 10), (8, 8.5, 7.5, 8), (8, 8, 8, 8)]
    trade = only_trade(simulate_rows(rows, {1: 1}, cash=1000, stop="percent", stop_value=0.1))
    assert (trade["exit_bar"], trade["exit"], trade["reason"]) == (3, 8.0, STOP)


def test_target_fills_at_the_target_and_a_gap_beyond_it_at_the_better_open():
    rows = [*flat(10, 2), (10, 10.5, 9.5, 10), (10, 12.5, 10, 12), (12, 12, 12, 12)]
    trade = only_trade(simulate_rows(rows, {1: 1}, cash=1000, target="percent", target_value=0.2))
    assert (trade["exit_bar"], trade["exit"], trade["reason"]) == (3, 12.0, TARGET)
    gap = [*flat(10, 2), (10, 10.5, 9.5, 10), (13, 13.5, 12.8, 13), (13, 13, 13, 13)]
    trade = only_trade(simulate_rows(gap, {1: 1}, cash=1000, target="percent", target_value=0.2))
    assert (trade["exit"], trade["reason"]) == (13.0, TARGET)


def test_stop_and_target_in_one_bar_resolve_pessimistically_to_the_stop():
    rows = [*flat(10, 2), (10, 10.5, 9.5, 10), (10, 13, 8, 10), (10, 10, 10, 10)]
    trade = only_trade(
        simulate_rows(
            rows,
            {1: 1},
            cash=1000,
            stop="percent",
            stop_value=0.1,
            target="percent",
            target_value=0.2,
        )
    )
    assert (trade["exit"], trade["reason"]) == (9.0, STOP)


def test_short_stop_and_target_mirror_the_long_ones():
    rows = [*flat(10, 2), (10, 10.5, 9.5, 10), (10, 11.5, 9.5, 11), (11, 11, 11, 11)]
    trade = only_trade(simulate_rows(rows, {1: -1}, cash=1000, stop="percent", stop_value=0.1))
    assert (trade["size"], trade["exit"], trade["reason"]) == (-99, 11.0, STOP)
    rows = [*flat(10, 2), (10, 10.5, 9.5, 10), (10, 10, 7.5, 8), (8, 8, 8, 8)]
    trade = only_trade(simulate_rows(rows, {1: -1}, cash=1000, target="percent", target_value=0.2))
    assert (trade["exit"], trade["reason"]) == (8.0, TARGET)


def test_next_open_entry_bar_is_checked_for_the_stop_but_a_close_fill_bar_is_not():
    rows = [*flat(10, 2), (10, 10, 8, 9.5), (9.5, 9.6, 9.4, 9.5), (9.5, 9.5, 9.5, 9.5)]
    trade = only_trade(simulate_rows(rows, {1: 1}, cash=1000, stop="percent", stop_value=0.1))
    assert (trade["entry_bar"], trade["exit_bar"], trade["reason"]) == (2, 2, STOP)
    result = simulate_rows(rows, {2: 1}, cash=1000, stop="percent", stop_value=0.1, fill="close")
    assert len(result.trades) == 0 and result.open_trade["entry_bar"] == 2


def test_stop_level_on_the_wrong_side_of_the_fill_skips_the_trade():
    result = simulate_rows(ROWS, {1: 1}, stops={1: 12.5}, cash=1000, stop="level")
    assert len(result.trades) == 0 and result.open_trade is None
    result = simulate_rows(ROWS, {1: 1}, stops={1: 10.5}, cash=1000, stop="level")
    assert result.open_trade["stop"] == 10.5


def test_atr_stop_and_r_multiple_target():
    rows = [*flat(10, 2), (10, 10.5, 9.6, 10), (10, 11.1, 10, 11), (11, 11, 11, 11)]
    atr = np.full(len(rows), 0.5)
    trade = only_trade(
        simulate_rows(
            rows,
            {1: 1},
            atr=atr,
            cash=1000,
            stop="atr",
            stop_value=1.0,
            target="r",
            target_value=2.0,
        )
    )
    assert (trade["exit"], trade["reason"]) == (11.0, TARGET)  # 10 + 2 * 0.5
    rows[3] = (10, 10.7, 10, 10.5)
    atr_target = simulate_rows(rows, {1: 1}, atr=atr, cash=1000, target="atr", target_value=1.5)
    assert atr_target.trades.target[0] == 10.75  # 10 + 1.5 * 0.5, reached by bar 4's open
    assert atr_target.trades.exit_price[0] == 11.0


def test_commission_and_slippage_charge_every_fill():
    result = simulate_rows(
        ROWS, {1: 1}, exits=(3,), cash=1000, commission=0.01, commission_fixed=1, slippage=0.01
    )
    trade = only_trade(result)
    entry, exit_ = 12 * 1.01, 14 * 0.99
    units = math.floor((1000 - 1) / (entry * 1.01))
    assert trade["size"] == units
    assert trade["entry"] == pytest.approx(entry) and trade["exit"] == pytest.approx(exit_)
    commission = 2 + units * entry * 0.01 + units * exit_ * 0.01
    assert trade["commission"] == pytest.approx(commission)
    assert result.equity[-1] == pytest.approx(1000 + units * (exit_ - entry) - commission)


@pytest.mark.parametrize(
    ("settings", "units"),
    [
        ({"sizing": "equity", "size": 0.5}, 41),  # floor(500 / 12)
        ({"sizing": "equity", "size": 0.5, "whole_units": False}, 500 / 12),
        ({"sizing": "units", "size": 7}, 7),
        # risk 1% of 1000 = 10 over a stop 1.2 below the fill: 8.33 -> 8 units
        ({"sizing": "risk", "size": 0.01, "stop": "percent", "stop_value": 0.1}, 8),
    ],
)
def test_position_sizing(settings, units):
    result = simulate_rows(ROWS, {1: 1}, cash=1000, **settings)
    assert result.open_trade["size"] == pytest.approx(units)


def test_an_order_the_account_cannot_afford_is_not_filled():
    result = simulate_rows(ROWS, {1: 1}, cash=1000, sizing="units", size=100)
    assert result.open_trade is None
    assert np.all(result.equity == 1000)


def test_equity_is_cash_plus_units_at_close():
    result = simulate_rows(ROWS, {1: -1}, cash=1000)
    assert np.allclose(result.equity, result.cash + result.units * np.array([r[3] for r in ROWS]))
    assert result.cash[-1] == pytest.approx(1000 + 83 * 12)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"fill": "later"}, "fill"),
        ({"cash": 0}, "cash"),
        ({"commission": 0.5}, "commission"),
        ({"slippage": -0.1}, "slippage"),
        ({"size": 1.5}, "size"),
        ({"sizing": "risk"}, "sizing"),
        ({"target": "r", "target_value": 2}, "target"),
        ({"stop": "percent", "stop_value": 0}, "stop_value"),
        ({"stop": "percent", "stop_value": 1.5}, "stop_value"),
        ({"stop": "atr", "stop_value": math.nan}, "stop_value"),
        ({"atr_length": 0}, "atr_length"),
    ],
)
def test_invalid_settings_name_the_field(settings, field):
    with pytest.raises(BacktestError) as error:
        Settings(**settings)
    assert error.value.field == field and error.value.status == 400


def test_atr_settings_without_atr_series_are_an_error():
    with pytest.raises(BacktestError):
        simulate_rows(ROWS, {1: 1}, stop="atr", stop_value=1)
