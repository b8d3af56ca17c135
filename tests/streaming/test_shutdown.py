"""`tradedeck stream`: fans out the Redis channel, and one SIGTERM ends every stream with
`end` (shutdown) and stops the process cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests

from tests.helpers import TEST_REDIS_URL, api_login, app_overrides, create_user, free_port, make_app
from tests.market.helpers import NOW, add_sim, close_app
from tests.streaming.helpers import Events
from tradedeck.market.engine import REDIS_CHANNEL

STOP_WITHIN = 10.0
pytestmark = pytest.mark.skipif(not TEST_REDIS_URL, reason="needs TEST_REDIS_URL (Redis)")


def _tick(instrument_id: int, price: str) -> dict:
    candle = {"time": NOW // 60 * 60, "open": 1.0, "high": 2.0, "low": 1.0, "close": 2.0}
    return {
        "instrument_id": instrument_id,
        "symbol": "ACME",
        "venue": "SIM",
        "price": price,
        "previous_close": None,
        "time": NOW + 7,
        "candles": {"1m": candle | {"volume": 30.0}},
    }


def test_stream_server_relays_redis_and_stops_on_one_sigterm(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'stream.db'}"
    app = make_app(tmp_path, DATABASE_URL=database, REDIS_URL=TEST_REDIS_URL)
    acme = add_sim(app, "ACME", days=0.1)
    create_user(app, "alice")
    token = api_login(app.test_client(), "alice")
    close_app(app)
    port = free_port()
    env = {
        **os.environ,
        **app_overrides(tmp_path, DATABASE_URL=database, REDIS_URL=TEST_REDIS_URL),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("tradedeck")), "stream", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "stream server never became healthy"
            time.sleep(0.2)
        response = requests.get(
            f"{base}/api/v1/stream?symbols=ACME",
            headers={"Authorization": f"Bearer {token}"},
            stream=True,
            timeout=10,
        )
        assert response.status_code == 200
        events = Events(response)
        events.until(bool)  # the snapshot tick
        publisher = redis.Redis.from_url(TEST_REDIS_URL)
        publisher.publish(REDIS_CHANNEL, json.dumps([_tick(acme, "123.45")]))
        publisher.close()
        seen = events.until(lambda e: any(d and d.get("price") == "123.45" for _, d in e))
        tick = next(d for kind, d in seen if kind == "tick" and d["price"] == "123.45")
        assert tick == {
            "symbol": "ACME", "venue": "SIM", "price": "123.45", "previous_close": None,
            "time": NOW + 7,
        }  # fmt: skip
        assert any(kind == "candle" and d["close"] == 2.0 for kind, d in seen)

        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        assert events.until(lambda e: e[-1][0] == "end")[-1] == ("end", {"reason": "shutdown"})
        server.wait(timeout=STOP_WITHIN)
        assert time.monotonic() - started < STOP_WITHIN
        assert server.returncode == 0, server.stdout.read() if server.stdout else ""
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_stream_command_needs_redis(tmp_path: Path) -> None:
    env = {**os.environ, **app_overrides(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")}
    env.pop("REDIS_URL")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("tradedeck")), "stream"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1 and "REDIS_URL is not set" in result.stderr
