"""Queue health for the dashboard: huey's pending and scheduled counts, and failed jobs.

huey keeps no record of failures, so a SIGNAL_ERROR handler appends each one (task name,
time, error) to a list in huey's own key-value storage (the SQLite file or Redis the queue
already uses), where every web process can read it. The list keeps the last MAX_FAILURES
and a running total; two processes failing in the same instant may lose one entry of the
list, never the queue's work.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from huey import Huey
from huey.signals import SIGNAL_ERROR

from tradedeck.database import utcnow
from tradedeck.worker.queue import get_huey

FAILURES_KEY = "tradedeck:admin:failed_jobs"
MAX_FAILURES = 50
_lock = threading.Lock()


def record_failure(huey: Huey, task_name: str, error: BaseException | str) -> None:
    """Remember one failed job in the queue's storage."""
    with _lock:
        state = huey.get(FAILURES_KEY, peek=True) or {"total": 0, "recent": []}
        entry = {"task": task_name, "at": utcnow().isoformat(), "error": str(error)[:300]}
        state = {"total": state["total"] + 1, "recent": [entry, *state["recent"]][:MAX_FAILURES]}
        huey.put(FAILURES_KEY, state)


def install_failure_log(app: Flask) -> None:
    """Count every failing job of this app's queue (registered once per app)."""
    huey = get_huey(app)

    @huey.signal(SIGNAL_ERROR)
    def _failed(_signal: str, task: Any, exc: BaseException | None = None) -> None:
        record_failure(huey, task.name, exc or "failed")


def queue_stats(huey: Huey) -> dict[str, Any]:
    """Pending and scheduled jobs and the failure log; None figures when the queue is down."""
    try:
        failures = huey.get(FAILURES_KEY, peek=True) or {"total": 0, "recent": []}
        return {
            "ok": True,
            "pending": huey.pending_count(),
            "scheduled": huey.scheduled_count(),
            "failed": failures["total"],
            "recent_failures": failures["recent"][:5],
        }
    except Exception as exc:  # queue storage unreachable (Redis down): report it, keep serving
        return {
            "ok": False,
            "error": type(exc).__name__,
            "pending": None,
            "scheduled": None,
            "failed": None,
            "recent_failures": [],
        }
