"""Soak: mixed load on gunicorn + a worker + the stream server for a bounded time, loopback only.

Run: .venv/bin/python bench/soak.py [--minutes 10] [--redis-url redis://127.0.0.1:6379/13]
         [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/tradedeck_bench]
SQLite (or PostgreSQL with --pg-url, as deployed), the 32 funded users and the BENCH
instrument of bench/orders_api.py. For the whole run: 16 API clients alternate market orders
(unique client_order_ids), candle, price and analytics requests, and 50 SSE clients hold
`/api/v1/stream` while the worker's engine ticks.
Checks at the end (exit status 1 on any failure): no 5xx, resident memory of every server
process grew at most 10% from the end of the first fifth of the run to the end, and the
books are exact (orders_api.audit: cash = ledger, holdings = fills, one order per id).
Keep it short while other sessions share the machine (`--minutes 1`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import gunicorn_server
import http_load
import orders_api
import requests

ROOT = Path(__file__).resolve().parent.parent
API_CLIENTS = 16
STREAMS = 50


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def servers(*roots: subprocess.Popen) -> list[int]:
    """The processes serving: gunicorn's workers (not the master), the worker, the streams."""
    import proc_cpu

    pids = []
    for root in roots:
        children = [p for p in proc_cpu.tree(root.pid) if p != root.pid]
        pids += children or [root.pid]
    return pids


async def load(port: int, tokens: list[str], seconds: float, statuses: Counter) -> int:
    """Mixed API calls until `seconds` pass; returns the orders sent."""
    sent = 0
    end = time.monotonic() + seconds

    async def client(index: int) -> None:
        nonlocal sent
        connection = http_load.Connection("127.0.0.1", port)
        auth = {"Authorization": f"Bearer {tokens[index]}", "Content-Type": "application/json"}
        n = 0
        while time.monotonic() < end:
            kind = n % 4
            if kind == 0:
                side = "buy" if n % 8 == 0 else "sell"
                body = (f'{{"symbol": "BENCH", "side": "{side}", "quantity": "1",'
                        f' "client_order_id": "soak-{index}-{n}"}}').encode()  # fmt: skip
                status, _ = await connection.request("POST", "/api/v1/orders", body, auth)
                sent += 1
            elif kind == 1:
                status, _ = await connection.request(
                    "GET", "/api/v1/candles?symbol=BENCH&interval=1m&limit=500", headers=auth
                )
            elif kind == 2:
                status, _ = await connection.request(
                    "GET", "/api/v1/prices?symbols=BENCH", headers=auth
                )
            else:
                status, _ = await connection.request(
                    "GET", "/api/v1/analytics?symbol=BENCH&interval=1m&studies=ema", headers=auth
                )
            statuses[status] += 1
            n += 1
        await connection.close()

    await asyncio.gather(*(client(i) for i in range(API_CLIENTS)))
    return sent


async def streams(port: int, token: str, seconds: float, statuses: Counter) -> int:
    """SSE clients held open (reopened after `end`); returns the tick events they got."""
    ticks = 0
    end = time.monotonic() + seconds

    async def one() -> None:
        nonlocal ticks
        while time.monotonic() < end:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET /api/v1/stream?symbols=BENCH HTTP/1.1\r\nHost: soak\r\n"
                         f"Authorization: Bearer {token}\r\n\r\n".encode())  # fmt: skip
            head = await reader.readuntil(b"\r\n\r\n")
            statuses[int(head.split(b" ", 2)[1])] += 1
            try:
                while time.monotonic() < end:
                    chunk = await asyncio.wait_for(
                        reader.read(65536), max(0.1, end - time.monotonic())
                    )
                    if not chunk or b"event: end" in chunk:
                        break
                    ticks += chunk.count(b"event: tick")
            except TimeoutError:
                pass
            writer.close()

    await asyncio.gather(*(one() for _ in range(STREAMS)))
    return ticks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--pg-url", default="", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    if not 0 < args.minutes <= 60:
        parser.error("--minutes must be in (0, 60]: a bounded run")
    for name, value in (("--redis-url", args.redis_url), ("--pg-url", args.pg_url)):
        if value and "@127.0.0.1" not in value and "//127.0.0.1" not in value:
            parser.error(f"{name} must point at 127.0.0.1")
    seconds = args.minutes * 60
    instance = Path(tempfile.mkdtemp(prefix="tradedeck-soak-"))
    url = args.pg_url or f"sqlite:///{instance / 'soak.db'}"
    if args.pg_url and not orders_api.ensure_pg_database(url):
        return 1
    tokens = orders_api.prepare(url, instance)
    env = orders_api.settings(url, args.redis_url) | {
        "TICK_INTERVAL_SECS": "1", "MARKET_DATA_RATE_LIMIT": "1000000/minute",
        "ANALYTICS_RATE_LIMIT": "1000000/minute", "STREAM_MAX_PER_USER": "1000",
    }  # fmt: skip
    port, stream_port = gunicorn_server.free_port(), gunicorn_server.free_port()
    web = gunicorn_server.start(instance, port, workers=2, threads=8, connections=16, env=env)
    bin_dir = ROOT / ".venv" / "bin"
    log = (instance / "soak.log").open("wb")
    full_env = {**os.environ, **env}
    worker = subprocess.Popen([str(bin_dir / "tradedeck"), "worker"], cwd=instance,
                              env=full_env, stdout=log, stderr=log)  # fmt: skip
    stream = subprocess.Popen([str(bin_dir / "tradedeck"), "stream", "--port", str(stream_port)],
                              cwd=instance, env=full_env, stdout=log, stderr=log)  # fmt: skip
    try:
        for _ in range(300):
            try:
                if requests.get(f"http://127.0.0.1:{stream_port}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        print(f"soak: {args.minutes:g} min on {url.split(':', 1)[0]}, {API_CLIENTS} API clients"
              f" (orders, candles, prices, analytics), {STREAMS} SSE clients; gunicorn 2x8,"
              " 1 worker, 1 stream server; shared 2-core machine")  # fmt: skip
        statuses: Counter = Counter()
        baseline: dict[int, int] = {}

        async def run() -> tuple[int, int]:
            async def sample() -> None:
                await asyncio.sleep(seconds / 5)
                for pid in servers(web, worker, stream):
                    baseline[pid] = rss_kib(pid)

            results = await asyncio.gather(
                load(port, tokens, seconds, statuses),
                streams(stream_port, tokens[0], seconds, statuses),
                sample(),
            )
            return results[0], results[1]

        orders, ticks = asyncio.run(run())
        growth = {pid: rss_kib(pid) / kib - 1 for pid, kib in baseline.items() if kib}
        problems = orders_api.audit(url, instance, orders)
        errors = sum(n for status, n in statuses.items() if status >= 500)
        print(f"  responses by status: {dict(sorted(statuses.items()))}; orders {orders};"
              f" stream ticks received {ticks}")  # fmt: skip
        print(f"  5xx: {errors}; largest memory growth after warm-up: "
              f"{max(growth.values(), default=0):.1%} (limit 10%)")  # fmt: skip
        print(f"  ledger discrepancies: {len(problems)}")
        for problem in problems:
            print(f"    {problem}")
        return int(bool(errors or problems or max(growth.values(), default=0) > 0.10))
    finally:
        for process in (stream, worker, web):
            process.terminate()
        for process in (stream, worker, web):
            process.wait(timeout=30)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    sys.exit(main())
