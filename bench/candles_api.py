"""Candles endpoint benchmark: 5,000 candles per request through real HTTP, beside /health.

Serves the app with gunicorn (2 sync workers, SQLite in a temporary folder, 127.0.0.1 only)
and sends a bounded number of requests from a few client threads to each endpoint in the
same run: `GET /api/v1/candles?…&limit=5000` (authenticated with a JWT) and the trivial JSON
`GET /health` as the reference. Goal (issue 3): candles throughput ≥ 40% of /health's.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import requests

CANDLES = 5_000
REQUESTS = 400
THREADS = 4
SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(folder: Path, env: dict[str, str]) -> str:
    """Schema, one instrument with CANDLES 1h candles, a user; returns a JWT for it."""
    os.environ.update(env)
    from flask_jwt_extended import create_access_token

    from tradedeck.accounts.models import User
    from tradedeck.accounts.passwords import hash_password
    from tradedeck.app import create_app
    from tradedeck.core.candles import OHLCV
    from tradedeck.extensions import db
    from tradedeck.market import catalogue, store
    from tradedeck.market.models import Instrument

    app = create_app(instance_path=folder)
    with app.app_context():
        db.create_all()
        venue = catalogue.ensure_venue("SIM")
        inst = Instrument(venue_id=venue.id, symbol="BENCH", name="Bench (simulated)")
        db.session.add(inst)
        db.session.flush()
        rng = np.random.default_rng(0)
        close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, CANDLES)))
        t = 1_700_000_000 // 3600 * 3600 + 3600 * np.arange(CANDLES)
        candles = OHLCV.from_columns(
            t, close, close * 1.01, close * 0.99, close, rng.uniform(1, 1e4, CANDLES)
        )
        store.upsert_candles(inst.id, "1h", candles)
        user = User(username="bench", username_key="bench", email="bench@example.com",
                    password_hash=hash_password("bench-password"), role="customer")  # fmt: skip
        db.session.add(user)
        db.session.commit()
        token = create_access_token(identity=str(user.id))
        db.engine.dispose()
    return (
        f"/api/v1/candles?symbol=BENCH&interval=1h&start={t[0]}&end={t[-1] + 3600}&limit={CANDLES}",
        token,
    )


def _measure(
    base: str, path: str, headers: dict[str, str], check: int | None
) -> tuple[float, float, float]:
    def one(_: int) -> float:
        start = time.perf_counter()
        response = requests.get(base + path, headers=headers, timeout=30)
        elapsed = time.perf_counter() - start
        response.raise_for_status()
        return elapsed

    if check is not None:  # verified once, outside the timing: the client shares the CPUs
        assert (
            len(requests.get(base + path, headers=headers, timeout=30).json()["candles"]) == check
        )
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(one, range(THREADS * 5)))  # warm-up: imports, caches, connections
        start = time.perf_counter()
        latencies = sorted(pool.map(one, range(REQUESTS)))
        wall = time.perf_counter() - start
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return REQUESTS / wall, statistics.median(latencies) * 1000, p99 * 1000


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="tradedeck-bench-"))
    port = _free_port()
    env = {
        "SECRET_KEY": SECRET,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "TRADEDECK_ENV": "development",
    }
    path, token = _prepare(folder, env)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--chdir", str(folder),
         "--log-level", "warning", "--graceful-timeout", "3", "tradedeck.app:create_app()"],
        env={**os.environ, **env},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # workers import the app after the port is bound
            try:
                requests.get(base + "/health", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        auth = {"Authorization": f"Bearer {token}"}
        health = _measure(base, "/health", {}, None)
        candles = _measure(base, path, auth, CANDLES)
    finally:
        server.terminate()
        server.wait(30)
    print(f"gunicorn 2 sync workers, SQLite, {THREADS} client threads, {REQUESTS} requests each")
    print(f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, (rps, p50, p99) in (
        ("/health (reference)", health),
        (f"/api/v1/candles ({CANDLES})", candles),
    ):
        print(f"{name:<28}{rps:>10.1f}{p50:>10.2f}{p99:>10.2f}")
    print(f"candles / health throughput: {candles[0] / health[0]:.0%} (goal ≥ 40%)")


if __name__ == "__main__":
    main()
