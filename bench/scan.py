"""Benchmark: the pattern scan of 1,000 instruments x 3 timeframes x 500 bars (issue 15).

Run: .venv/bin/python bench/scan.py
Figures are CPU seconds (time.process_time, best of RUNS) so other load on the machine
counts less; the reference is the raw studies the scan is built on (fvg, order_blocks,
liquidity, structure, atr) on the same series in the same run. The scan is what the worker
does per closed candle once the bars are read: detect every pattern with status and levels,
then pick those confirmed on the last bar and key them for storage.
Targets: scan < 2 s CPU, scan / raw studies <= 1.5.
"""

from __future__ import annotations

import time

import numpy as np

from tradedeck.core.analytics import Candles, fvg, liquidity, order_blocks, structure
from tradedeck.core.analytics.indicators import atr_of
from tradedeck.core.patterns import detect, pattern_key

INSTRUMENTS, TIMEFRAMES, BARS = 1_000, ("15m", "1h", "4h"), 500
RUNS = 3


def series(seed: int, step: int) -> Candles:
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, 0.6, BARS) + np.where(rng.random(BARS) < 0.04, rng.normal(0, 4, BARS), 0)
    opens = 100 + np.cumsum(steps)
    closes = opens + rng.normal(0, 0.8, BARS)
    highs = np.maximum(opens, closes) + rng.gamma(1.5, 0.25, BARS)
    lows = np.minimum(opens, closes) - rng.gamma(1.5, 0.25, BARS)
    time_ = np.arange(BARS, dtype=np.int64) * step
    return Candles(time_, opens, highs, lows, closes, rng.integers(1, 9, BARS) * 1.0)


def raw(all_series: list[tuple[Candles, str]]) -> None:
    for c, _ in all_series:
        fvg(c)
        order_blocks(c)
        liquidity(c)
        structure(c)
        atr_of(c, 14)


def scan(all_series: list[tuple[Candles, str]]) -> int:
    keys = 0
    for c, interval in all_series:
        found = detect(c, interval)
        new = found.records(found.confirmed_index == len(c) - 1)
        keys += len({pattern_key(r) for r in new})
    return keys


def best(fn, arg) -> float:
    times = []
    for _ in range(RUNS):
        start = time.process_time()
        fn(arg)
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    steps = {"15m": 900, "1h": 3600, "4h": 14400}
    all_series = [
        (series(i * 10 + k, steps[tf]), tf)
        for i in range(INSTRUMENTS)
        for k, tf in enumerate(TIMEFRAMES)
    ]
    scan(all_series[:10])  # JIT kernels loaded from numba's cache
    reference = best(raw, all_series)
    ours = best(scan, all_series)
    shape = f"{INSTRUMENTS} instruments x {len(TIMEFRAMES)} timeframes x {BARS} bars"
    print(f"series: {len(all_series)} ({shape})")
    print(f"raw studies (reference): {reference:.3f} s CPU")
    print(f"scan (detect + new-pattern keys): {ours:.3f} s CPU  (target < 2 s)")
    print(f"ratio scan / raw studies: {ours / reference:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
