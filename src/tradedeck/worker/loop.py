"""The service loop: sub-minute periodic work (heartbeat, price ticks, market clock).

huey's periodic tasks have one-minute granularity; ticks every 2 s need their own loop. Each
task runs inside an app context; one failing task is logged and retried next time, never
stopping the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

from tradedeck.extensions import db

log = logging.getLogger(__name__)
LOOP_KEY = "tradedeck.loop_tasks"


@dataclass
class LoopTask:
    name: str
    interval_secs: float
    run: Callable[[], None]
    next_due: float = field(default=0.0)


def register_loop_task(
    app: Flask, name: str, interval_secs: float, run: Callable[[], None]
) -> None:
    """Features add their fast periodic work here at app creation."""
    app.extensions.setdefault(LOOP_KEY, []).append(LoopTask(name, interval_secs, run))


class ServiceLoop:
    """Runs the registered loop tasks on their intervals until stopped."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.tasks: list[LoopTask] = list(app.extensions.get(LOOP_KEY, []))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self, now: float) -> None:
        for task in self.tasks:
            if now < task.next_due:
                continue
            task.next_due = now + task.interval_secs
            with self.app.app_context():
                try:
                    task.run()
                except Exception:
                    log.exception("loop task %s failed", task.name)
                    db.session.rollback()

    def run_forever(self) -> None:
        log.info("service loop started: %s", ", ".join(t.name for t in self.tasks))
        while not self._stop.is_set():
            self.run_due(time.monotonic())
            due = min((t.next_due for t in self.tasks), default=time.monotonic() + 1)
            self._stop.wait(max(0.05, due - time.monotonic()))

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="service-loop", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
