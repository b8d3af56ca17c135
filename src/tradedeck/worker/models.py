"""Worker liveness rows, read by /health."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tradedeck.database import TimestampMixin, UTCDateTime
from tradedeck.extensions import db


class WorkerHeartbeat(TimestampMixin, db.Model):
    """One row per worker process (`host:pid`), refreshed every few seconds."""

    __tablename__ = "worker_heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(128), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
