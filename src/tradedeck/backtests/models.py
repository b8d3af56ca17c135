"""Saved backtest runs: what was asked (instrument, range, strategy, settings) and what came out.

Results are simulation figures (floats), kept as JSON next to the request: the equity and
drawdown series, the closed trades, the statistics and the still-open trade. NaN and
infinities are stored as null, which JSON on PostgreSQL requires.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tradedeck.database import Money, TimestampMixin, UTCDateTime
from tradedeck.extensions import db

STATUSES = ("queued", "running", "done", "failed")


class BacktestJob(TimestampMixin):
    """What a run and an optimisation share: the user, the instrument, interval and range, the
    strategy, and the background job's status, progress and message."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    symbol: Mapped[str] = mapped_column(String(40))
    venue: Mapped[str] = mapped_column(String(16))
    interval: Mapped[str] = mapped_column(String(8))
    start_time: Mapped[int] = mapped_column(BigInteger)
    end_time: Mapped[int] = mapped_column(BigInteger)
    strategy: Mapped[str] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(300), default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


class BacktestRun(BacktestJob, db.Model):
    __tablename__ = "backtest_runs"
    __table_args__ = (Index("ix_backtest_runs_user_id_id", "user_id", "id"),)

    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    cash: Mapped[Decimal] = mapped_column(Money())
    bars: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    series: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    trades: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    open_trade: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class BacktestOptimisation(BacktestJob, db.Model):
    """A grid search (and walk-forward windows) run as a background job: the form as given
    (to show it again), the validated grid, and when done the ranked points, the heatmap and
    the windows as JSON."""

    __tablename__ = "backtest_optimisations"
    __table_args__ = (Index("ix_backtest_optimisations_user_id_id", "user_id", "id"),)

    metric: Mapped[str] = mapped_column(String(40))
    grid: Mapped[dict[str, Any]] = mapped_column(JSON)
    windows: Mapped[int] = mapped_column(Integer, default=0)
    train_fraction: Mapped[float] = mapped_column(Float, default=0.7)
    form: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
