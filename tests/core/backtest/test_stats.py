"""Hand-made cases for the statistics (definitions as backtesting.py 0.6's `stats`)."""

import math

import numpy as np
import pytest

from tradedeck.core.backtest import compute_stats
from tradedeck.core.backtest.stats import (
    data_period,
    geometric_mean,
    period_returns,
    trade_stats,
)

from .helpers import DAY, START, bars, simulate_rows

# Seven daily bars: they include a weekend, so a year has 365 periods.
ROWS = [
    (10, 10, 10, 10),
    (10, 10, 10, 10),  # long signal here
    (10, 11, 10, 11),  # filled at 10; close 11
    (11, 11, 8, 8),  # close 8: drawdown
    (8, 12, 8, 12),  # exit signal here, new peak
    (12, 12, 12, 12),  # exit at 12
    (12, 12, 12, 12),
]


def run_rows(**settings):
    result = simulate_rows(ROWS, {1: 1}, exits=(4,), cash=100, **settings)
    return result, compute_stats(bars(ROWS).time, bars(ROWS).close, result)


def test_account_figures():
    result, s = run_rows()
    # 9 units (all equity less an ulp buys 9.99.. -> 9) at 10, sold at 12
    assert result.trades.size[0] == 9
    assert s["equity_final"] == 118 and s["equity_peak"] == 118
    assert s["return_pct"] == pytest.approx(18)
    assert s["buy_hold_return_pct"] == pytest.approx(20)
    assert s["exposure_pct"] == pytest.approx(4 / 7 * 100)  # bars 2..5
    assert s["start"] == START and s["end"] == START + 6 * DAY and s["duration"] == 6 * DAY
    assert s["commissions"] == 0


def test_drawdown_figures():
    _, s = run_rows()
    # equity 100, 100, 109, 82, 118: the drawdown runs from bar 2 (peak 109) to bar 4
    assert s["max_drawdown_pct"] == pytest.approx(-(1 - 82 / 109) * 100)
    assert s["avg_drawdown_pct"] == pytest.approx(-(1 - 82 / 109) * 100)
    assert s["max_drawdown_duration"] == 2 * DAY
    assert s["avg_drawdown_duration"] == 2 * DAY
    assert s["calmar"] == pytest.approx((s["return_ann_pct"] / 100) / (1 - 82 / 109))


def test_trade_figures():
    result, s = run_rows(commission=0.01)
    pnl = 9 * 12 - 9 * 10 - (0.9 + 9 * 12 * 0.01)
    assert s["trades"] == 1 and s["win_rate_pct"] == 100
    assert result.trades.pnl[0] == pytest.approx(pnl)
    expected_return = (12 / 10 - 1) - (0.9 + 1.08) / 90
    assert s["best_trade_pct"] == pytest.approx(expected_return * 100)
    assert s["worst_trade_pct"] == s["best_trade_pct"]
    assert s["avg_trade_pct"] == pytest.approx(s["best_trade_pct"])
    assert s["expectancy_pct"] == pytest.approx(expected_return * 100)
    assert s["max_trade_duration"] == s["avg_trade_duration"] == 3 * DAY
    assert math.isnan(s["profit_factor"])  # no losing trade: nothing to divide by
    assert math.isnan(s["sqn"])  # one trade has no deviation
    assert s["commissions"] == pytest.approx(0.9 + 1.08)


def test_returns_volatility_and_ratios_follow_the_daily_compounding_definitions():
    result, s = run_rows()
    equity = result.equity
    daily = equity[1:] / equity[:-1] - 1
    gmean = np.exp(np.log1p(daily).sum() / equity.size) - 1  # the first day counts as 0
    per_year = 365
    annual = (1 + gmean) ** per_year - 1
    assert s["return_ann_pct"] == pytest.approx(annual * 100)
    variance = np.var(daily, ddof=1)
    vol = np.sqrt((variance + (1 + gmean) ** 2) ** per_year - (1 + gmean) ** (2 * per_year))
    assert s["volatility_ann_pct"] == pytest.approx(vol * 100)
    assert s["sharpe"] == pytest.approx(annual / vol)
    downside = np.sqrt(np.mean(np.minimum(daily, 0) ** 2)) * np.sqrt(per_year)
    assert s["sortino"] == pytest.approx(annual / downside)
    years = 6 / per_year
    assert s["cagr_pct"] == pytest.approx(((118 / 100) ** (1 / years) - 1) * 100)


def test_several_trades_profit_factor_sqn_kelly_and_r_multiples():
    rows = [(10, 10, 10, 10)] * 2 + [(10, 12, 10, 12)] + [(12, 12, 12, 12)] * 2
    rows += [(12, 12, 9, 9)] + [(9, 9, 9, 9)] * 2
    result = simulate_rows(
        rows, {1: 1, 4: 1}, exits=(2, 5), cash=100, stop="percent", stop_value=0.5
    )
    t = result.trades
    assert len(t) == 2
    s = trade_stats(bars(rows).time, result)
    returns = t.return_pct
    wins, losses = returns[returns > 0].sum(), -returns[returns < 0].sum()
    assert s["profit_factor"] == pytest.approx(wins / losses)
    assert s["sqn"] == pytest.approx(np.sqrt(2) * t.pnl.mean() / np.std(t.pnl, ddof=1))
    win_rate = np.mean(t.pnl > 0)
    payoff = t.pnl[t.pnl > 0].mean() / -t.pnl[t.pnl < 0].mean()
    assert s["kelly"] == pytest.approx(win_rate - (1 - win_rate) / payoff)
    risk = np.abs(t.size) * np.abs(t.entry_price - t.stop)
    assert np.allclose(t.r_multiple, t.pnl / risk)
    assert s["avg_r"] == pytest.approx((t.pnl / risk).mean())
    assert s["total_r"] == pytest.approx((t.pnl / risk).sum())
    assert s["best_r"] == pytest.approx((t.pnl / risk).max())


def test_no_trades_leaves_trade_figures_undefined():
    result = simulate_rows(ROWS, {}, cash=100)
    s = compute_stats(bars(ROWS).time, bars(ROWS).close, result)
    assert s["trades"] == 0 and s["return_pct"] == 0 and s["exposure_pct"] == 0
    for key in ("win_rate_pct", "best_trade_pct", "avg_trade_pct", "sqn", "avg_r"):
        assert math.isnan(s[key]), key
    assert math.isnan(s["max_drawdown_duration"])


def test_geometric_mean_and_period():
    assert geometric_mean(np.array([np.nan, 0.1, -0.1])) == pytest.approx(
        np.exp((np.log(1.1) + np.log(0.9)) / 3) - 1
    )
    assert geometric_mean(np.array([0.5, -1.0])) == 0
    assert data_period(np.array([0, 60, 120, 300])) == 60


def test_weekend_trading_annualises_over_365_days_and_weekly_bars_over_52():
    hourly = START + 3600 * np.arange(24 * 14)  # two full weeks including weekends
    _, per_year = period_returns(hourly, np.ones(hourly.size), 3600)
    assert per_year == 365
    weekdays = np.array([t for t in hourly if (t // DAY + 3) % 7 < 5])
    _, per_year = period_returns(weekdays, np.ones(weekdays.size), 3600)
    assert per_year == 252
    weekly = START + 7 * DAY * np.arange(10)
    returns, per_year = period_returns(weekly, np.arange(1.0, 11.0), 7 * DAY)
    assert per_year == 52 and returns.size == 10 and returns[1] == pytest.approx(1.0)
