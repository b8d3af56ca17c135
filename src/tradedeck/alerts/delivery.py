"""Delivering queued notifications through apprise, with retries, quiet hours and rate limits.

`deliver_due` is a singleton loop task. A delivery is attempted when due; in the channel's
quiet hours it waits for their end, past the channel's hourly limit it waits until the oldest
message of the last hour leaves the window. A failed attempt is retried after
ALERT_RETRY_SECS, doubling each time, and after ALERT_MAX_ATTEMPTS it is logged `failed`
with apprise's error: nothing is dropped silently, the row stays in the delivery log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import apprise
from flask import current_app
from sqlalchemy import func, select

from tradedeck.alerts.models import Channel, Delivery
from tradedeck.extensions import db

log = logging.getLogger(__name__)
BATCH = 100
HOUR = timedelta(hours=1)
APP_ID = "TradeDeck"


@dataclass(frozen=True)
class SendResult:
    ok: bool
    error: str


def send(url: str, title: str, body: str) -> SendResult:
    """One message to one apprise URL; apprise's warnings become the error text."""
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(app_id=APP_ID))
    if not notifier.add(url):
        return SendResult(False, "apprise does not understand this URL")
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = bool(notifier.notify(title=title, body=body or title))
        text = captured.getvalue() if hasattr(captured, "getvalue") else ""
    return SendResult(ok, "" if ok else (text.strip().splitlines() or ["delivery failed"])[-1])


def in_quiet_hours(channel: Channel, now: datetime) -> datetime | None:
    """The end of the quiet period holding `now` (UTC), or None outside quiet hours."""
    start, end = channel.quiet_start, channel.quiet_end
    if start is None or end is None or start == end:
        return None
    minute = now.hour * 60 + now.minute
    quiet = start <= minute < end if start < end else minute >= start or minute < end
    if not quiet:
        return None
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    until = midnight + timedelta(minutes=end)
    return until if until > now else until + timedelta(days=1)


def _rate_limited(channel: Channel, now: datetime) -> datetime | None:
    """When the channel may send again, or None when under its hourly limit."""
    since = now - HOUR
    sent = db.session.scalars(
        select(Delivery.sent_at)
        .where(Delivery.channel_id == channel.id, Delivery.sent_at > since)
        .order_by(Delivery.sent_at)
    ).all()
    if len(sent) < channel.max_per_hour:
        return None
    return sent[len(sent) - channel.max_per_hour] + HOUR


def _attempt(delivery: Delivery, now: datetime, max_attempts: int, retry_secs: float) -> None:
    channel = delivery.channel
    wait = in_quiet_hours(channel, now) or _rate_limited(channel, now)
    if wait is not None:
        delivery.next_attempt_at = wait
        return
    note = delivery.notification
    result = send(channel.url, note.title, _body(note.body, note.url))
    delivery.attempts += 1
    if result.ok:
        delivery.status = "sent"
        delivery.sent_at = now
        delivery.last_error = ""
        return
    delivery.last_error = result.error[:500]
    if delivery.attempts >= max_attempts:
        delivery.status = "failed"
        log.warning("delivery %s to channel %s failed: %s", delivery.id, channel.id, result.error)
        return
    delivery.next_attempt_at = now + timedelta(seconds=retry_secs * 2 ** (delivery.attempts - 1))


def _body(body: str, url: str) -> str:
    base = current_app.config["TRADEDECK"].public_base_url
    link = f"{base}{url}" if url and base else url
    return f"{body}\n{link}".strip()


def deliver_due(now: datetime | None = None) -> int:
    """Loop task: attempt the due pending deliveries (oldest first); returns attempts made."""
    config = current_app.config["TRADEDECK"]
    now = now or datetime.now(UTC)
    due = db.session.scalars(
        select(Delivery)
        .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(BATCH)
    ).all()
    for delivery in due:
        _attempt(delivery, now, config.alert_max_attempts, config.alert_retry_secs)
        db.session.commit()  # each outcome is recorded before the next (slow) send
    return len(due)


def pending_count() -> int:
    return (
        db.session.scalar(select(func.count(Delivery.id)).where(Delivery.status == "pending")) or 0
    )
