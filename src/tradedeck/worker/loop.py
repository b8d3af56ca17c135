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
from dataclasses import dataclass, field, replace
from pathlib import Path

from flask import Flask

from tradedeck.extensions import db
from tradedeck.market.lock import EngineLock, named_lock

log = logging.getLogger(__name__)
LOOP_KEY = "tradedeck.loop_tasks"


@dataclass
class LoopTask:
    name: str
    interval_secs: float
    run: Callable[[], None]
    singleton: bool = False
    next_due: float = field(default=0.0)


def register_loop_task(
    app: Flask,
    name: str,
    interval_secs: float,
    run: Callable[[], None],
    singleton: bool = False,
) -> None:
    """Features add their fast periodic work here at app creation.

    `singleton=True`: the task runs in one process of the whole deployment at a time, under a
    named lock (see `market.lock`) retried every interval, so another process takes over
    within one interval when the holder dies.
    """
    app.extensions.setdefault(LOOP_KEY, []).append(LoopTask(name, interval_secs, run, singleton))


class ServiceLoop:
    """Runs the registered loop tasks on their intervals until stopped."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        # Own copies: each loop keeps its own schedule even when loops share one app.
        self.tasks: list[LoopTask] = [replace(t) for t in app.extensions.get(LOOP_KEY, [])]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._locks: dict[str, EngineLock] = {}

    def holds(self, task: LoopTask) -> bool:
        """Singleton tasks run only while this loop holds their lock (call in an app context)."""
        if not task.singleton:
            return True
        lock = self._locks.get(task.name)
        if lock is None:
            lock = named_lock(db.engine, Path(self.app.instance_path), task.name)
            self._locks[task.name] = lock
        return lock.acquire()

    def release_locks(self) -> None:
        """Hand singleton tasks to another process now instead of when this one exits."""
        for lock in self._locks.values():
            lock.release()
        self._locks.clear()

    def run_due(self, now: float) -> None:
        for task in self.tasks:
            if now < task.next_due:
                continue
            task.next_due = now + task.interval_secs
            with self.app.app_context():
                try:
                    if self.holds(task):
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
        with self.app.app_context():
            self.release_locks()
