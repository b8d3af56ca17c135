"""Benchmark: GET /api/v1/analytics for 5,000 stored candles and ALL studies, server time.

In-process through the Flask test client (JSON serialization included, no socket), beside
GET /health measured in the same run; p50/p99 over repeated requests. The first request of a
fresh process (numba kernels loaded from cache by `init_analysis`'s warm-up) is timed apart.
Goal (issue 4): under 30 ms p50. Run: .venv/bin/python bench/analytics_api.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.analysis.helpers import STEP, T0, store_series, walk
from tests.helpers import api_login, create_user, make_app

ALL = "sma,ema,rsi,atr,macd,bollinger,swings,bos,gaps,fvg,ob,liquidity,previous_hl"
WINDOW, HISTORY, RUNS = 5_000, 2_000, 200


def timed(client, url: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return elapsed


def main() -> None:
    started = time.perf_counter()
    app = make_app(Path(tempfile.mkdtemp()), ANALYTICS_RATE_LIMIT="1000000/minute")
    print(
        f"app start (incl. analytics JIT warm-up): {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    store_series(app, "ACME", walk(HISTORY + WINDOW))
    create_user(app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_login(client)}"}
    start, end = T0 + HISTORY * STEP, T0 + (HISTORY + WINDOW) * STEP
    url = f"/api/v1/analytics?symbol=ACME&interval=15m&start={start}&end={end}&studies={ALL}"
    print(f"first analytics request: {timed(client, url, headers):.1f} ms")
    for name, target in (("GET /health (reference)", "/health"), ("GET /api/v1/analytics", url)):
        samples = np.array([timed(client, target, headers) for _ in range(RUNS)])
        p50, p99 = np.percentile(samples, [50, 99])
        print(f"{name:<32} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   ({RUNS} runs)")
    print(f"window {WINDOW:,} candles + warm-up from {HISTORY:,} stored before start, 13 studies")


if __name__ == "__main__":
    main()
