"""Benchmark: the backtest engine against backtesting.py 0.6 (AGPL; bench/test reference only).

Run: .venv/bin/python bench/backtest.py
The same SMA(10, 20) cross (long and short, 0.2% commission) on the same 10,000 random-walk
bars, in this one process: backtesting.py's `Backtest.run()` (the reference) beside ours
(signals, simulation and every statistic). Then a 100-point (fast, slow) grid on those bars;
the reference figure for the grid is 100 reference runs (measured: one run x 100; its own
`optimize` does the same work plus its overhead). Figures are the best of REPEATS runs after a
warm-up (numba compiles on the first call); the machine is shared, so compare the ratios.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import SMA

from tradedeck.core.backtest import Settings, run
from tradedeck.core.backtest.optimise import grid_search

BARS = 10_000
REPEATS = 3
GRID = {"fast": list(range(5, 15)), "slow": list(range(20, 70, 5))}


class SmaCross(Strategy):
    """backtesting.py's SMA cross: close and reverse on every cross (tests use it too)."""

    fast = 10
    slow = 20

    def init(self):
        self.a = self.I(SMA, self.data.Close, self.fast)
        self.b = self.I(SMA, self.data.Close, self.slow)

    def next(self):
        if crossover(self.a, self.b):
            self.position.close()
            self.buy()
        elif crossover(self.b, self.a):
            self.position.close()
            self.sell()


def bars(size: int) -> pd.DataFrame:
    rng = np.random.default_rng(42)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, size)))
    open_ = np.concatenate(([100.0], close[:-1]))
    spread = np.abs(rng.normal(0, 0.005, size))
    index = pd.date_range("2020-01-01", periods=size, freq="h")
    return pd.DataFrame(
        {
            "Open": open_,
            "High": np.maximum(open_, close) * (1 + spread),
            "Low": np.minimum(open_, close) * (1 - spread),
            "Close": close,
            "Volume": rng.random(size) * 1000,
        },
        index=index,
    )


def best_of(call, repeats: int = REPEATS) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    frame = bars(BARS)
    ours_frame = frame.reset_index(names="time").rename(columns=str.lower)
    settings = Settings(commission=0.002)
    run(ours_frame, "sma_cross", {"fast": 10, "slow": 20}, settings)  # compile
    warnings.simplefilter("ignore")
    reference = Backtest(frame, SmaCross, cash=10_000, commission=0.002)
    ref_time, ref_stats = best_of(reference.run)
    our_time, ours = best_of(
        lambda: run(ours_frame, "sma_cross", {"fast": 10, "slow": 20}, settings)
    )
    assert ours.stats["trades"] == ref_stats["# Trades"], "both must trade the same way"
    print(f"{BARS:,} bars, SMA(10, 20) cross, {ours.stats['trades']} trades in both")
    print(f"  backtesting.py Backtest.run(): {ref_time * 1000:9.1f} ms")
    print(f"  tradedeck core.backtest.run(): {our_time * 1000:9.1f} ms")
    print(f"  speed-up: {ref_time / our_time:.0f}x (target >= 10x)")

    candles = ours.candles
    points = len(GRID["fast"]) * len(GRID["slow"])
    grid_time, grid = best_of(lambda: grid_search(candles, "sma_cross", GRID, settings))
    print(f"{points}-point grid on {BARS:,} bars (every statistic of every point)")
    print(f"  reference (backtesting.py run x {points}): {ref_time * points:9.2f} s")
    print(f"  tradedeck grid_search:                   {grid_time:9.3f} s (target < 1 s)")
    print(f"  best by Sharpe: {grid.best.params} Sharpe {grid.best.stats['sharpe']:.3f}")


if __name__ == "__main__":
    main()
