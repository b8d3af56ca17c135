"""Backtests of entry/exit rules over the analytics: engine, statistics, optimisation.

Pure NumPy/numba (no Flask, no database). `run(candles, strategy, params, settings)` is the
one-call entry point; `engine` documents the fill rules, `stats` the figures.
"""

from .engine import BacktestError, Result, Settings, Trades, simulate
from .run import Backtest, run
from .signals import Signals
from .stats import LABELS, compute_stats
from .strategies import STRATEGIES, Strategy

__all__ = [
    "LABELS",
    "STRATEGIES",
    "Backtest",
    "BacktestError",
    "Result",
    "Settings",
    "Signals",
    "Strategy",
    "Trades",
    "compute_stats",
    "run",
    "simulate",
]
