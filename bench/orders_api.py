"""Benchmark: orders per second through the HTTP API (gunicorn, 2 workers), SQLite and PostgreSQL.

Run: .venv/bin/python bench/orders_api.py [--per-client 60] [--pg-url postgresql+psycopg://...]
         [--threads 4] [--redis-url redis://127.0.0.1:6379/13] [--rounds 1]
Each backend gets a fresh database, one SIM instrument (venue forced open) and 32 funded users;
32 concurrent clients (one per user, each with a Bearer token and its own keep-alive
connection from `http_load.py`, which leaves the cores to the server) post alternating
market buys and sells with unique client_order_ids to gunicorn on 127.0.0.1
(`gunicorn_server.py`: the packaged `tradedeck.gunicorn_conf`, 16 connections per worker).
The same 32 clients first hit `GET /health` the same number of times: the reference of the
same run (HTTP, app, database). On PostgreSQL the CPU per request (/health's and the
order's) of the server, the database and the client is printed too (`proc_cpu.py`): the
ratio is /health's total over the order's. This machine's speed drifts by a third from
minute to minute (shared host), so `--rounds N` repeats /health + orders N times on one
server and prints the median and spread.
Afterwards every account is audited: balance == ledger sum, never negative, holdings == fills,
one order per client_order_id. Any discrepancy is printed and makes the exit status 1.
The server setup (worker class, threads, SQLAlchemy pool, rate-limit storage) is printed with
the figures: without --redis-url the limiter counts in each worker's memory (`memory://`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import gunicorn_server
import http_load
import proc_cpu
from sqlalchemy import create_engine, func, select, text

CLIENTS = 32
WORKERS = 2
WARMUP = 2  # unmeasured orders per client first: connections, caches, lazy imports
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/tradedeck_bench"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def ensure_pg_database(url: str) -> bool:
    """Create the bench database if missing; False when PostgreSQL is unreachable."""
    base, name = url.rsplit("/", 1)
    try:
        engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return True
    except Exception as exc:  # server down or no rights: skip that backend, say why
        print(f"PostgreSQL unavailable ({type(exc).__name__}); skipping it")
        return False


def settings(database_url: str, redis_url: str = "") -> dict[str, str]:
    return {
        "TRADEDECK_ENV": "development",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ORDER_RATE_LIMIT": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        "FEE_BPS": "5",
        "SLIPPAGE_BPS": "5",
        "JWT_EXPIRES_MINUTES": "120",
    }


def prepare(database_url: str, instance: Path) -> list[str]:
    """Fresh schema, one instrument, 32 funded users; returns their access tokens."""
    from flask_jwt_extended import create_access_token

    from tradedeck.accounts.models import User
    from tradedeck.accounts.passwords import hash_password
    from tradedeck.app import create_app
    from tradedeck.database import utcnow
    from tradedeck.extensions import db
    from tradedeck.market.models import Instrument, LastPrice, Venue
    from tradedeck.trading import ledger
    from tradedeck.venues import admin as venues_admin

    app = create_app(settings(database_url), instance_path=instance)
    with app.app_context():
        db.drop_all()
        db.create_all()
        venue = Venue(
            code="SIM",
            name="Simulated",
            kind="simulated",
            timezone="America/New_York",
            always_open=False,
        )
        instrument = Instrument(venue=venue, symbol="BENCH", name="Benchmark Inc")
        db.session.add_all([venue, instrument])
        db.session.flush()
        db.session.add(
            LastPrice(
                instrument_id=instrument.id,
                price=Decimal("100.00"),
                previous_close=Decimal("100.00"),
                updated_at=utcnow(),
            )
        )
        password = hash_password("bench-password-1")
        users = [
            User(
                username=f"bench{i}",
                username_key=f"bench{i}",
                email=f"bench{i}@example.com",
                password_hash=password,
                role="customer",
                preferences={},
            )
            for i in range(CLIENTS)
        ]
        db.session.add_all(users)
        db.session.commit()
        venues_admin.set_override("SIM", "open", by="bench")
        tokens = []
        for user in users:
            ledger.deposit(user.id, "1000000")
            tokens.append(create_access_token(identity=str(user.id)))
        db.session.remove()
        db.engine.dispose()
    return tokens


def audit(database_url: str, instance: Path, expected_orders: int) -> list[str]:
    """Every account's books after the run; returns the discrepancies found."""
    from tradedeck.app import create_app
    from tradedeck.extensions import db
    from tradedeck.trading import ledger
    from tradedeck.trading.models import Account, Order, Position, Trade

    problems = []
    app = create_app(settings(database_url), instance_path=instance)
    with app.app_context():
        for account in db.session.scalars(select(Account)):
            if account.cash != ledger.ledger_sum(account.id) or account.cash < 0:
                problems.append(f"account {account.id}: cash {account.cash} != ledger")
            held = db.session.scalar(
                select(func.coalesce(func.sum(Position.quantity), 0)).where(
                    Position.account_id == account.id
                )
            )
            bought = db.session.scalar(
                select(func.coalesce(func.sum(Trade.quantity), 0)).where(
                    Trade.account_id == account.id, Trade.side == "buy"
                )
            )
            sold = db.session.scalar(
                select(func.coalesce(func.sum(Trade.quantity), 0)).where(
                    Trade.account_id == account.id, Trade.side == "sell"
                )
            )
            if Decimal(held) != Decimal(bought) - Decimal(sold):
                problems.append(f"account {account.id}: holdings {held} != fills")
        orders = db.session.scalar(select(func.count()).select_from(Order))
        distinct = db.session.scalar(select(func.count(func.distinct(Order.client_order_id))))
        if orders != expected_orders or distinct != orders:
            problems.append(f"{orders} orders ({distinct} distinct ids), {expected_orders} sent")
        db.engine.dispose()
    return problems


def server_setup(database_url: str, threads: int, redis_url: str) -> str:
    """What the numbers were measured on, printed beside them."""
    from tradedeck.config import engine_options

    options = engine_options(database_url)
    pool = (
        f"pool {options['pool_size']}+{options['max_overflow']} overflow per worker"
        f"{', pre-ping' if options.get('pool_pre_ping') else ''}"
        if "pool_size" in options
        else "SQLite WAL, one connection per thread"
    )
    limiter = "Redis" if redis_url else "per-worker memory://"
    return (
        f"gunicorn (tradedeck.gunicorn_conf) {WORKERS} workers x {threads} threads, "
        f"{CLIENTS // WORKERS} connections each, {pool}, "
        f"rate limits in {limiter}"
    )


def run_backend(
    name: str, database_url: str, per_client: int, threads: int, redis_url: str, rounds: int = 1
) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="tradedeck-bench-") as tmp:
        instance = Path(tmp)
        if name == "sqlite":
            database_url = f"sqlite:///{instance / 'bench.db'}"
        tokens = prepare(database_url, instance)
        port = gunicorn_server.free_port()
        server = gunicorn_server.start(
            instance,
            port,
            workers=WORKERS,
            threads=threads,
            connections=CLIENTS // WORKERS,
            env=settings(database_url, redis_url),
        )
        first_failure: list[str] = []
        round_tag = [0]
        try:

            async def health(connection: http_load.Connection, index: int, n: int) -> bool:
                status, _ = await connection.request("GET", "/health")
                return status in (200, 503)

            async def order(connection: http_load.Connection, index: int, n: int) -> bool:
                body = {
                    "symbol": "BENCH",
                    "side": "buy" if n % 2 == 0 else "sell",
                    "type": "market",
                    "quantity": "1",
                    "client_order_id": f"c{index}-{round_tag[0]}-{n}",
                }
                headers = {
                    "Authorization": f"Bearer {tokens[index]}",
                    "Content-Type": "application/json",
                }
                status, answer = await connection.request(
                    "POST", "/api/v1/orders", json.dumps(body).encode(), headers
                )
                ok = status == 201 and b'"status":"filled"' in answer
                if not ok and not first_failure:
                    first_failure.append(f"{status} {answer[:300].decode(errors='replace')}")
                return ok

            print(f"{name}: {CLIENTS} clients x {per_client} requests on 127.0.0.1")
            print(f"  {server_setup(database_url, threads, redis_url)}")
            address = ("127.0.0.1", port)
            rates = []
            for round_tag[0] in range(rounds):
                split = proc_cpu.Split(server.pid)
                ref = http_load.run(address, CLIENTS, per_client, health, 1, split.start)
                print(ref.line("GET /health (ref)"))
                if name == "postgresql":
                    print(split.stop(CLIENTS * per_client))
                split = proc_cpu.Split(server.pid)
                got = http_load.run(address, CLIENTS, per_client, order, WARMUP, split.start)
                print(got.line("POST /api/v1/orders"))
                if name == "postgresql":
                    print(split.stop(CLIENTS * per_client))
                rates.append(got.rate)
            if rounds > 1:
                print(
                    f"  orders/s over {rounds} rounds: median {statistics.median(rates):.0f}, "
                    f"best {max(rates):.0f}, worst {min(rates):.0f}"
                )
            if first_failure:
                print(f"  first failed order: {first_failure[0]}")
        finally:
            server.terminate()
            server.wait(10)
        problems = audit(database_url, instance, CLIENTS * (per_client + WARMUP) * rounds)
        print(f"  ledger discrepancies: {len(problems)}")
        for problem in problems:
            print(f"    {problem}")
        return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-client", type=int, default=60, help="requests per client")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--rounds", type=int, default=1, help="alternating /health + orders rounds per backend"
    )
    parser.add_argument(
        "--redis-url", default="", help="Redis for rate limits (default: per-worker memory)"
    )
    args = parser.parse_args()
    if not 1 <= args.per_client <= 1000:
        parser.error("--per-client must be 1..1000 (a bounded run)")
    if not 1 <= args.threads <= 32:
        parser.error("--threads must be 1..32")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be 1..20")
    if args.redis_url and not args.redis_url.startswith("redis://127.0.0.1"):
        parser.error("--redis-url must point at 127.0.0.1")
    problems: list[str] = []
    if not args.skip_sqlite:
        problems += run_backend(
            "sqlite", "", args.per_client, args.threads, args.redis_url, args.rounds
        )
    if not args.skip_pg and ensure_pg_database(args.pg_url):
        problems += run_backend(
            "postgresql", args.pg_url, args.per_client, args.threads, args.redis_url, args.rounds
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
