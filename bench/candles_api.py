"""Candles endpoint benchmark: 5,000 candles per request through real HTTP, beside /health.

Run: .venv/bin/python bench/candles_api.py [--clients 16] [--per-client 50] [--rounds 3]
                                            [--threads 4] [--cache-mb 0]
Serves the app with gunicorn (`tradedeck.gunicorn_conf`: 2 gthread workers with keep-alive;
SQLite in a temporary folder; 127.0.0.1 only) and loads it with the light asyncio-streams
generator of `http_load.py`, so the client leaves the cores to the server. Each worker takes
at most clients / 2 connections (`--worker-connections`): kept-alive connections opened in
one burst otherwise often all land on the worker that wins the accept race, and a batch then
runs on one core (seen: /health between 450 and 1,650 req/s from one batch to the next).
Both endpoints get the same clients and number of requests in the same run:
`GET /api/v1/candles?…&limit=5000` (authenticated with a JWT, one instrument's 1h candles) and
the trivial JSON `GET /health` as the reference, in alternating rounds (health, candles,
health, candles, ...) so that a burst of other work on a shared machine hits both alike; the
figures are the totals over all rounds.
The candles are settled history, so after each worker's first request they come from its
candle cache (`market.candle_cache`); `--cache-mb 0` measures the uncached path.
Goal (issue 3): candles throughput ≥ 40% of /health's.

The answer is checked once before the timing (5,000 candles, the stored first and last open
times); during the timing every response must be a 200 of the same length.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import gunicorn_server
import http_load
import numpy as np
import requests

CANDLES = 5_000
WORKERS = 2
WARMUP = 3  # unmeasured requests per client first: connections, imports, caches
SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def settings(folder: Path, cache_mb: str = "") -> dict[str, str]:
    return {
        "CANDLE_CACHE_MB": cache_mb,  # empty: the default
        "SECRET_KEY": SECRET,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "TRADEDECK_ENV": "development",
        "JWT_EXPIRES_MINUTES": "120",
        "MARKET_DATA_RATE_LIMIT": "1000000/minute",  # one user makes every request
    }


def prepare(folder: Path) -> tuple[str, str, tuple[int, int]]:
    """Schema, one instrument with CANDLES 1h candles, a user; returns (path, JWT, first/last)."""
    from flask_jwt_extended import create_access_token

    from tradedeck.accounts.models import User
    from tradedeck.accounts.passwords import hash_password
    from tradedeck.app import create_app
    from tradedeck.core.candles import OHLCV
    from tradedeck.extensions import db
    from tradedeck.market import catalogue, store
    from tradedeck.market.models import Instrument

    app = create_app(settings(folder), instance_path=folder)
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
        db.session.remove()
        db.engine.dispose()
    query = f"symbol=BENCH&interval=1h&start={t[0]}&end={t[-1] + 3600}&limit={CANDLES}"
    path = f"/api/v1/candles?{query}"
    return path, token, (int(t[0]), int(t[-1]))


def check_answer(url: str, headers: dict[str, str], first_last: tuple[int, int]) -> int:
    """Verified once, outside the timing; returns the body's length in bytes."""
    response = requests.get(url, headers=headers, timeout=30)
    response.raise_for_status()
    candles = response.json()["candles"]
    assert len(candles) == CANDLES, len(candles)
    assert (candles[0]["time"], candles[-1]["time"]) == first_last
    return len(response.content)


def cache_setup(folder: Path, cache_mb: str) -> str:
    from tradedeck.config import load_config

    megabytes = load_config(folder, settings(folder, cache_mb)).candle_cache_mb
    return f"{megabytes:g} MiB per worker" if megabytes else "off"


def merge(results: list[http_load.Result]) -> http_load.Result:
    """Batches of one endpoint as one: total requests over total seconds."""
    return http_load.Result(
        sum(r.seconds for r in results),
        [x for r in results for x in r.latencies],
        sum(r.failures for r in results),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--clients", type=int, default=16, help="concurrent HTTP clients (even, > 2 x threads)"
    )
    parser.add_argument("--per-client", type=int, default=50, help="requests per client")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per endpoint")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--cache-mb", default="", help="CANDLE_CACHE_MB of the server (default: the app's; 0 = off)"
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= 64 or not 1 <= args.per_client <= 1000:
        parser.error("--clients must be 1..64 and --per-client 1..1000 (a bounded run)")
    if args.clients % WORKERS or args.clients // WORKERS <= args.threads:
        parser.error("--clients must be even and more than twice --threads (keep-alive room)")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be 1..20")
    if not 1 <= args.threads <= 32:
        parser.error("--threads must be 1..32")

    with tempfile.TemporaryDirectory(prefix="tradedeck-bench-") as tmp:
        folder = Path(tmp)
        path, token, first_last = prepare(folder)
        port = gunicorn_server.free_port()
        connections = args.clients // WORKERS
        server = gunicorn_server.start(
            folder,
            port,
            workers=WORKERS,
            threads=args.threads,
            connections=connections,
            env=settings(folder, args.cache_mb),
        )
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": f"Bearer {token}"}
        try:
            size = check_answer(base + path, auth, first_last)
            address = ("127.0.0.1", port)

            async def health(connection: http_load.Connection, index: int, n: int) -> bool:
                status, _ = await connection.request("GET", "/health")
                return status == 200

            async def candles(connection: http_load.Connection, index: int, n: int) -> bool:
                status, body = await connection.request("GET", path, headers=auth)
                return status == 200 and len(body) == size

            print(
                f"gunicorn (tradedeck.gunicorn_conf) {WORKERS} workers x {args.threads} threads "
                f"(gthread, keep-alive, {connections} connections each), "
                f"SQLite WAL, candle cache {cache_setup(folder, args.cache_mb)}; "
                f"{args.clients} keep-alive clients x {args.per_client} requests "
                f"(+{WARMUP} warm-up each) x {args.rounds} alternating rounds on 127.0.0.1"
            )
            batches: dict[str, list[http_load.Result]] = {"health": [], "candles": []}
            for _ in range(args.rounds):
                for name, call in (("health", health), ("candles", candles)):
                    batches[name].append(
                        http_load.run(address, args.clients, args.per_client, call, WARMUP)
                    )
            ref, got = (merge(batches[name]) for name in ("health", "candles"))
        finally:
            server.terminate()
            server.wait(30)
        print(ref.line("GET /health (ref)"))
        print(got.line("GET /api/v1/candles"))
        print(f"  candles body: {CANDLES:,} candles, {size / 1024:.0f} KiB")
        print(f"candles / health throughput: {got.rate / ref.rate:.0%} (goal ≥ 40%)")
        if ref.failures or got.failures:
            sys.exit(1)


if __name__ == "__main__":
    main()
