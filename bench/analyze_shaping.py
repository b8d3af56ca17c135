"""Benchmark: the JSON-ready answer of every study on 1M bars against the studies alone, in
the same run (issue 15: shaping within 1.5x of the studies).

The API's path is `analyze_json()` (what /api/v1/analytics hands to orjson: event lists
already encoded to JSON bytes, indicator values as NumPy arrays). `analyze()`, the record
dicts other callers read, is printed beside it, and so is each answer encoded to the response
bytes by the app's encoder (that adds the indicators' 14M numbers as text to both).

Run: .venv/bin/python bench/analyze_shaping.py
CPU seconds (time.process_time), best of RUNS: the machine is shared, so the ratio is the
figure to compare, not the absolute seconds.
"""

from __future__ import annotations

import time

import numpy as np

from tradedeck.core.analytics import STUDIES, Candles, analyze
from tradedeck.core.analytics.analyze import analyze_json
from tradedeck.core.analytics.registry import run_study
from tradedeck.json_provider import encode

BARS = 1_000_000
RUNS = 2


def candles(n: int) -> Candles:
    rng = np.random.default_rng(1)
    close = 100 + np.cumsum(rng.normal(0, 0.5, n))
    open_ = close + rng.normal(0, 0.3, n)
    high = np.maximum(open_, close) + rng.gamma(1.5, 0.2, n)
    low = np.minimum(open_, close) - rng.gamma(1.5, 0.2, n)
    return Candles(np.arange(n, dtype=np.int64) * 60, open_, high, low, close, np.ones(n))


def best(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    c = candles(BARS)
    names = list(STUDIES)
    encode(analyze_json(candles(200), names))  # compiled kernels loaded
    studies = best(lambda: [run_study(c, name, {}) for name in names])
    print(f"{BARS:,} bars, studies: {', '.join(names)}")
    print(f"studies alone (reference): {studies:.3f} s CPU")
    rows = [
        ("analyze_json() (API path, JSON-ready)", lambda: analyze_json(c, names)),
        ("analyze() record dicts", lambda: analyze(c, names)),
        ("analyze_json() encoded to bytes", lambda: encode(analyze_json(c, names))),
        ("analyze() encoded to bytes", lambda: encode(analyze(c, names))),
    ]
    for label, run in rows:
        seconds = best(run)
        print(f"{label}: {seconds:.3f} s CPU, ratio {seconds / studies:.2f}")
    print("target: API path ratio <= 1.5 (issue 15 measured 4.3 for analyze() before)")


if __name__ == "__main__":
    main()
