"""`/metrics`: who may read it, what it counts, and sums over processes (multiprocess mode)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import requests
from flask import Flask
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import api_login, app_overrides, create_user, free_port, make_app
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, LastPrice, Venue
from tradedeck.trading import ledger
from tradedeck.worker.queue import get_huey


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _market(app: Flask) -> None:
    """A 24/7 simulated venue with ACME at 100 and an old tick (the engine is stopped)."""
    with app.app_context():
        venue = Venue(code="SIM", name="Sim", kind="simulated", timezone="UTC", always_open=True)
        acme = Instrument(venue=venue, symbol="ACME", name="Acme", tick_size=Decimal("0.01"))
        db.session.add_all([venue, acme])
        db.session.flush()
        old = utcnow().replace(microsecond=0)
        db.session.add(LastPrice(instrument_id=acme.id, price=Decimal(100), updated_at=old))
        db.session.commit()


def test_metrics_count_requests_orders_fills_and_read_the_cluster(tmp_path: Path) -> None:
    app = make_app(tmp_path, ORDER_RATE_LIMIT="1000/minute")
    get_huey(app).flush()  # with Redis the queue is shared with earlier tests
    _market(app)
    user = create_user(app)
    with app.app_context():
        ledger.deposit(user.id, "10000")
    client = app.test_client()
    token = api_login(client)
    fills = REGISTRY.get_sample_value("tradedeck_fills_total") or 0
    auth = {"Authorization": f"Bearer {token}"}
    market = client.post(
        "/api/v1/orders", json={"symbol": "ACME", "side": "buy", "quantity": "2"}, headers=auth
    )
    assert market.status_code == 201, market.get_json()
    limit = {"symbol": "ACME", "side": "buy", "type": "limit", "quantity": "1", "limit_price": "50"}
    assert client.post("/api/v1/orders", json=limit, headers=auth).status_code == 201
    assert client.post("/api/v1/orders", json={"symbol": "ACME"}, headers=auth).status_code == 400

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and response.headers["Cache-Control"] == "no-store"
    samples = _samples(response.get_data(as_text=True))
    assert REGISTRY.get_sample_value("tradedeck_fills_total") == fills + 1
    orders = ("tradedeck_order_requests_total", "trading_api.place_order")
    assert samples[(orders[0], (("endpoint", orders[1]), ("status", "201")))] >= 2
    assert samples[(orders[0], (("endpoint", orders[1]), ("status", "400")))] >= 1
    latency = "tradedeck_http_request_duration_seconds_count"
    key = (
        latency,
        (("endpoint", "trading_api.place_order"), ("method", "POST"), ("status", "201")),
    )
    assert samples[key] >= 2
    assert samples[("tradedeck_orders_working", (("status", "open"),))] == 1
    assert samples[("tradedeck_orders_working", (("status", "queued"),))] == 0
    assert samples[("tradedeck_job_queue_depth", ())] == 0
    assert 0 <= samples[("tradedeck_engine_tick_lag_seconds", ())] < 60


def test_metrics_are_for_local_or_token_holders_only(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=remote).status_code == 403
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403  # nginx on loopback forwarding a stranger
    assert "METRICS_TOKEN" in proxied.get_data(as_text=True)

    guarded = make_app(tmp_path / "token", METRICS_TOKEN="scrape-me-0123456789").test_client()
    assert guarded.get("/metrics").status_code == 403  # local is not enough once a token is set
    wrong = {"Authorization": "Bearer nope"}
    assert guarded.get("/metrics", headers=wrong, environ_base=remote).status_code == 403
    right = {"Authorization": "Bearer scrape-me-0123456789"}
    assert guarded.get("/metrics", headers=right, environ_base=remote).status_code == 200


def test_gunicorn_workers_share_their_counts(tmp_path: Path) -> None:
    """Workers that each answer 10 requests and are replaced (`--max-requests`) counted 40
    between them: a scrape of any worker sees all 40, the finished ones' included."""
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    env = {
        **os.environ,
        **app_overrides(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    env.pop("REDIS_URL")
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "tradedeck", "db", "upgrade"], cwd=tmp_path, env=env, check=True)
    server = subprocess.Popen(
        [
            bin_dir / "gunicorn",
            "-c",
            "python:tradedeck.gunicorn_conf",
            "-w",
            "2",
            "--max-requests",
            "10",
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/health", timeout=30)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        for _ in range(40):
            assert requests.get(f"{base}/login", timeout=30).status_code == 200
        key = (
            "tradedeck_http_request_duration_seconds_count",
            (("endpoint", "accounts.login"), ("method", "GET"), ("status", "200")),
        )
        counts = {_samples(requests.get(f"{base}/metrics", timeout=30).text)[key] for _ in range(6)}
        assert counts == {40.0}
        assert len(list(metrics_dir.glob("histogram_*.db"))) >= 4  # >= 4 processes counted
    finally:
        server.terminate()
        server.wait(timeout=15)
