"""Singleton loop tasks run in exactly one service loop of the deployment, with failover."""

from flask import Flask

from tradedeck.worker.loop import ServiceLoop, register_loop_task


def test_singleton_task_runs_in_one_loop_and_fails_over(app: Flask) -> None:
    calls: list[str] = []
    register_loop_task(app, "test.single", 1, lambda: calls.append("single"), singleton=True)
    register_loop_task(app, "test.everywhere", 1, lambda: calls.append("everywhere"))
    first, second = ServiceLoop(app), ServiceLoop(app)
    try:
        first.run_due(100.0)
        second.run_due(100.0)
        assert calls.count("single") == 1
        assert calls.count("everywhere") == 2

        with app.app_context():
            first.release_locks()  # the holder stops (or dies): the other takes over next interval
        calls.clear()
        second.run_due(101.0)
        first.run_due(101.0)
        assert calls.count("single") == 1
        assert calls.count("everywhere") == 2
    finally:
        with app.app_context():
            first.release_locks()
            second.release_locks()
