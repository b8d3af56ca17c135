"""Process lifecycle: one SIGTERM or one Ctrl+C stops `tradedeck run` cleanly and keeps orders.

The database schema is migrated once per module, in this process, and each test starts from a
copy of it: a `tradedeck db upgrade` subprocess per test cost a Python start, the app import
and every migration again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade

from tests.helpers import app_overrides, free_port
from tradedeck.app import create_app
from tradedeck.extensions import db

STOP_WITHIN = 10.0
FAST_SEED = {"CANDLE_BACKFILL_DAYS": "1"}  # `run` seeds demo history; one day is enough here


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database file at the migrations' head (what `tradedeck db upgrade` makes)."""
    folder = tmp_path_factory.mktemp("schema")
    path = folder / "schema.db"
    app = create_app(
        app_overrides(folder, DATABASE_URL=f"sqlite:///{path}"), instance_path=folder / "instance"
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


def _database(tmp_path: Path, migrated: Path) -> Path:
    path = tmp_path / "proc.db"
    shutil.copyfile(migrated, path)
    return path


def _request(url: str, body: dict | None = None, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read() or b"{}")


def _wait_healthy(base: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            _request(f"{base}/health")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("tradedeck run never answered /health")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_stops_on_one_signal_and_keeps_orders(
    tmp_path: Path, migrated: Path, signum: int
) -> None:
    db_path = _database(tmp_path, migrated)
    env = {
        **os.environ,
        **app_overrides(tmp_path, DATABASE_URL=f"sqlite:///{db_path}", REDIS_URL="", **FAST_SEED),
    }
    env.pop("REDIS_URL")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("tradedeck")), "run", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_healthy(base, process)
        login = _request(f"{base}/api/v1/auth/login", {"username": "demo", "password": "demo123"})
        order = _request(
            f"{base}/api/v1/orders",
            {"symbol": "ACME", "side": "buy", "quantity": "1"},
            token=login["access_token"],
        )
        order_id = order.get("order", order)["id"]
        started = time.monotonic()
        process.send_signal(signum)
        process.wait(timeout=STOP_WITHIN)
        elapsed = time.monotonic() - started
        assert process.returncode == 0, process.stdout.read() if process.stdout else ""
        assert elapsed < STOP_WITHIN
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT id FROM orders WHERE id = ?", (order_id,)).fetchone()


def _start(
    tmp_path: Path, migrated: Path, args: list[str], extra_env: dict[str, str]
) -> subprocess.Popen:
    db_path = _database(tmp_path, migrated)
    env = {**os.environ, **app_overrides(tmp_path, DATABASE_URL=f"sqlite:///{db_path}")}
    env.pop("REDIS_URL")
    env.update(extra_env)
    return subprocess.Popen(
        args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _stop_with_sigterm(process: subprocess.Popen, settle: float) -> float:
    """Let the process settle, SIGTERM it once, and return how long it took to exit 0."""
    try:
        time.sleep(settle)
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=STOP_WITHIN)
        elapsed = time.monotonic() - started
        assert process.returncode == 0, process.stdout.read() if process.stdout else ""
        return elapsed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _handles_sigterm(pid: int) -> bool:
    """Linux: the process has installed its own SIGTERM handler (the consumer is running)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


@pytest.mark.skipif(
    not Path("/proc/self/status").exists(),
    reason="waits for the worker's SIGTERM handler through Linux /proc",
)
def test_worker_stops_on_one_sigterm(tmp_path: Path, migrated: Path) -> None:
    worker = _start(
        tmp_path, migrated, [str(Path(sys.executable).with_name("tradedeck")), "worker"], {}
    )
    deadline = time.monotonic() + 30
    while worker.poll() is None and not _handles_sigterm(worker.pid):
        assert time.monotonic() < deadline, "the worker never started its consumer"
        time.sleep(0.1)
    assert _stop_with_sigterm(worker, settle=0.5) < STOP_WITHIN


def test_gunicorn_stops_on_one_sigterm(tmp_path: Path, migrated: Path) -> None:
    port = free_port()
    gunicorn = _start(
        tmp_path,
        migrated,
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "python:tradedeck.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        {"TRADEDECK_ENV": "development"},
    )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", gunicorn)
    finally:
        assert _stop_with_sigterm(gunicorn, settle=0) < STOP_WITHIN
