from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import app_overrides
from tradedeck import health
from tradedeck.app import create_app
from tradedeck.worker import heartbeat


def test_health_reports_database_and_missing_worker(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": False, "last_beat": None, "alive": 0}


def test_health_shows_worker_heartbeat(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        heartbeat.beat()
    worker = client.get("/health").get_json()["checks"]["worker"]
    assert worker["ok"] is True and worker["alive"] == 1


def test_health_is_503_when_database_unreachable(tmp_path: Path) -> None:
    overrides = app_overrides(
        tmp_path, DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    )
    app = create_app(overrides, instance_path=tmp_path / "instance")
    response = app.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False


def test_health_is_503_when_redis_unreachable_and_keeps_one_client(tmp_path: Path) -> None:
    overrides = app_overrides(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    app = create_app(overrides, instance_path=tmp_path / "instance")
    client = app.test_client()
    probes = []
    for _ in range(2):
        response = client.get("/health")
        assert response.status_code == 503
        assert response.get_json()["checks"]["redis"] == {"ok": False, "error": "ConnectionError"}
        probes.append(app.extensions[health.REDIS_KEY])
    assert probes[0] is probes[1]
