"""Tick subscriptions: in-process (blinker) or across processes (Redis pub/sub), and SSE framing.

The price engine publishes each step's ticks once; a subscriber gets them either from the
`market.tick` signal (same process: `tradedeck run`, or the worker holding the engine) or
from the Redis channel (web processes apart from the worker when REDIS_URL is set).
"""

from __future__ import annotations

import contextlib
import json
import math
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from datetime import datetime
from typing import Any, Protocol

from flask import Flask
from werkzeug.exceptions import TooManyRequests

from tradedeck.extensions import events
from tradedeck.market.engine import REDIS_CHANNEL, TICK_SIGNAL, TickEvent

TickReceiver = Callable[..., None]
QUEUE_LIMIT = 1_000
SLOTS_KEY = "tradedeck.stream_slots"
_TICK_FIELDS = ("symbol", "venue", "price", "previous_close", "time")


def subscribe_ticks(receiver: TickReceiver) -> None:
    """Call `receiver(sender_app, ticks=[TickEvent, ...])` after every committed engine step.

    It runs in the engine's thread (the worker holding the engine lock), so it must be quick
    or hand work to a queue. Kept with a strong reference: call `unsubscribe_ticks` to stop.
    """
    events.signal(TICK_SIGNAL).connect(receiver, weak=False)


def unsubscribe_ticks(receiver: TickReceiver) -> None:
    events.signal(TICK_SIGNAL).disconnect(receiver)


class TickFeed(Protocol):
    def get(self, timeout: float) -> list[dict[str, Any]] | None:
        """The next published batch of ticks (JSON dicts), or None after `timeout` seconds."""
        ...

    def close(self) -> None: ...


class LocalFeed:
    """Ticks of the engine running in this process, for this app only."""

    def __init__(self, app: Flask) -> None:
        self._queue: queue.Queue[list[dict[str, Any]]] = queue.Queue(QUEUE_LIMIT)
        events.signal(TICK_SIGNAL).connect(self._receive, sender=app, weak=False)

    def _receive(self, _sender: Any, ticks: list[TickEvent]) -> None:
        with contextlib.suppress(queue.Full):  # a stalled client must never slow the engine
            self._queue.put_nowait([t.to_json() for t in ticks])

    def get(self, timeout: float) -> list[dict[str, Any]] | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        unsubscribe_ticks(self._receive)


class RedisFeed:
    """Ticks published by whichever process runs the engine, through Redis pub/sub."""

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=30)
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(REDIS_CHANNEL)

    def get(self, timeout: float) -> list[dict[str, Any]] | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = self._pubsub.get_message(timeout=left)
            if message and message.get("type") == "message":
                return json.loads(message["data"])
        return None

    def close(self) -> None:
        self._pubsub.close()
        self._client.close()


def open_feed(app: Flask) -> TickFeed:
    url = app.config["TRADEDECK"].redis_url
    return RedisFeed(url) if url else LocalFeed(app)


class StreamSlots:
    """Open SSE streams of this process, counted per user and in all.

    Each stream holds a server thread (gthread) until it ends, so a few open tabs could take
    every thread of a worker: `acquire` refuses with a 429 (Retry-After: when the oldest of
    the streams in the way reaches its time limit) beyond STREAM_MAX_PER_USER and
    STREAM_MAX_PER_PROCESS. The count lives in the process, like the threads it guards.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: Counter[str] = Counter()
        self._opened: dict[int, tuple[str, float]] = {}
        self._next = 0

    @property
    def open(self) -> int:
        return len(self._opened)

    def open_for(self, user: str) -> int:
        return self._by_user[user]

    def acquire(
        self, user: str, *, per_user: int, per_process: int, max_secs: float
    ) -> Callable[[], None]:
        """Count a stream of `user` lasting up to `max_secs`; returns its release
        (idempotent), or raises TooManyRequests."""
        with self._lock:
            now = time.monotonic()
            if self._by_user[user] >= per_user:
                self._refuse(f"{per_user} open streams per user", now, max_secs, user)
            if len(self._opened) >= per_process:
                self._refuse(f"{per_process} open streams per server process", now, max_secs)
            self._next += 1
            lease = self._next
            self._opened[lease] = (user, now)
            self._by_user[user] += 1

        def release() -> None:
            with self._lock:
                if self._opened.pop(lease, None) is not None:
                    self._by_user[user] -= 1
                    if not self._by_user[user]:
                        del self._by_user[user]

        return release

    def _refuse(self, limit: str, now: float, max_secs: float, user: str | None = None) -> None:
        opened = [t for u, t in self._opened.values() if user is None or u == user]
        left = min(opened, default=now) + max_secs - now
        raise TooManyRequests(
            f"{limit} (close another chart or tab)", retry_after=max(1, math.ceil(left))
        )


def stream_slots(app: Flask) -> StreamSlots:
    """The app's count of open streams."""
    slots = app.extensions.get(SLOTS_KEY)
    if slots is None:
        slots = app.extensions.setdefault(SLOTS_KEY, StreamSlots())
    return slots


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def batch_events(
    batch: list[dict[str, Any]], wanted: Collection[int], interval: str
) -> Iterator[str]:
    """The `tick` event, then the forming `candle` of `interval`, of each wanted instrument
    in a published batch: the format every stream server sends (the chart reads it)."""
    for tick in batch:
        if tick["instrument_id"] not in wanted:
            continue
        yield sse("tick", {k: tick[k] for k in _TICK_FIELDS})
        candle = tick["candles"].get(interval)
        if candle:
            yield sse(
                "candle",
                {"symbol": tick["symbol"], "venue": tick["venue"], "interval": interval} | candle,
            )


def snapshot(quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first `tick` events of a stream: the latest quote of each instrument that has one
    (`market.services.quotes_for`), time as epoch seconds like the live ticks."""
    return [
        {
            "symbol": q["symbol"],
            "venue": q["venue"],
            "price": q["price"],
            "previous_close": q["previous_close"],
            "time": int(datetime.fromisoformat(q["time"]).timestamp()),
        }
        for q in quotes
        if q["price"] is not None
    ]


def sse_stream(
    feed: TickFeed,
    wanted: set[int],
    interval: str,
    snapshot: list[dict[str, Any]],
    *,
    heartbeat_secs: float,
    max_secs: float,
) -> Iterator[str]:
    """`tick` and `candle` events of the `wanted` instruments, heartbeats, then `end`.

    The stream ends after `max_secs` (EventSource reconnects by itself), which bounds how
    long one client holds a server thread; the feed is closed however the stream ends.
    """
    deadline = time.monotonic() + max_secs
    try:
        yield "retry: 3000\n\n"
        for quote in snapshot:
            yield sse("tick", quote)
        while (left := deadline - time.monotonic()) > 0:
            batch = feed.get(min(heartbeat_secs, left))
            if batch is None:
                yield ": heartbeat\n\n"
                continue
            yield from batch_events(batch, wanted, interval)
        yield sse("end", {"reason": "timeout"})
    finally:
        feed.close()
