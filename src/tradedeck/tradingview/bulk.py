"""Bulk grant/remove of N users by M scripts as one queued job.

Items run on a small thread pool (TRADINGVIEW_BULK_CONCURRENCY calls at once), each in its
own app context and database session. A circuit breaker stops the job after
TRADINGVIEW_BREAKER_FAILURES consecutive failures, and at once on a dead session, an edge
block or a rate limit that outlasts the retries: the remaining items are reported as
skipped instead of hammering TradingView. The report lists every item with its result.
"""

from __future__ import annotations

import itertools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app

from tradedeck.accounts.models import User
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.tradingview import errors, oplog, services, session
from tradedeck.tradingview.durations import check_duration
from tradedeck.tradingview.models import BulkJob

MAX_ITEMS = 2000
ACTIONS = ("grant", "remove")
FATAL = (errors.SessionExpired, errors.SessionMissing, errors.EdgeBlocked, errors.RateLimited)
TASK_KEY = "tradingview.bulk_task"
log = logging.getLogger(__name__)


class Breaker:
    """Opens after `limit` consecutive failures, or at once on a fatal one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.failures = 0
        self.reason = ""
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        return bool(self.reason)

    def success(self) -> None:
        with self._lock:
            self.failures = 0

    def failure(self, exc: DomainError) -> None:
        with self._lock:
            self.failures += 1
            if isinstance(exc, FATAL):
                self.reason = self.reason or f"{exc.code}: {exc.message}"
            elif self.failures >= self.limit and not self.reason:
                self.reason = f"{self.failures} failures in a row (last: {exc.message})"


def create_job(
    actor: Any, action: str, user_ids: list[int], script_ids: list[int], duration: str
) -> BulkJob:
    if action not in ACTIONS:
        raise DomainError("Action must be grant or remove.", field="action")
    if action == "grant":
        check_duration(duration)
    users, scripts = sorted(set(user_ids)), sorted(set(script_ids))
    if not users:
        raise DomainError("Pick at least one user.", field="user_ids")
    if not scripts:
        raise DomainError("Pick at least one script.", field="script_ids")
    if len(users) * len(scripts) > MAX_ITEMS:
        raise DomainError(f"At most {MAX_ITEMS} user-script pairs per job.", field="user_ids")
    for script_id in scripts:
        services.get_script(script_id)
    session.active_client()  # no session: refuse now rather than fail every item
    job = BulkJob(
        actor_id=None if isinstance(actor, str) else actor.id,
        actor=oplog.actor_name(actor),
        action=action,
        duration=duration if action == "grant" else "",
        user_ids=users,
        script_ids=scripts,
    )
    db.session.add(job)
    db.session.commit()
    current_app.extensions[TASK_KEY](job.id)
    db.session.refresh(job)  # an immediate queue (tests, dev) has run it in another session
    return job


def run_job(app: Flask, job_id: int) -> BulkJob:
    """Run every item; called by the queue inside an app context."""
    job = db.session.get(BulkJob, job_id)
    if job is None or job.status != "queued":
        raise DomainError("No queued job with that id.", code="not_found", status=404)
    job.status = "running"
    db.session.commit()
    config = app.config["TRADEDECK"]
    breaker = Breaker(config.tradingview_breaker_failures)
    items = list(itertools.product(job.user_ids, job.script_ids))
    action, duration = job.action, job.duration
    actor_id, actor_name = job.actor_id, job.actor

    def run_item(item: tuple[int, int]) -> dict[str, Any]:
        user_id, script_id = item
        entry: dict[str, Any] = {"user_id": user_id, "script_id": script_id}
        if breaker.open:
            return entry | {"result": "skipped", "detail": "circuit breaker open"}
        with app.app_context():  # its own session and HTTP client: neither is thread-safe
            actor = _actor(actor_id, actor_name)
            try:
                if action == "grant":
                    outcome = services.grant(actor, user_id, script_id, duration, job_id=job_id)
                else:
                    outcome = services.remove(actor, user_id, script_id, job_id=job_id)
            except DomainError as exc:
                breaker.failure(exc)
                db.session.rollback()
                return entry | {"result": "failed", "detail": f"{exc.code}: {exc.message}"}
            except Exception as exc:  # a bug or the database: report it, keep the job honest
                log.exception("bulk job %s item %s failed", job_id, item)
                db.session.rollback()
                breaker.failure(DomainError(f"internal error: {type(exc).__name__}"))
                return entry | {"result": "failed", "detail": f"internal error: {exc}"}
            breaker.success()
            return entry | outcome.model_dump(mode="json") | {"detail": outcome.answer}

    with ThreadPoolExecutor(max_workers=config.tradingview_bulk_concurrency) as pool:
        report = list(pool.map(run_item, items))
    job = db.session.get(BulkJob, job_id)
    assert job is not None
    job.report = report
    job.status = "stopped" if breaker.open else "done"
    job.stopped_reason = breaker.reason[:300]
    db.session.commit()
    return job


def _actor(actor_id: int | None, name: str) -> Any:
    return db.session.get(User, actor_id) if actor_id else name
