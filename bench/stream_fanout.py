"""Benchmark: 2,000 concurrent `/api/v1/stream` clients on one stream server, and /health beside.

Run: .venv/bin/python bench/stream_fanout.py [--clients 2000] [--batches 20]
         [--redis-url redis://127.0.0.1:6379/13]
One `tradedeck stream` process (uvicorn) and gunicorn (2 workers, `tradedeck.gunicorn_conf`)
serve a fresh SQLite database with one instrument. First 32 keep-alive clients measure
`GET /health` alone (the reference of the same run). Then a separate client process opens
`--clients` SSE connections (Bearer JWT, one user; the per-user cap is raised for the run),
and a tick batch is published on the engine's Redis channel every second, as the worker
holding the price engine would, with its send time in the candle; while the batches flow the
same /health load runs again. Printed: /health with streams as a share of /health alone
(target >= 80%), and per published batch whether every client got it and how long after it
was published (p50/p99; target p99 < 1 s). The clients, the publisher and both servers
share this machine's two cores, which other sessions also load: compare the ratios of one
run, not the absolutes. Exit status 1 when a target is missed or a batch was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import gunicorn_server
import http_load
import proc_cpu
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
HEALTH_CLIENTS = 32
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
CHANNEL = "tradedeck:market:ticks"  # tradedeck.market.engine.REDIS_CHANNEL


def settings(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        "TRADEDECK_ENV": "development",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        "STREAM_MAX_PER_USER": "100000",
        "STREAM_SERVER_MAX_CLIENTS": "100000",
    }


def prepare(env: dict[str, str], instance: Path) -> tuple[int, str]:
    """Schema, one simulated instrument with a price, one user; (instrument id, JWT)."""
    from tradedeck.accounts.models import User
    from tradedeck.accounts.passwords import hash_password
    from tradedeck.api.auth import access_token_for
    from tradedeck.app import create_app
    from tradedeck.database import utcnow
    from tradedeck.extensions import db
    from tradedeck.market.models import Instrument, LastPrice, Venue

    app = create_app(env, instance_path=instance)
    with app.app_context():
        db.create_all()
        venue = Venue(code="SIM", name="Sim", kind="simulated", timezone="UTC", always_open=True)
        instrument = Instrument(venue=venue, symbol="BENCH", name="Bench")
        user = User(username="viewer", username_key="viewer", email="v@example.com",
                    password_hash=hash_password("bench-password-1"), role="customer",
                    preferences={})  # fmt: skip
        db.session.add_all([venue, instrument, user])
        db.session.flush()
        db.session.add(LastPrice(instrument_id=instrument.id, price=Decimal(100),
                                 previous_close=Decimal(100), updated_at=utcnow()))  # fmt: skip
        db.session.commit()
        return instrument.id, access_token_for(user)


async def _sse_client(
    port: int, token: str, ready: asyncio.Semaphore, seen: dict[int, float], opened: list[int]
) -> None:
    """One EventSource-like connection: records (batch number -> delivery delay)."""
    async with ready:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        writer.write(
            f"GET /api/v1/stream?symbols=BENCH&interval=1m HTTP/1.1\r\nHost: bench\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
        opened.append(1)
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            return
        data = (await reader.readexactly(size + 2))[:-2]
        arrived = time.time()
        for block in data.split(b"\n\n"):
            if block.startswith(b"event: candle"):
                candle = json.loads(block.split(b"data: ", 1)[1])
                seen[candle["batch"]] = arrived - candle["sent"]


def client_process(port: int, token: str, clients: int, conn: Any) -> None:
    """Child process: open the streams, report when all are open, then record until told."""

    async def main() -> None:
        ready = asyncio.Semaphore(64)
        opened: list[int] = []
        seen = [dict() for _ in range(clients)]
        tasks = [
            asyncio.create_task(_sse_client(port, token, ready, seen[i], opened))
            for i in range(clients)
        ]
        while len(opened) < clients:
            failed = [t for t in tasks if t.done() and t.exception() is not None]
            if failed:
                conn.send(("error", repr(failed[0].exception())))
                return
            await asyncio.sleep(0.2)
        conn.send(("open", len(opened)))
        while not conn.poll():
            await asyncio.sleep(0.2)
        conn.recv()
        for task in tasks:
            task.cancel()
        conn.send(("seen", seen))

    asyncio.run(main())


def publish(redis_url: str, instrument_id: int, batches: int, stop: threading.Event) -> int:
    """One batch per second, shaped like the engine's, the send time in its candle."""
    client = redis.Redis.from_url(redis_url)
    sent = 0
    for n in range(batches):
        if stop.is_set():
            break
        now = time.time()
        tick = {
            "instrument_id": instrument_id, "symbol": "BENCH", "venue": "SIM",
            "price": f"{100 + n / 100:.2f}", "previous_close": "100.00", "time": int(now),
            "candles": {"1m": {"time": int(now) // 60 * 60, "open": 100.0, "high": 101.0,
                               "low": 99.0, "close": 100.5, "volume": 30.0, "batch": n,
                               "sent": now}},
        }  # fmt: skip
        client.publish(CHANNEL, json.dumps([tick]))
        sent += 1
        stop.wait(max(0.0, 1.0 - (time.time() - now)))
    client.close()
    return sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=20, help="published batches, 1/s")
    parser.add_argument("--per-client", type=int, default=150, help="/health calls per client")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="tradedeck-bench-stream-"))
    env = settings(f"sqlite:///{instance / 'bench.db'}", args.redis_url)
    instrument_id, token = prepare(env, instance)
    web_port, stream_port = gunicorn_server.free_port(), gunicorn_server.free_port()
    web = gunicorn_server.start(instance, web_port, workers=2, threads=8,
                                connections=HEALTH_CLIENTS // 2, env=env)  # fmt: skip
    log = (instance / "stream.log").open("wb")
    stream = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "tradedeck"), "stream", "--port", str(stream_port)],
        cwd=instance, env={**os.environ, **env}, stdout=log, stderr=log,
    )  # fmt: skip
    status = 0
    try:
        for _ in range(300):
            try:
                if requests.get(f"http://127.0.0.1:{stream_port}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)

        async def health(connection: http_load.Connection, index: int, n: int) -> bool:
            status_code, _ = await connection.request("GET", "/health")
            return status_code == 200

        address = ("127.0.0.1", web_port)
        print(
            f"stream fan-out: {args.clients} SSE clients on 1 `tradedeck stream` process; "
            f"/health on gunicorn 2 workers x 8 threads; {HEALTH_CLIENTS} /health clients"
        )
        print(
            "  (this 2-core machine is shared with other sessions: compare ratios, not absolutes)"
        )
        alone = http_load.run(address, HEALTH_CLIENTS, args.per_client, health)
        print(alone.line("GET /health alone"))

        parent, child = multiprocessing.Pipe()
        clients = multiprocessing.get_context("spawn").Process(
            target=client_process, args=(stream_port, token, args.clients, child)
        )
        clients.start()
        opened_at = time.monotonic()
        kind, value = parent.recv()
        if kind == "error":
            print(f"  could not open the streams: {value}")
            return 1
        print(f"  {value} streams open after {time.monotonic() - opened_at:.1f} s")
        stop = threading.Event()
        published: list[int] = []
        publisher = threading.Thread(
            target=lambda: published.append(
                publish(args.redis_url, instrument_id, args.batches, stop)
            )
        )
        stream_cpu = proc_cpu.cpu_seconds([stream.pid])
        client_cpu = proc_cpu.cpu_seconds([clients.pid])
        publisher.start()
        loaded = http_load.run(address, HEALTH_CLIENTS, args.per_client, health)
        publisher.join()
        time.sleep(2)  # the last batch's deliveries
        stream_cpu = proc_cpu.cpu_seconds([stream.pid]) - stream_cpu
        client_cpu = proc_cpu.cpu_seconds([clients.pid]) - client_cpu
        parent.send("stop")
        kind, seen = parent.recv()
        clients.join(timeout=30)
        print(loaded.line(f"GET /health + {args.clients} streams"))
        batches = published[0]
        delays = [d for client in seen for d in client.values()]
        missing = batches * args.clients - len(delays)
        ratio = loaded.rate / alone.rate
        p50 = statistics.median(delays) * 1000
        p99 = statistics.quantiles(delays, n=100)[98] * 1000
        print(f"  /health with streams: {ratio:.0%} of /health alone (target >= 80%)")
        print(f"  tick delivery: {batches} batches x {args.clients} clients = "
              f"{batches * args.clients} events, missing {missing}, "
              f"p50 {p50:.0f} ms, p99 {p99:.0f} ms (target p99 < 1000 ms)")  # fmt: skip
        events = max(1, len(delays))
        print(f"  CPU per delivered event: stream server {stream_cpu / events * 1e6:.0f} us, "
              f"SSE clients {client_cpu / events * 1e6:.0f} us")  # fmt: skip
        if ratio < 0.8 or p99 >= 1000 or missing:
            status = 1
    finally:
        stream.terminate()
        stream.wait(timeout=20)
        web.terminate()
        web.wait(timeout=20)
    return status


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    sys.exit(main())
