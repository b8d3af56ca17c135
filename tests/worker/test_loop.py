from datetime import datetime, timedelta

from flask import Flask

from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.worker import heartbeat
from tradedeck.worker.loop import ServiceLoop, register_loop_task
from tradedeck.worker.models import WorkerHeartbeat
from tradedeck.worker.queue import get_huey
from tradedeck.worker.runner import start_embedded


def test_loop_runs_due_tasks_and_survives_a_failing_one(app: Flask) -> None:
    calls: list[str] = []

    def boom() -> None:
        calls.append("boom")
        raise RuntimeError("task failure must not stop the loop")

    register_loop_task(app, "boom", 10, boom)
    register_loop_task(app, "fast", 1, lambda: calls.append("fast"))
    loop = ServiceLoop(app)
    loop.run_due(100.0)
    loop.run_due(100.5)
    loop.run_due(101.0)
    assert calls.count("boom") == 1
    assert calls.count("fast") == 2
    with app.app_context():
        assert db.session.query(WorkerHeartbeat).count() == 1


def test_heartbeat_status_and_prune(app: Flask) -> None:
    with app.app_context():
        heartbeat.beat(utcnow() - timedelta(minutes=5))
        status = heartbeat.heartbeat_status()
        assert status["ok"] is False and status["alive"] == 0
        heartbeat.beat()
        assert heartbeat.heartbeat_status()["ok"] is True
        assert heartbeat.prune(utcnow() + timedelta(days=2)) == 1
        assert heartbeat.heartbeat_status()["last_beat"] is None


def test_periodic_prune_job_runs_hourly_in_app_context(app: Flask) -> None:
    huey = get_huey(app)
    assert huey.read_periodic(datetime(2026, 1, 5, 10, 16)) == []
    due = huey.read_periodic(datetime(2026, 1, 5, 10, 17))
    assert [task.name for task in due] == ["prune_heartbeats"]
    with app.app_context():
        heartbeat.beat(utcnow() - timedelta(days=3))
    assert huey.execute(due[0]) == 1


def test_embedded_background_starts_and_stops(app: Flask) -> None:
    background = start_embedded(app, workers=1)
    try:
        for _ in range(50):
            with app.app_context():
                if heartbeat.heartbeat_status()["ok"]:
                    break
            background.loop._stop.wait(0.1)
        with app.app_context():
            assert heartbeat.heartbeat_status()["ok"] is True
    finally:
        background.stop()
