"""Backtest statistics, defined as backtesting.py 0.6's `stats` defines them, plus R-multiples.

Same formulas (so figures can be compared with that widely used library): returns are
compounded daily returns of the equity curve (last equity of each UTC day; weekly, monthly or
yearly data use those periods), annualised over 252 trading days, or 365 when weekends are
traded; CAGR divides calendar days by that same number, as backtesting.py does; trade figures
cover closed trades only; durations are rounded up to the data's period unit. Computed with
NumPy so a parameter grid can rank hundreds of runs per second. Times are epoch seconds,
durations seconds, percentages in percent, NaN where a figure is undefined.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .engine import Result

DAY = 86_400

LABELS: dict[str, tuple[str, str]] = {
    "start": ("Start", "time"),
    "end": ("End", "time"),
    "duration": ("Duration", "duration"),
    "exposure_pct": ("Exposure Time [%]", "pct"),
    "equity_final": ("Equity Final [$]", "money"),
    "equity_peak": ("Equity Peak [$]", "money"),
    "commissions": ("Commissions [$]", "money"),
    "return_pct": ("Return [%]", "pct"),
    "buy_hold_return_pct": ("Buy & Hold Return [%]", "pct"),
    "return_ann_pct": ("Return (Ann.) [%]", "pct"),
    "volatility_ann_pct": ("Volatility (Ann.) [%]", "pct"),
    "cagr_pct": ("CAGR [%]", "pct"),
    "sharpe": ("Sharpe Ratio", "ratio"),
    "sortino": ("Sortino Ratio", "ratio"),
    "calmar": ("Calmar Ratio", "ratio"),
    "alpha_pct": ("Alpha [%]", "pct"),
    "beta": ("Beta", "ratio"),
    "max_drawdown_pct": ("Max. Drawdown [%]", "pct"),
    "avg_drawdown_pct": ("Avg. Drawdown [%]", "pct"),
    "max_drawdown_duration": ("Max. Drawdown Duration", "duration"),
    "avg_drawdown_duration": ("Avg. Drawdown Duration", "duration"),
    "trades": ("# Trades", "count"),
    "win_rate_pct": ("Win Rate [%]", "pct"),
    "best_trade_pct": ("Best Trade [%]", "pct"),
    "worst_trade_pct": ("Worst Trade [%]", "pct"),
    "avg_trade_pct": ("Avg. Trade [%]", "pct"),
    "max_trade_duration": ("Max. Trade Duration", "duration"),
    "avg_trade_duration": ("Avg. Trade Duration", "duration"),
    "profit_factor": ("Profit Factor", "ratio"),
    "expectancy_pct": ("Expectancy [%]", "pct"),
    "sqn": ("SQN", "ratio"),
    "kelly": ("Kelly Criterion", "ratio"),
    "avg_r": ("Avg. R", "ratio"),
    "total_r": ("Total R", "ratio"),
    "best_r": ("Best R", "ratio"),
    "worst_r": ("Worst R", "ratio"),
}
"""Key -> (backtesting.py's label, kind); the order is the stats table's order."""


def _nan_or(value: float) -> float:
    """`value or np.nan` as backtesting.py writes it: zero becomes NaN."""
    return value if value else math.nan


def geometric_mean(returns: np.ndarray) -> float:
    """Geometric mean of returns, NaN counted as 0 and in the length; 0 if any loss ≤ -100%."""
    grown = np.nan_to_num(returns, nan=0.0) + 1
    if np.any(grown <= 0):
        return 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.exp(np.log(grown).sum() / (grown.size or math.nan)) - 1)


def data_period(time: np.ndarray) -> float:
    """Median bar step over the last 100 bars, in seconds (NaN with a single bar)."""
    steps = np.diff(time[-100:])
    return float(np.median(steps)) if steps.size else math.nan


def _round_up(seconds: float, period: float) -> float:
    """Round a duration up to the coarsest whole unit (day, hour, minute, second) of the period."""
    if math.isnan(seconds) or math.isnan(period):
        return seconds
    unit = next((u for u in (DAY, 3600, 60, 1) if period % u == 0), 1)
    return float(math.ceil(seconds / unit) * unit)


def period_returns(time: np.ndarray, equity: np.ndarray, period: float) -> tuple[np.ndarray, int]:
    """Returns of the last equity per day (or week, month, year for such data), first NaN, and
    the number of those periods in a year."""
    freq_days = int(period // DAY) if not math.isnan(period) else 0
    weekday = (time // DAY + 3) % 7
    weekends = float(np.mean((weekday == 5) | (weekday == 6))) > 2 / 7 * 0.6
    periods_per_year = {7: 52, 31: 12, 365: 1}.get(freq_days, 365 if weekends else 252)
    if freq_days in (7, 31, 365):
        rule = {7: "W", 31: "ME", 365: "YE"}[freq_days]
        series = pd.Series(equity, index=pd.to_datetime(time, unit="s"))
        last = series.resample(rule).last().dropna().to_numpy()
    else:
        day = time // DAY
        ends = np.append(np.flatnonzero(np.diff(day)), day.size - 1) if day.size else day
        last = equity[ends]
    returns = np.full(last.size, np.nan)
    returns[1:] = last[1:] / last[:-1] - 1
    return returns, periods_per_year


def _drawdowns(time: np.ndarray, dd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Durations (seconds) and deepest points of each drawdown, from peak to recovery (or the
    last bar)."""
    marks = np.unique(np.append(np.flatnonzero(dd == 0), dd.size - 1))
    prev, cur = marks[:-1], marks[1:]
    spans = cur > prev + 1
    prev, cur = prev[spans], cur[spans]
    durations = (time[cur] - time[prev]).astype(np.float64)
    if not prev.size:
        return durations, np.zeros(0)
    bounds = np.column_stack((prev, cur + 1)).ravel()
    peaks = np.maximum.reduceat(np.append(dd, 0.0), bounds)[::2]
    return durations, peaks


def compute_stats(
    time: np.ndarray, close: np.ndarray, result: Result, risk_free_rate: float = 0.0
) -> dict[str, Any]:
    """Every figure of `LABELS` for one run."""
    equity = result.equity
    trades = result.trades
    n = equity.size
    period = data_period(time)
    s: dict[str, Any] = {}
    s["start"] = int(time[0])
    s["end"] = int(time[-1])
    s["duration"] = float(time[-1] - time[0])
    exposed = np.zeros(n + 1, np.int64)
    np.add.at(exposed, trades.entry_bar, 1)
    np.add.at(exposed, trades.exit_bar + 1, -1)
    s["exposure_pct"] = float(np.mean(np.cumsum(exposed)[:n] > 0) * 100)
    s["equity_final"] = float(equity[-1])
    s["equity_peak"] = float(equity.max())
    s["commissions"] = float(trades.commission.sum())
    s["return_pct"] = float((equity[-1] - equity[0]) / equity[0] * 100)
    first = close[result.warmup]
    s["buy_hold_return_pct"] = float((close[-1] - first) / first * 100)

    returns, per_year = period_returns(time, equity, period)
    gmean = geometric_mean(returns)
    annual = (1 + gmean) ** per_year - 1
    valid = returns[~np.isnan(returns)]
    variance = float(np.var(valid, ddof=1)) if valid.size > 1 else math.nan
    s["return_ann_pct"] = annual * 100
    s["volatility_ann_pct"] = float(
        np.sqrt((variance + (1 + gmean) ** 2) ** per_year - (1 + gmean) ** (2 * per_year)) * 100
    )
    years = s["duration"] / DAY / per_year
    s["cagr_pct"] = (
        float(((equity[-1] / equity[0]) ** (1 / years) - 1) * 100) if years else math.nan
    )
    s["sharpe"] = (s["return_ann_pct"] - risk_free_rate * 100) / _nan_or(s["volatility_ann_pct"])
    downside = np.sqrt(np.mean(np.minimum(valid, 0) ** 2)) if valid.size else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        s["sortino"] = float(np.float64(annual - risk_free_rate) / (downside * np.sqrt(per_year)))

    dd = 1 - equity / np.maximum.accumulate(equity)
    max_dd = float(np.nan_to_num(dd.max()))
    s["calmar"] = annual / _nan_or(max_dd)
    s.update(_alpha_beta(equity, close, s, risk_free_rate))
    durations, peaks = _drawdowns(time, dd)
    s["max_drawdown_pct"] = -max_dd * 100
    s["avg_drawdown_pct"] = -float(peaks.mean()) * 100 if peaks.size else math.nan
    s["max_drawdown_duration"] = _round_up(
        float(durations.max()) if durations.size else math.nan, period
    )
    s["avg_drawdown_duration"] = _round_up(
        float(durations.mean()) if durations.size else math.nan, period
    )
    s.update(trade_stats(time, result))
    return s


def _alpha_beta(
    equity: np.ndarray, close: np.ndarray, s: dict[str, Any], risk_free_rate: float
) -> dict[str, float]:
    """Jensen's alpha and beta of the equity's log returns against the instrument's."""
    beta = math.nan
    if equity.size > 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = np.cov(np.log(equity[1:] / equity[:-1]), np.log(close[1:] / close[:-1]))
            beta = float(cov[0, 1] / cov[1, 1])
    alpha = (
        s["return_pct"]
        - risk_free_rate * 100
        - beta * (s["buy_hold_return_pct"] - risk_free_rate * 100)
    )
    return {"alpha_pct": alpha, "beta": beta}


def trade_stats(time: np.ndarray, result: Result) -> dict[str, Any]:
    """Closed-trade figures: count, win rate, best/worst/average, durations, profit factor,
    expectancy, SQN, Kelly and R-multiples."""
    trades = result.trades
    count = len(trades)
    pnl = trades.pnl
    returns = trades.return_pct
    held = (time[trades.exit_bar] - time[trades.entry_bar]).astype(np.float64)
    period = data_period(time)
    win_rate = float(np.mean(pnl > 0)) if count else math.nan
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        payoff = (wins.mean() if wins.size else math.nan) / (
            -losses.mean() if losses.size else math.nan
        )
    spread = float(np.std(pnl, ddof=1)) if count > 1 else math.nan
    r = trades.r_multiple
    r = r[~np.isnan(r)]
    return {
        "trades": count,
        "win_rate_pct": win_rate * 100,
        "best_trade_pct": float(returns.max() * 100) if count else math.nan,
        "worst_trade_pct": float(returns.min() * 100) if count else math.nan,
        "avg_trade_pct": geometric_mean(returns) * 100,
        "max_trade_duration": _round_up(float(held.max()) if count else math.nan, period),
        "avg_trade_duration": _round_up(float(held.mean()) if count else math.nan, period),
        "profit_factor": float(returns[returns > 0].sum())
        / _nan_or(abs(float(returns[returns < 0].sum()))),
        "expectancy_pct": float(returns.mean() * 100) if count else math.nan,
        "sqn": math.sqrt(count) * float(pnl.mean()) / _nan_or(spread) if count else math.nan,
        "kelly": win_rate - (1 - win_rate) / payoff,
        "avg_r": float(r.mean()) if r.size else math.nan,
        "total_r": float(r.sum()) if r.size else math.nan,
        "best_r": float(r.max()) if r.size else math.nan,
        "worst_r": float(r.min()) if r.size else math.nan,
    }
