"""Candle backfill and gap repair as huey jobs, with progress the admin page polls.

- *repair* fills every gap of one interval (`candles_stats.find_gaps`). A simulated
  instrument gets simulated candles for exactly the missing buckets, from the same GBM
  history generator the seed uses (`market.history.simulate_history`), ending at the open of
  the candle after the gap (the last price for a trailing gap), so the series joins without a
  jump; other venues have the missing ranges fetched from their provider.
- *backfill* makes the interval reach `days` back: simulated history before the first
  candle (ending at its open), or `market.store.ensure_range` (only what was never fetched).

Existing candles are never overwritten. Progress (state, done/total steps, message) lives in
huey's key-value storage under the job id, so any web process can show it; each step commits
on its own, so a failed job keeps the steps it finished. CSV instruments are imported, not
fetched or simulated: jobs on them are refused.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import Any

from flask import Flask, current_app
from huey import Huey
from pydantic import BaseModel, ConfigDict, computed_field
from sqlalchemy import select

from tradedeck.admin import candles_stats
from tradedeck.audit import services as audit
from tradedeck.core.candles import OHLCV, interval_seconds, resample
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market import history, store
from tradedeck.market.models import Candle, Instrument
from tradedeck.market.providers.base import epoch_seconds, from_epoch
from tradedeck.market.sources import shared_provider
from tradedeck.worker.queue import get_huey

log = logging.getLogger(__name__)
JOB_KEY = "tradedeck:admin:candles-job:"
LATEST_KEY = "tradedeck:admin:candles-latest:"
TASK_KEY = "tradedeck.admin.candles_task"
KINDS = ("repair", "backfill")
MAX_BACKFILL_DAYS = 365
DAY = 86_400


class Job(BaseModel):
    """A job's state as stored in huey and answered by the API."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    instrument_id: int
    symbol: str
    interval: str
    days: int | None
    state: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    stored: int = 0
    message: str = ""
    created_at: str = ""
    finished_at: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    def updated(self, **changes: Any) -> Job:
        return self.model_copy(update=changes)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump()


def save(huey: Huey, job: Job) -> Job:
    huey.put(JOB_KEY + job.id, job.model_dump(exclude={"percent"}))
    return job


def load(huey: Huey, job_id: str) -> Job | None:
    data = huey.get(JOB_KEY + job_id, peek=True)
    return Job(**data) if data else None


def latest(huey: Huey, instrument_id: int) -> Job | None:
    job_id = huey.get(LATEST_KEY + str(instrument_id), peek=True)
    return load(huey, job_id) if job_id else None


def _days(value: object) -> int:
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or not 1 <= int(text) <= MAX_BACKFILL_DAYS:
        raise DomainError(
            f"days must be a whole number from 1 to {MAX_BACKFILL_DAYS}", field="days"
        )
    return int(text)


def start_job(instrument: Instrument, kind: object, interval: object, days: object = None) -> Job:
    """Validate, audit (committed) and enqueue one job; DomainError names a bad field."""
    if kind not in KINDS:
        raise DomainError("kind must be repair or backfill", field="kind")
    interval = candles_stats.parse_interval(interval)
    number = _days(days) if kind == "backfill" else None
    if instrument.venue.kind == "csv":
        raise DomainError(
            f"{instrument.symbol} is imported from CSV files: import the missing candles",
            field="id",
            code="not_fetchable",
            status=409,
        )
    huey = get_huey(current_app)
    running = latest(huey, instrument.id)
    if running is not None and not running.finished:
        raise DomainError(
            f"a {running.kind} of {instrument.symbol} {running.interval} is still running",
            field="id",
            code="busy",
            status=409,
        )
    job = Job(
        id=uuid.uuid4().hex,
        kind=str(kind),
        instrument_id=instrument.id,
        symbol=instrument.symbol,
        interval=interval,
        days=number,
        message="Waiting for a worker…",
        created_at=utcnow().isoformat(),
    )
    audit.record(
        f"candles.{kind}", instrument, None, {"interval": interval, "days": number, "job": job.id}
    )
    db.session.commit()
    save(huey, job)
    huey.put(LATEST_KEY + str(instrument.id), job.id)
    current_app.extensions[TASK_KEY](job.id)
    return load(huey, job.id) or job


def init_candle_jobs(app: Flask) -> None:
    """Register the job's huey task for this app (runs inside its app context)."""
    huey = get_huey(app)

    @huey.task(name="admin.candles_job")
    def candles_task(job_id: str) -> None:
        with app.app_context():
            run(huey, job_id)

    app.extensions[TASK_KEY] = candles_task


def run(huey: Huey, job_id: str) -> Job | None:
    job = load(huey, job_id)
    if job is None:
        return None
    job = save(huey, job.updated(state="running", message="Started"))
    try:
        instrument = db.session.get(Instrument, job.instrument_id)
        if instrument is None:
            raise DomainError("the instrument was deleted")
        if job.kind == "repair":
            job = _repair(huey, job, instrument)
        else:
            job = _backfill(huey, job, instrument)
    except Exception as exc:
        db.session.rollback()
        log.exception("candles job %s failed", job.id)
        message = exc.message if isinstance(exc, DomainError) else str(exc) or type(exc).__name__
        save(huey, job.updated(state="failed", message=message, finished_at=utcnow().isoformat()))
        raise
    return save(huey, job.updated(state="done", finished_at=utcnow().isoformat()))


def _open_after(instrument_id: int, interval: str, at: int) -> float | None:
    return db.session.scalar(
        select(Candle.open).where(
            Candle.instrument_id == instrument_id,
            Candle.interval == interval,
            Candle.open_time == at,
        )
    )


def _simulated(
    instrument: Instrument, interval: str, start: int, end: int, price: Decimal
) -> OHLCV:
    """Simulated `interval` candles for the buckets in [start, end), ending at `price`."""
    minutes = history.simulate_history(instrument, price, (end - start) / DAY, end)
    candles = minutes if interval == "1m" else resample(minutes, interval)
    return candles.take((candles.time >= start) & (candles.time < end))


def _store_missing(instrument_id: int, interval: str, candles: OHLCV, start: int, end: int) -> int:
    """Upsert only buckets of [start, end) that no stored candle holds (existing ones stay)."""
    have = set(
        db.session.scalars(
            select(Candle.open_time).where(
                Candle.instrument_id == instrument_id,
                Candle.interval == interval,
                Candle.open_time >= start,
                Candle.open_time < end,
            )
        )
    )
    mask = [int(t) not in have for t in candles.time.tolist()]
    fresh = candles.take(mask) if len(candles) else candles
    return store.upsert_candles(instrument_id, interval, fresh) if len(fresh) else 0


def _fill(instrument: Instrument, interval: str, start: int, end: int) -> int:
    """Fill [start, end) of one instrument's interval; returns candles stored (committed)."""
    if instrument.venue.kind == "simulated":
        anchor = _open_after(instrument.id, interval, end)
        price = Decimal(repr(anchor)) if anchor else store.last_price(instrument.id)
        if price is None:
            raise DomainError(f"{instrument.symbol} has no price to simulate from")
        candles = _simulated(instrument, interval, start, end, price)
    else:
        provider = shared_provider(instrument.venue.code, web=False)
        candles = provider.fetch_ohlcv(
            instrument.symbol, interval, from_epoch(start), from_epoch(end)
        )
    stored = _store_missing(instrument.id, interval, candles, start, end)
    db.session.commit()
    return stored


def _repair(huey: Huey, job: Job, instrument: Instrument) -> Job:
    gaps = candles_stats.find_gaps(instrument, job.interval)
    job = save(huey, job.updated(total=len(gaps), message=f"{len(gaps)} gaps to repair"))
    for n, gap in enumerate(gaps, 1):
        stored = _fill(instrument, job.interval, gap.start, gap.end)
        job = save(
            huey,
            job.updated(
                done=n,
                stored=job.stored + stored,
                message=f"Repaired gap {n} of {len(gaps)}",
            ),
        )
    return job.updated(message=f"{job.stored} candles stored in {len(gaps)} gaps")


def _backfill(huey: Huey, job: Job, instrument: Instrument) -> Job:
    seconds = interval_seconds(job.interval)
    now = epoch_seconds(utcnow())
    start = (now - (job.days or 1) * DAY) // seconds * seconds
    job = save(huey, job.updated(total=1, message=f"Backfilling {job.days} days"))
    if instrument.venue.kind == "simulated":
        first = candles_stats.summaries(instrument.id).get(job.interval, (0, None, None))[1]
        end = int(first) if first is not None else now // seconds * seconds
        stored = _fill(instrument, job.interval, start, end) if start < end else 0
    else:
        provider = shared_provider(instrument.venue.code, web=False)
        stored = store.ensure_range(instrument, job.interval, start, now, provider)
    return job.updated(done=1, stored=stored, message=f"{stored} candles stored")
