"""Price engine benchmark: one tick for 10,000 instruments plus forming candles of all intervals.

Goal (issue 3): 10,000 instruments every second using under 20% of one core, i.e. one
step (GBM update + forming-candle update for 1m..1w) in under 200 ms of CPU time.
References measured in the same run: a plain NumPy copy of the same arrays, and a naive
per-instrument Python loop doing the same work on 1,000 instruments.
"""

from __future__ import annotations

import math
import random
import time

import numpy as np

from tradedeck.core.candles import INTERVALS, FormingCandles
from tradedeck.core.simulation import gbm_step

N = 10_000
STEPS = 300
TICK_SECONDS = 2
T0 = 1_704_067_200


def engine(n: int, steps: int) -> float:
    """CPU seconds per vectorised step."""
    rng = np.random.default_rng(42)
    price = rng.uniform(10, 500, n)
    drift = np.full(n, 0.0001)
    vol = np.full(n, 0.02)
    tick = np.full(n, 0.01)
    forming = FormingCandles(n)
    start = time.process_time()
    for i in range(steps):
        price = gbm_step(price, drift, vol, TICK_SECONDS, rng, max_tick_pct=0.05, tick_size=tick)
        forming.apply(T0 + i * TICK_SECONDS, price, 1.0)
    return (time.process_time() - start) / steps


def numpy_copy(n: int, steps: int) -> float:
    """CPU seconds to copy the engine's state arrays once (prices + 6 x intervals x n)."""
    state = np.random.default_rng(0).uniform(size=(1 + 6 * len(INTERVALS), n))
    start = time.process_time()
    for _ in range(steps):
        state.copy()
    return (time.process_time() - start) / steps


def naive_loop(n: int, steps: int) -> float:
    """CPU seconds per step of the same algorithm written as a per-instrument Python loop."""
    rnd = random.Random(42)
    f = TICK_SECONDS / 86_400
    price = [rnd.uniform(10, 500) for _ in range(n)]
    secs = list(INTERVALS.values())
    candles = [[[-1, 0.0, 0.0, 0.0, 0.0, 0.0] for _ in secs] for _ in range(n)]
    start = time.process_time()
    for i in range(steps):
        t = T0 + i * TICK_SECONDS
        for k in range(n):
            r = math.expm1((0.0001 - 0.0002) * f + 0.02 * math.sqrt(f) * rnd.gauss(0, 1))
            p = round(price[k] * (1 + max(-0.05, min(0.05, r))) / 0.01) * 0.01
            price[k] = p
            for j, s in enumerate(secs):
                c = candles[k][j]
                b = t // s * s
                if c[0] != b:
                    candles[k][j] = [b, p, p, p, p, 1.0]
                else:
                    c[2], c[3], c[4], c[5] = max(c[2], p), min(c[3], p), p, c[5] + 1.0
    return (time.process_time() - start) / steps


def main() -> None:
    per_step = engine(N, STEPS)
    copy = numpy_copy(N, STEPS)
    naive = naive_loop(1_000, 20)
    print(f"price engine: {N:,} instruments, GBM + forming candles for {len(INTERVALS)} intervals")
    print(f"  CPU per step            {per_step * 1e3:8.2f} ms")
    print(f"  instruments stepped/s   {N / per_step:12,.0f}")
    print(f"  one core at 1 step/s    {per_step * 100:8.2f} %   (goal < 20 %)")
    print("reference, same run:")
    print(f"  numpy copy of state     {copy * 1e3:8.2f} ms  (step = {per_step / copy:.0f}x a copy)")
    print(
        f"  naive Python loop       {naive * 1e3:8.2f} ms for 1,000 instruments "
        f"(~{naive * 10 * 1e3:.0f} ms for 10,000; engine is {naive * 10 / per_step:.0f}x faster)"
    )
    print("PASS" if per_step < 0.2 else "FAIL: over 20% of one core")


if __name__ == "__main__":
    main()
