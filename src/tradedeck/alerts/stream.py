"""The bell's live feed: new notifications of one user as Server-Sent Events.

Notifications are written by whichever process evaluated the rule (often the worker), so the
stream polls the user's newest notification id (one indexed query a second) instead of
listening in-process. Same shape and caps as the tick stream (`market.stream`): a slot per
stream (NOTIFY_STREAM_MAX_PER_USER / _PER_PROCESS, 429 beyond), a keep-alive comment each
poll, an `end` event after a few minutes (EventSource reconnects with `?after=` the last id
it saw).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from flask import Flask

from tradedeck.alerts import services
from tradedeck.alerts.models import Notification
from tradedeck.extensions import db
from tradedeck.market.stream import StreamSlots, sse

SLOTS_KEY = "tradedeck.notify_slots"
POLL_KEY = "ALERTS_STREAM_POLL_SECS"
MAX_KEY = "ALERTS_STREAM_MAX_SECS"


def notify_slots(app: Flask) -> StreamSlots:
    slots = app.extensions.get(SLOTS_KEY)
    if slots is None:
        slots = app.extensions.setdefault(SLOTS_KEY, StreamSlots())
    return slots


def as_json(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "read": n.read_at is not None,
        "created_at": n.created_at.isoformat(),
    }


def events(app: Flask, user_id: int, after: int, max_secs: float) -> Iterator[str]:
    """`notification` events (with the unread count) newer than `after`, then `end`."""
    poll = float(app.config.get(POLL_KEY, 1.0))
    deadline = time.monotonic() + max_secs
    yield "retry: 5000\n\n"
    while time.monotonic() < deadline:
        with app.app_context():
            fresh = services.notifications(user_id, 20, after)
            unread = services.unread_count(user_id) if fresh else 0
            payload = [as_json(n) for n in reversed(fresh)]
            db.session.remove()
        for item in payload:
            after = item["id"]
            yield sse("notification", item | {"unread": unread})
        if not payload:
            # A comment each poll: a client that left is noticed (and its slot freed) within
            # one poll instead of at the next notification.
            yield ":\n\n"
        time.sleep(min(poll, max(0.0, deadline - time.monotonic())))
    yield sse("end", {"reason": "timeout", "after": after})
