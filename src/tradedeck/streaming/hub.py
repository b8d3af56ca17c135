"""Fan-out: one tick subscription per process, one bounded queue per connected client.

Sources publish batches (the JSON of `TickEvent.to_json()` as the engine publishes them): the
Redis channel when REDIS_URL is set (any process may run the engine), else the in-process
`market.tick` signal (the engine runs in this process). Each batch is framed once per
distinct (instruments, interval) subscription, not once per client, so 2,000 charts of the
same symbol cost one encoding per tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from flask import Flask

from tradedeck.extensions import events
from tradedeck.market.engine import REDIS_CHANNEL, TICK_SIGNAL, TickEvent
from tradedeck.market.stream import batch_events

log = logging.getLogger(__name__)
CLIENT_QUEUE = 64  # batches a slow client may lag before it is dropped (it reconnects)
RECONNECT_SECS = (0.5, 1, 2, 5)


class Batch:
    """One published batch; its SSE text per subscription, framed on first use."""

    __slots__ = ("_framed", "ticks")

    def __init__(self, ticks: list[dict[str, Any]]) -> None:
        self.ticks = ticks
        self._framed: dict[tuple[frozenset[int], str], bytes] = {}

    def text_for(self, wanted: frozenset[int], interval: str) -> bytes:
        """The encoded SSE events of this batch for one subscription (b"" if none apply)."""
        key = (wanted, interval)
        text = self._framed.get(key)
        if text is None:
            events = "".join(batch_events(self.ticks, wanted, interval))
            text = self._framed[key] = events.encode()
        return text


SHUTDOWN = object()
"""Queued to every client when the server stops: the stream ends with `end` (shutdown)."""
HEARTBEAT = object()
"""Queued to every client every MARKET_SSE_HEARTBEAT_SECS: one timer for all streams instead
of a timeout per client and message (`asyncio.wait_for` cost more than the message)."""


class Hub:
    """The clients of this process and the batches they are waiting for."""

    def __init__(self) -> None:
        self._clients: set[asyncio.Queue[Any]] = set()
        self.closing = False
        self.dropped = 0

    @property
    def clients(self) -> int:
        return len(self._clients)

    def join(self) -> asyncio.Queue[Any]:
        queue: asyncio.Queue[Any] = asyncio.Queue(CLIENT_QUEUE)
        self._clients.add(queue)
        return queue

    def leave(self, queue: asyncio.Queue[Any]) -> None:
        self._clients.discard(queue)

    def publish(self, ticks: list[dict[str, Any]]) -> None:
        """Hand a batch to every client (on the event loop); a full queue drops the client."""
        batch = Batch(ticks)
        for queue in list(self._clients):
            try:
                queue.put_nowait(batch)
            except asyncio.QueueFull:
                self.dropped += 1
                self._clients.discard(queue)
                queue.get_nowait()
                queue.put_nowait(SHUTDOWN)

    def beat(self) -> None:
        """Wake every client for a heartbeat (and its time-limit check)."""
        for queue in list(self._clients):
            with contextlib.suppress(asyncio.QueueFull):  # it has a batch to send anyway
                queue.put_nowait(HEARTBEAT)

    def shutdown(self) -> None:
        """End every stream now (server stopping): clients reconnect to another server."""
        self.closing = True
        for queue in list(self._clients):
            with contextlib.suppress(asyncio.QueueEmpty):
                while queue.full():
                    queue.get_nowait()
            queue.put_nowait(SHUTDOWN)
        self._clients.clear()


Source = Callable[[Hub, asyncio.AbstractEventLoop], Awaitable[None]]


def redis_source(url: str) -> Source:
    """Subscribe to the engine's Redis channel; reconnect with backoff while Redis is away."""

    async def run(hub: Hub, _loop: asyncio.AbstractEventLoop) -> None:
        import redis.asyncio as aioredis

        failures = 0
        while True:
            client = aioredis.Redis.from_url(url)
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(REDIS_CHANNEL)
                    failures = 0
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            hub.publish(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis restarted or unreachable: retry, clients keep waiting
                delay = RECONNECT_SECS[min(failures, len(RECONNECT_SECS) - 1)]
                failures += 1
                log.warning("stream: Redis subscription lost; retrying in %ss", delay)
                await asyncio.sleep(delay)
            finally:
                await client.aclose()

    return run


def local_source(app: Flask) -> Source:
    """The engine in this process (embedded mode): its `market.tick` signal, moved onto the
    event loop thread-safely (the engine steps in the service loop's thread)."""

    async def run(hub: Hub, loop: asyncio.AbstractEventLoop) -> None:
        def receive(_sender: Any, ticks: list[TickEvent]) -> None:
            payload = [t.to_json() for t in ticks]
            loop.call_soon_threadsafe(hub.publish, payload)

        events.signal(TICK_SIGNAL).connect(receive, sender=app, weak=False)
        try:
            await asyncio.Event().wait()  # until cancelled at shutdown
        finally:
            events.signal(TICK_SIGNAL).disconnect(receive)

    return run


def source_for(app: Flask) -> Source:
    url = app.config["TRADEDECK"].redis_url
    return redis_source(url) if url else local_source(app)
