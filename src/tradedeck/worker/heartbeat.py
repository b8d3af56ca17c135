"""Worker heartbeat: each worker process upserts its row; /health reports the freshest."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.worker.models import WorkerHeartbeat

HEARTBEAT_SECS = 5
STALE_AFTER = timedelta(seconds=60)
FORGET_AFTER = timedelta(days=1)
_STARTED_AT = utcnow()


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(now: datetime | None = None) -> None:
    now = now or utcnow()
    row = db.session.scalars(
        select(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == worker_id())
    ).first()
    if row is None:
        db.session.add(WorkerHeartbeat(worker_id=worker_id(), started_at=_STARTED_AT, beat_at=now))
    else:
        row.beat_at = now
    db.session.commit()


def prune(now: datetime | None = None) -> int:
    """Forget workers that have been silent for a day (periodic job)."""
    cutoff = (now or utcnow()) - FORGET_AFTER
    result = db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < cutoff))
    db.session.commit()
    return result.rowcount or 0


def heartbeat_status(now: datetime | None = None) -> dict[str, Any]:
    """Freshest heartbeat; a missing worker is reported, not fatal (the web still serves)."""
    now = now or utcnow()
    try:
        last = db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
        alive = db.session.scalar(
            select(func.count(WorkerHeartbeat.id)).where(
                WorkerHeartbeat.beat_at >= now - STALE_AFTER
            )
        )
    except Exception as exc:  # table missing before migrations, DB down: report, don't crash
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}
    if last is None:
        return {"ok": False, "last_beat": None, "alive": 0}
    age = (now - last).total_seconds()
    return {
        "ok": age <= STALE_AFTER.total_seconds(),
        "last_beat": last.isoformat(),
        "age_seconds": round(age, 1),
        "alive": alive or 0,
    }
