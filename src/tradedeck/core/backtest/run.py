"""One backtest from candles, a strategy name and its parameters to a result with statistics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tradedeck.core.analytics import AnalyticsInputError, Candles, to_arrays
from tradedeck.core.analytics.indicators import atr_of

from .engine import EXIT_REASONS, BacktestError, Result, Settings, simulate
from .signals import Signals
from .stats import compute_stats
from .strategies import STRATEGIES, Strategy


@dataclass(frozen=True, eq=False)
class Backtest:
    """A finished run: the candles it saw, the parameters used, the result and its stats."""

    candles: Candles
    strategy: str
    params: dict[str, Any]
    result: Result
    stats: dict[str, Any]

    def trade_records(self) -> list[dict[str, Any]]:
        """Closed trades as dicts (times epoch seconds), for storage, tables and CSV."""
        t = self.result.trades
        time = self.candles.time
        rows = zip(
            t.size.tolist(),
            time[t.entry_bar].tolist(),
            time[t.exit_bar].tolist(),
            t.entry_price.tolist(),
            t.exit_price.tolist(),
            t.stop.tolist(),
            t.target.tolist(),
            t.commission.tolist(),
            t.pnl.tolist(),
            (t.return_pct * 100).tolist(),
            t.r_multiple.tolist(),
            t.reason.tolist(),
            strict=True,
        )
        keys = (
            "size",
            "entry_time",
            "exit_time",
            "entry_price",
            "exit_price",
            "stop",
            "target",
            "commission",
            "pnl",
            "return_pct",
            "r_multiple",
        )
        return [
            {**dict(zip(keys, row[:-1], strict=True)), "reason": EXIT_REASONS[row[-1]]}
            for row in rows
        ]


def strategy_named(name: str) -> Strategy:
    if name not in STRATEGIES:
        known = ", ".join(STRATEGIES)
        raise BacktestError(f"unknown strategy '{name}' (known: {known})", field="strategy")
    return STRATEGIES[name]


def resolve_params(strategy: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with `params`, each validated (`params.<name>` on error)."""
    try:
        return strategy_named(strategy).resolve(params)
    except AnalyticsInputError as error:
        field = "params." + str(error.field).removeprefix(f"{strategy}.")
        raise BacktestError(str(error), field=field) from None


def build_signals(candles: Candles, strategy: str, params: Mapping[str, Any]) -> Signals:
    """The strategy's signals; bad parameters are a `BacktestError` naming `params.<name>`."""
    try:
        return strategy_named(strategy).signals(candles, params)
    except AnalyticsInputError as error:
        field = "params." + str(error.field).removeprefix(f"{strategy}.")
        raise BacktestError(str(error), field=field) from None


def run(
    candles: Any,
    strategy: str,
    params: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
) -> Backtest:
    """Validate, build the signals, simulate and compute the statistics."""
    try:
        bars = to_arrays(candles)
    except AnalyticsInputError as error:
        raise BacktestError(str(error), field=error.field) from None
    if len(bars) < 2:
        raise BacktestError("a backtest needs at least 2 bars", field="candles")
    settings = settings or Settings()
    used = resolve_params(strategy, params or {})
    signals = build_signals(bars, strategy, used)
    result = simulate_bars(bars, signals, settings)
    stats = compute_stats(bars.time, bars.close, result)
    return Backtest(bars, strategy, used, result, stats)


def simulate_bars(bars: Candles, signals: Signals, settings: Settings) -> Result:
    """`simulate` over validated candles, with the ATR series when the settings need it."""
    needs_atr = settings.stop == "atr" or settings.target == "atr"
    atr = atr_of(bars, settings.atr_length) if needs_atr else None
    return simulate(bars.open, bars.high, bars.low, bars.close, signals, settings, atr)


def equity_drawdown(result: Result) -> tuple[np.ndarray, np.ndarray]:
    """Equity and drawdown (fraction below the running peak, ≤ 0) per bar, for charts."""
    equity = result.equity
    return equity, equity / np.maximum.accumulate(equity) - 1
