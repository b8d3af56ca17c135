"""A deactivated user loses the TradingView access TradeDeck granted them.

admin and tradingview are both top-level features, so neither imports the other: admin sends
the named signal `admin.user_deactivated` (`fn(user)`) after the deactivation commits, and
`init_tradingview` connects `on_user_deactivated` to it by that name. The receiver only
touches the local database, so TradingView being down never fails or slows a deactivation:
it ends the user's grants (expiry set to now, so the worker's expiry pass removes them even
if the queued job is lost) and queues `tradingview.revoke_user`. The job removes each ended
grant on TradingView through `services.remove` (one op-log and audit row per script, failed
attempts too) and raises while any removal failed, so the queue retries it with backoff.
Reactivating the user grants nothing back.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context
from flask_login import current_user
from sqlalchemy import select

from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db, events
from tradedeck.tradingview import errors, oplog, services
from tradedeck.tradingview.models import AccessGrant

SIGNAL = "admin.user_deactivated"
user_deactivated = events.signal(SIGNAL)
TASK_KEY = "tradingview.revoke_task"
RETRIES = 8
RETRY_DELAY_SECS = 30
RETRY_BACKOFF = 2.0
"""Retries at 30 s, 1 min, 2 min … (about 2 hours in all); the expiry pass is the backstop."""

log = logging.getLogger(__name__)


class RevokeIncomplete(errors.TradingViewError):
    """Some grants are still listed on TradingView: raised so the queue retries the job."""


def _actor() -> Any:
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return "cli" if not has_request_context() else oplog.WORKER


def end_grants(user_id: int, now: datetime) -> int:
    """End the user's grants locally (expiry = now) and log it; returns how many."""
    grants = list(db.session.scalars(select(AccessGrant).where(AccessGrant.user_id == user_id)))
    if not grants:
        return 0
    for grant in grants:
        if grant.expires_at is None or grant.expires_at > now:
            grant.expires_at = now
    names = sorted({grant.tv_username for grant in grants})
    oplog.log(
        _actor(),
        "deactivate",
        result="queued",
        user_id=user_id,
        tv_username=", ".join(names),
        answer=f"user deactivated: {len(grants)} grant(s) ended, removal on TradingView queued",
        expires_at=now,
    )
    db.session.commit()
    return len(grants)


def on_user_deactivated(user: Any, **_: Any) -> None:
    """End the grants and queue their removal; never raises into the deactivation."""
    user_id, now = int(user.id), utcnow()
    try:
        if not end_grants(user_id, now):
            return
    except Exception:
        log.exception("ending TradingView grants of deactivated user %s failed", user_id)
        db.session.rollback()
        return
    try:
        current_app.extensions[TASK_KEY](user_id, now)
    except Exception:  # the queue is down: the expiry pass still removes the ended grants
        log.exception("queueing TradingView revocation of user %s failed", user_id)


def revoke_user(user_id: int, ended_at: datetime) -> int:
    """Remove on TradingView every grant of `user_id` ended at `ended_at` or before (a grant
    given again after a reactivation has a later expiry and stays); returns how many."""
    ids = list(
        db.session.scalars(
            select(AccessGrant.script_id).where(
                AccessGrant.user_id == user_id,
                AccessGrant.expires_at.is_not(None),
                AccessGrant.expires_at <= ended_at,
            )
        )
    )
    removed, failed = 0, []
    for script_id in ids:
        try:
            services.remove(None, user_id, script_id, action="revoke")
            removed += 1
        except DomainError as exc:  # logged as a failed `revoke` by services.remove
            db.session.rollback()
            failed.append(f"{script_id}: {exc.code}")
    if failed:
        raise RevokeIncomplete(
            f"{len(failed)} of {len(ids)} grants of user {user_id} are not removed yet.",
            answer="; ".join(failed),
        )
    return removed


def listen() -> None:
    """Connect the receiver (blinker keeps one connection however often an app is made)."""
    user_deactivated.connect(on_user_deactivated)
