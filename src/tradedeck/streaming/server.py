"""The ASGI stream server (Starlette): `/api/v1/stream`, `/api/v1/notifications/stream`
(`streaming.notifications`) and `/healthz`.

The stream has the web app's event format (`market.stream`): `retry`, one snapshot
`tick` per instrument, then `tick`/`candle` events of every published batch, `: heartbeat`
comments every MARKET_SSE_HEARTBEAT_SECS (one timer for all streams), and `end` after
MARKET_SSE_MAX_SECS (`timeout`) or when the server stops (`shutdown`); EventSource then
reconnects, through nginx to whichever stream server is up, and starts again from a snapshot.
Open streams are capped per user (STREAM_MAX_PER_USER) and per process
(STREAM_SERVER_MAX_CLIENTS) with the web app's own 429 and Retry-After.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import AsyncIterator
from types import FrameType
from typing import Any

import uvicorn
from flask import Flask
from flask import Response as FlaskResponse
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from werkzeug.exceptions import TooManyRequests

from tradedeck.market.api import SSE_HEARTBEAT_KEY, SSE_MAX_KEY
from tradedeck.market.stream import StreamSlots, sse
from tradedeck.metrics import STREAM_CLIENTS, STREAM_WRITES, mark_process_dead
from tradedeck.streaming import notifications
from tradedeck.streaming.auth import STREAM_PATH, Opened, open_stream
from tradedeck.streaming.hub import HEARTBEAT, SHUTDOWN, Hub, Source, source_for
from tradedeck.streaming.notifications import (
    NOTIFY_PATH,
    OpenedFeed,
    UserHub,
    open_feed,
    poll_notifications,
)

log = logging.getLogger(__name__)
SERVER_LABEL = "asgi"
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _request_parts(request: Request) -> tuple[bytes, list[tuple[str, str]], str | None]:
    """Query string, headers and client address, as `streaming.auth` replays them."""
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]]
    client = request.client.host if request.client else None
    return request.scope.get("query_string", b""), headers, client


def _closing() -> Response:
    return JSONResponse(
        {"error": {"code": "shutting_down", "message": "Stream server is stopping."}},
        503,
        headers={"Retry-After": "1"},
    )


def _from_flask(response: FlaskResponse) -> Response:
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(response.get_data(), response.status_code, headers)


class StreamServer:
    """One process's streams: the Flask app for auth, a hub, and its tick source."""

    def __init__(self, app: Flask, source: Source | None = None) -> None:
        self.app = app
        self.hub = Hub()
        self.notes = UserHub()
        self.slots = StreamSlots()
        self.note_slots = StreamSlots()
        self.source = source or source_for(app)
        self._source_task: asyncio.Task[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        config = app.config["TRADEDECK"]
        self.per_user = config.stream_max_per_user
        self.per_process = config.stream_server_max_clients
        self.notes_per_user = config.notify_stream_max_per_user
        self.heartbeat_secs = float(app.config.get(SSE_HEARTBEAT_KEY, 15))
        self.max_secs = float(app.config.get(SSE_MAX_KEY, 300))

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        loop = self.loop = asyncio.get_running_loop()
        self._source_task = loop.create_task(self.source(self.hub, loop))
        heartbeat = loop.create_task(self._heartbeat())
        poller = loop.create_task(poll_notifications(self.app, self.notes))
        try:
            yield
        finally:
            self.shutdown()
            for task in (self._source_task, heartbeat, poller):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_secs)
            self.hub.beat()
            self.notes.beat()

    def shutdown(self) -> None:
        """End every stream of this process (SIGTERM, lifespan end)."""
        self.hub.shutdown()
        self.notes.shutdown()

    async def _open(
        self, request: Request, opener: Any, slots: StreamSlots, per_user: int, limit: float
    ) -> tuple[Any, Any] | Response:
        """Authenticate through the Flask app, then take a slot: (opened, release) or the
        refusal to send (401/400/404/429/503 as the web app words them)."""
        if self.hub.closing:
            return _closing()
        opened = await run_in_threadpool(opener, self.app, *_request_parts(request))
        if isinstance(opened, FlaskResponse):
            return _from_flask(opened)
        try:
            release = slots.acquire(
                opened.user, per_user=per_user, per_process=self.per_process, max_secs=limit
            )
        except TooManyRequests as exc:
            return self._refused(exc)
        return opened, release

    @staticmethod
    async def _live(
        queue: asyncio.Queue[Any], limit: float, ended: list[str]
    ) -> AsyncIterator[Any]:
        """Items queued for one client until its time limit or the server's shutdown;
        `ended` gets the reason for the `end` event."""
        deadline = time.monotonic() + limit
        while True:
            item = await queue.get()
            if item is SHUTDOWN:
                ended.append("shutdown")
                return
            if time.monotonic() >= deadline:
                ended.append("timeout")
                return
            yield item

    async def stream(self, request: Request) -> Response:
        opened = await self._open(request, open_stream, self.slots, self.per_user, self.max_secs)
        if isinstance(opened, Response):
            return opened
        queue = self.hub.join()
        body = self._events(*opened, queue)
        return StreamingResponse(body, media_type="text/event-stream", headers=SSE_HEADERS)

    async def _events(
        self, opened: Opened, release: Any, queue: asyncio.Queue[Any]
    ) -> AsyncIterator[bytes]:
        """The client's SSE bytes; the slot and queue are given back however it ends."""
        gauge = STREAM_CLIENTS.labels(SERVER_LABEL)
        writes = STREAM_WRITES.labels(SERVER_LABEL)
        gauge.inc()
        ended: list[str] = []
        try:
            yield b"retry: 3000\n\n"
            for quote in opened.snapshot:
                yield sse("tick", quote).encode()
            writes.inc(len(opened.snapshot))
            async for item in self._live(queue, self.max_secs, ended):
                if item is HEARTBEAT:
                    yield b": heartbeat\n\n"
                    continue
                text = item.text_for(opened.wanted, opened.interval)
                if text:
                    writes.inc()
                    yield text
            yield sse("end", {"reason": ended[0]}).encode()
        finally:
            self.hub.leave(queue)
            release()
            gauge.dec()

    async def notifications(self, request: Request) -> Response:
        limit = notifications.max_secs(self.app)
        opened = await self._open(request, open_feed, self.note_slots, self.notes_per_user, limit)
        if isinstance(opened, Response):
            return opened
        queue = self.notes.join_user(opened[0].user)
        body = self._notes(*opened, queue, limit)
        return StreamingResponse(body, media_type="text/event-stream", headers=SSE_HEADERS)

    async def _notes(
        self, opened: OpenedFeed, release: Any, queue: asyncio.Queue[Any], limit: float
    ) -> AsyncIterator[bytes]:
        """The web app's notification events: catch-up, live ones, keep-alives, `end`."""
        after, ended = opened.after, []
        try:
            yield b"retry: 5000\n\n"
            for item in opened.catch_up:
                yield sse("notification", item).encode()
            for item in await run_in_threadpool(notifications.since, self.app, opened.user, after):
                after = item["id"]
                yield sse("notification", item).encode()
            async for item in self._live(queue, limit, ended):
                if item is HEARTBEAT:
                    yield b":\n\n"
                elif item["id"] > after:
                    after = item["id"]
                    yield sse("notification", item).encode()
            yield sse("end", {"reason": ended[0], "after": after}).encode()
        finally:
            self.notes.leave_user(opened.user, queue)
            release()

    def _refused(self, exc: TooManyRequests) -> Response:
        """The web app's 429 body and Retry-After."""
        with self.app.app_context(), self.app.test_request_context(STREAM_PATH):
            return _from_flask(self.app.make_response(self.app.handle_user_exception(exc)))

    async def health(self, _request: Request) -> Response:
        source_up = self._source_task is not None and not self._source_task.done()
        body = {
            "status": "ok" if source_up and not self.hub.closing else "unavailable",
            "clients": self.hub.clients,
            "notification_clients": self.notes.clients,
            "dropped_slow_clients": self.hub.dropped,
        }
        return JSONResponse(body, 200 if body["status"] == "ok" else 503)


def create_stream_app(app: Flask, source: Source | None = None) -> Starlette:
    """The ASGI app serving the streams of the TradeDeck `app`."""
    server = StreamServer(app, source)
    asgi = Starlette(
        routes=[
            Route(STREAM_PATH, server.stream, methods=["GET"]),
            Route(NOTIFY_PATH, server.notifications, methods=["GET"]),
            Route("/healthz", server.health, methods=["GET"]),
        ],
        lifespan=server.lifespan,
    )
    asgi.state.server = server
    return asgi


class _Uvicorn(uvicorn.Server):
    """uvicorn that ends every open stream on SIGTERM/SIGINT instead of waiting for them:
    each client gets `end` (shutdown) and reconnects elsewhere, then the process exits."""

    def __init__(self, config: uvicorn.Config, server: StreamServer) -> None:
        super().__init__(config)
        self.streams = server

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        loop = self.streams.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.streams.shutdown)
        super().handle_exit(sig, frame)


def serve(app: Flask, host: str, port: int, *, log_level: str = "warning") -> None:
    """Run the stream server until SIGTERM/SIGINT (blocking): `tradedeck stream`."""
    asgi = create_stream_app(app)
    config = uvicorn.Config(
        asgi,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        backlog=4096,
        log_config=None,  # TradeDeck's logging (LOG_FORMAT) stays in charge
    )
    # uvicorn re-raises the signal that stopped it once it has shut down; a handler that
    # ignores it lets the process finish normally (exit 0: a clean stop, not a kill).
    saved = {sig: signal.signal(sig, _stopped) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        _Uvicorn(config, asgi.state.server).run()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        mark_process_dead()


def _stopped(_sig: int, _frame: FrameType | None) -> None:
    """Signal already handled by uvicorn's graceful shutdown."""
