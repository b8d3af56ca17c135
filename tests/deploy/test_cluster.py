"""Many processes, one of each singleton: 2 gunicorn web + 2 workers + 1 stream server on
PostgreSQL and Redis. SIGKILL the worker leading the price engine: the other takes over within
10 s, the minute candles have no gap, orders queued on a closed venue are each filled once
when it opens, the books balance, and a stream keeps receiving (and resumes after its server
restarts)."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select, text

from tests.helpers import TEST_DATABASE_URL, TEST_REDIS_URL, app_overrides, free_port
from tradedeck.market.lock import ADVISORY_KEY

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL.startswith("postgresql") and TEST_REDIS_URL),
    reason="needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (Redis)",
)
BIN = Path(sys.executable).parent
TAKEOVER_WITHIN = 10.0
ORDERS = 6


def _database() -> str:
    """A database of its own: advisory locks are per database, and the suite truncates `test`."""
    base = TEST_DATABASE_URL.rsplit("/", 1)[0]
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "tradedeck_cluster" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "tradedeck_cluster"'))
    admin.dispose()
    return f"{base}/tradedeck_cluster"


def _prepare(tmp_path: Path, url: str) -> str:
    """Schema, a 24/7 simulated venue (engine), a venue that can be closed (queued orders),
    a funded user; returns the user's access token."""
    from tradedeck.accounts.models import User
    from tradedeck.accounts.passwords import hash_password
    from tradedeck.api.auth import access_token_for
    from tradedeck.app import create_app
    from tradedeck.extensions import db
    from tradedeck.market import history
    from tradedeck.market.models import Venue
    from tradedeck.trading import ledger
    from tradedeck.venues.models import MarketState

    app = create_app(_settings(tmp_path, url), instance_path=tmp_path / "setup")
    now = datetime.now(UTC)
    with app.app_context():
        db.create_all()
        db.session.add_all(
            [
                Venue(code="ALWAYS", name="Always", kind="simulated", timezone="UTC",
                      always_open=True),
                Venue(code="SIMQ", name="Closable", kind="simulated", timezone="UTC",
                      always_open=False),
            ]
        )  # fmt: skip
        db.session.flush()
        # A state row first: the scheduler then leaves the venues' hours alone (24/7 stays).
        db.session.add_all(MarketState(venue_id=v.id) for v in db.session.scalars(select(Venue)))
        db.session.commit()
        history.add_simulated_instrument("TICKR", "Ticker", Decimal(100), venue="ALWAYS",
                                         days=0.01, now=now)  # fmt: skip
        history.add_simulated_instrument("QUEUD", "Queued", Decimal(50), venue="SIMQ",
                                         days=0.01, now=now)  # fmt: skip
        user = User(username="trader", username_key="trader", email="t@example.com",
                    password_hash=hash_password("cluster-pass-1"), role="customer",
                    preferences={})  # fmt: skip
        db.session.add(user)
        db.session.commit()
        ledger.deposit(user.id, "100000")
        token = access_token_for(user)
        db.session.remove()
        db.engine.dispose()
    return token


def _settings(tmp_path: Path, url: str, name: str = "test") -> dict[str, str]:
    return app_overrides(
        tmp_path,
        DATABASE_URL=f"{url}?application_name={name}",
        REDIS_URL=TEST_REDIS_URL,
        TICK_INTERVAL_SECS="1",
        ORDER_RATE_LIMIT="10000/minute",
        QUOTE_POLL_SECS="0",
    )


class Procs:
    def __init__(self, tmp_path: Path, url: str) -> None:
        self.tmp_path, self.url, self.running = tmp_path, url, {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        env = {**os.environ, **_settings(self.tmp_path, self.url, name)}
        env["PROMETHEUS_MULTIPROC_DIR"] = str(self.tmp_path / "metrics")
        log = (self.tmp_path / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [str(BIN / args[0]), *args[1:]], cwd=self.tmp_path, env=env, stdout=log, stderr=log
        )
        self.running[name] = process
        return process

    def cli(self, *args: str) -> None:
        env = {**os.environ, **_settings(self.tmp_path, self.url, "cli")}
        done = subprocess.run([str(BIN / "tradedeck"), *args], cwd=self.tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_http(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, f"{url} never answered"
        time.sleep(0.3)


def _engine_holder(db) -> str | None:
    """application_name of the process holding the price engine's advisory lock."""
    return db.execute(
        text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :key"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"key": ADVISORY_KEY},
    ).scalar()


class Listener(threading.Thread):
    """An EventSource-like client: reads ticks of TICKR, reconnects after `end`."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.headers = url, {"Authorization": f"Bearer {token}"}
        self.ticks: list[tuple[float, int]] = []  # (received at, tick time)
        self.connections = 0
        self.ends: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with requests.get(self.url, headers=self.headers, stream=True, timeout=30) as r:
                    if r.status_code != 200:
                        time.sleep(0.5)
                        continue
                    self.connections += 1
                    self._read(r)
            except requests.RequestException:
                time.sleep(0.5)  # server away: retry like EventSource (retry: 3000, shortened)

    def _read(self, response: requests.Response) -> None:
        buffer = ""
        for chunk in response.iter_content(chunk_size=None, decode_unicode=True):
            buffer += chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.splitlines()
                              if ": " in line and not line.startswith(":"))  # fmt: skip
                if fields.get("event") == "tick":
                    data = json.loads(fields["data"])
                    if data["symbol"] == "TICKR":
                        self.ticks.append((time.monotonic(), int(data["time"])))
                elif fields.get("event") == "end":
                    self.ends.append(json.loads(fields["data"])["reason"])
                    return
            if self.stop.is_set():
                return


def test_failover_keeps_one_engine_one_fill_and_live_streams(tmp_path: Path) -> None:
    url = _database()
    token = _prepare(tmp_path, url)
    procs = Procs(tmp_path, url)
    webs = [free_port(), free_port()]
    stream_port = free_port()
    db = create_engine(url, isolation_level="AUTOCOMMIT").connect()
    try:
        procs.cli("market", "override", "SIMQ", "open")
        for i, port in enumerate(webs):  # one after the other: the host has 2 loaded cores
            procs.start(f"web{i}", "gunicorn", "-c", "python:tradedeck.gunicorn_conf", "-w", "1",
                        "--threads", "4", "-b", f"127.0.0.1:{port}")  # fmt: skip
            _wait_http(f"http://127.0.0.1:{port}/health")
        procs.start("stream", "tradedeck", "stream", "--port", str(stream_port))
        _wait_http(f"http://127.0.0.1:{stream_port}/healthz")
        procs.start("workerA", "tradedeck", "worker", "--workers", "1")
        procs.start("workerB", "tradedeck", "worker", "--workers", "1")
        deadline = time.monotonic() + 60
        while (leader := _engine_holder(db)) is None:
            assert time.monotonic() < deadline, "no worker took the engine lock"
            time.sleep(0.3)
        assert leader in ("workerA", "workerB")
        listener = Listener(f"http://127.0.0.1:{stream_port}/api/v1/stream?symbols=TICKR", token)
        listener.start()
        time.sleep(3)

        procs.cli("market", "override", "SIMQ", "closed")
        time.sleep(2.5)  # every process sees the closure (schedule caches live 2 s)
        auth = {"Authorization": f"Bearer {token}"}
        placed = []
        for i in range(ORDERS):
            body = {"symbol": "QUEUD", "side": "buy", "quantity": "1", "client_order_id": f"q{i}"}
            answer = requests.post(f"http://127.0.0.1:{webs[i % 2]}/api/v1/orders", json=body,
                                   headers=auth, timeout=30)  # fmt: skip
            assert answer.status_code == 201, answer.text
            assert answer.json()["order"]["status"] == "queued"
            placed.append(answer.json()["order"]["id"])

        victim = procs.running[leader]
        killed_at_wall = time.time()
        killed_at = time.monotonic()
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)

        survivor = "workerB" if leader == "workerA" else "workerA"
        while _engine_holder(db) != survivor:
            assert time.monotonic() - killed_at < TAKEOVER_WITHIN, "no takeover within 10 s"
            time.sleep(0.2)
        while True:  # the survivor's first committed tick
            newest = db.execute(text(
                "SELECT max(t.time_ms) FROM ticks t JOIN instruments i ON i.id = t.instrument_id"
                " WHERE i.symbol = 'TICKR'")).scalar()  # fmt: skip
            if newest / 1000 > killed_at_wall + 0.5:
                break
            assert time.monotonic() - killed_at < TAKEOVER_WITHIN, "no tick within 10 s"
            time.sleep(0.2)
        takeover = time.monotonic() - killed_at
        procs.cli("market", "override", "SIMQ", "open")  # the queued orders may fill now

        deadline = time.monotonic() + 30
        while True:
            statuses = db.execute(text("SELECT status FROM orders WHERE id = ANY(:ids)"),
                                  {"ids": placed}).scalars().all()  # fmt: skip
            if set(statuses) == {"filled"}:
                break
            assert time.monotonic() < deadline, f"queued orders not filled: {statuses}"
            time.sleep(0.5)

        received_before = len(listener.ticks)
        procs.running["stream"].send_signal(signal.SIGTERM)
        procs.running["stream"].wait(timeout=10)
        procs.start("stream2", "tradedeck", "stream", "--port", str(stream_port))
        deadline = time.monotonic() + 60
        while listener.connections < 2 or len(listener.ticks) < received_before + 3:
            assert time.monotonic() < deadline, "the stream did not reconnect and resume"
            time.sleep(0.3)
        listener.stop.set()
    finally:
        procs.stop_all()

    # One fill per order, the books exact.
    fills = db.execute(text("SELECT order_id, count(*) FROM trades WHERE order_id = ANY(:ids)"
                            " GROUP BY order_id"), {"ids": placed}).all()  # fmt: skip
    assert sorted(fills) == sorted((i, 1) for i in placed)
    cash, ledger_sum = db.execute(text(
        "SELECT a.cash, (SELECT sum(c.amount) FROM cash_transactions c WHERE c.account_id = a.id)"
        " FROM trading_accounts a")).one()  # fmt: skip
    assert cash == ledger_sum and cash > 0
    held = db.execute(text(
        "SELECT p.quantity FROM positions p JOIN instruments i ON i.id = p.instrument_id"
        " WHERE i.symbol = 'QUEUD'")).scalar()  # fmt: skip
    assert held == ORDERS

    # No candle gap: one 1m candle for every minute the engine ran (from its first tick; the
    # minute or two before it, while the processes started, is history's job).
    tick_times = db.execute(text(
        "SELECT t.time_ms / 1000 FROM ticks t JOIN instruments i ON i.id = t.instrument_id"
        " WHERE i.symbol = 'TICKR' ORDER BY t.time_ms")).scalars().all()  # fmt: skip
    minutes = db.execute(text(
        "SELECT c.open_time FROM candles c JOIN instruments i ON i.id = c.instrument_id"
        " WHERE i.symbol = 'TICKR' AND c.interval = '1m' AND c.open_time >= :first"
        " ORDER BY c.open_time"), {"first": tick_times[0] // 60 * 60}).scalars().all()  # fmt: skip
    assert minutes == list(range(minutes[0], tick_times[-1] // 60 * 60 + 60, 60))
    assert len(tick_times) == len(set(tick_times)), "two engines ticked the same second"
    live = [t for t in tick_times if t >= killed_at_wall - 30]
    assert max(b - a for a, b in itertools.pairwise(live)) <= TAKEOVER_WITHIN + 1

    # The stream saw ticks before and after the kill on one connection, then resumed.
    times = [t for _, t in listener.ticks]
    assert any(t < killed_at_wall for t in times) and any(t > killed_at_wall for t in times)
    assert "shutdown" in listener.ends and listener.connections >= 2
    print(f"takeover {takeover:.1f}s after SIGKILL of {leader}")
    db.close()
