"""The bell's feed on the stream server: `GET /api/v1/notifications/stream`.

Same events as the web app's route (`alerts.stream`): `retry`, a `notification` event (with
the user's `unread` count) for each notification after `after` (the catch-up of a reconnect;
default: from now), keep-alive comments, `end` with the last id after a few minutes. Instead
of one query per open stream and second, one poller per process reads the notifications
written since its last look for the users connected here and hands each to that user's
streams.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request
from flask_login import current_user
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from tradedeck.alerts import services
from tradedeck.alerts.models import Notification
from tradedeck.alerts.schemas import NotificationStreamQuery
from tradedeck.alerts.stream import MAX_KEY, POLL_KEY, as_json
from tradedeck.extensions import db
from tradedeck.streaming.auth import authorised
from tradedeck.streaming.hub import Hub

log = logging.getLogger(__name__)
NOTIFY_PATH = "/api/v1/notifications/stream"
FETCH_LIMIT = 1_000


@dataclass(frozen=True)
class OpenedFeed:
    user: str
    after: int
    catch_up: list[dict[str, Any]]


def open_feed(
    app: Flask, query_string: bytes, headers: list[tuple[str, str]], client: str | None
) -> OpenedFeed | Response:
    """Authenticate and validate like the web app's notification stream."""
    return authorised(app, NOTIFY_PATH, (query_string, headers, client), _feed)


def _feed() -> OpenedFeed:
    query = NotificationStreamQuery.model_validate(request.args.to_dict())
    user_id = int(current_user.id)
    after = query.after if query.after is not None else services.latest_id(user_id)
    items = _since(user_id, after)
    return OpenedFeed(str(user_id), items[-1]["id"] if items else after, items)


def _since(user_id: int, after: int) -> list[dict[str, Any]]:
    """The user's notifications after `after`, oldest first, each with the unread count."""
    fresh = services.notifications(user_id, 20, after)
    unread = services.unread_count(user_id) if fresh else 0
    return [as_json(n) | {"unread": unread} for n in reversed(fresh)]


def since(app: Flask, user: str, after: int) -> list[dict[str, Any]]:
    """The catch-up read again once the stream has joined the hub: a notification written
    between the open and the join was neither in the first catch-up nor sent to this stream."""
    with app.app_context():
        try:
            return _since(int(user), after)
        finally:
            db.session.remove()


class UserHub(Hub):
    """A Hub whose items go to one user's streams."""

    def __init__(self) -> None:
        super().__init__()
        self._by_user: dict[str, set[asyncio.Queue[Any]]] = defaultdict(set)

    @property
    def users(self) -> list[int]:
        return [int(u) for u, queues in self._by_user.items() if queues]

    def join_user(self, user: str) -> asyncio.Queue[Any]:
        queue = self.join()
        self._by_user[user].add(queue)
        return queue

    def leave_user(self, user: str, queue: asyncio.Queue[Any]) -> None:
        self.leave(queue)
        self._by_user[user].discard(queue)
        if not self._by_user[user]:
            del self._by_user[user]

    def send(self, user: str, item: dict[str, Any]) -> None:
        for queue in list(self._by_user.get(user, ())):
            try:
                queue.put_nowait(item)
            except asyncio.QueueFull:  # far behind: it reconnects and catches up with ?after=
                self.dropped += 1
                self.leave_user(user, queue)


def fetch_new(app: Flask, last_id: int | None, users: list[int]) -> tuple[int, list[tuple]]:
    """Notifications after `last_id` as (user, event data) and the new last id; with nobody
    connected only the last id moves. Rows are read for every user, not only `users`: a stream
    that joins while this read runs still gets its rows (sent if it has joined by then, else in
    its own catch-up after joining)."""
    with app.app_context():
        try:
            top = db.session.scalar(select(func.max(Notification.id))) or 0
            if last_id is None or not users:
                return top, []
            rows = list(
                db.session.scalars(
                    select(Notification)
                    .where(Notification.id > last_id, Notification.id <= top)
                    .order_by(Notification.id)
                    .limit(FETCH_LIMIT)
                )
            )
            if len(rows) == FETCH_LIMIT:  # more to come: continue after the last one read
                top = rows[-1].id
            unread = {u: services.unread_count(u) for u in {r.user_id for r in rows}}
            return top, [(str(r.user_id), as_json(r) | {"unread": unread[r.user_id]}) for r in rows]
        finally:
            db.session.remove()


async def poll_notifications(app: Flask, hub: UserHub) -> None:
    """The process's one notification poller (every ALERTS_STREAM_POLL_SECS)."""
    poll = float(app.config.get(POLL_KEY, 1.0))
    last_id: int | None = None
    while True:
        try:
            last_id, items = await run_in_threadpool(fetch_new, app, last_id, hub.users)
            for user, item in items:
                hub.send(user, item)
        except asyncio.CancelledError:
            raise
        except Exception:  # database away: keep the streams, try again next poll
            log.exception("notification poll failed")
        await asyncio.sleep(poll)


def max_secs(app: Flask) -> float:
    return float(app.config.get(MAX_KEY, 300))
