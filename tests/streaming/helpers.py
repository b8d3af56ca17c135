"""Streaming test helpers: the stream app served by uvicorn in a thread, and an SSE reader."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests
import uvicorn
from flask import Flask

from tests.helpers import free_port
from tradedeck.streaming.hub import Source
from tradedeck.streaming.server import StreamServer, create_stream_app


@contextmanager
def serving(app: Flask, source: Source | None = None) -> Iterator[tuple[str, StreamServer]]:
    """The stream app of `app` on a free loopback port until the block ends."""
    asgi = create_stream_app(app, source)
    port = free_port()
    config = uvicorn.Config(
        asgi, host="127.0.0.1", port=port, log_level="warning", log_config=None,
        timeout_graceful_shutdown=2,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "stream server did not start"
        time.sleep(0.02)
    streams: StreamServer = asgi.state.server
    try:
        yield f"http://127.0.0.1:{port}", streams
    finally:
        if streams.loop is not None:
            streams.loop.call_soon_threadsafe(streams.shutdown)
        server.should_exit = True
        thread.join(10)


class Events:
    """Reads one SSE response incrementally: breaking out of `iter_content` would make
    urllib3 close the connection, so one iterator and buffer live as long as the response."""

    def __init__(self, response: requests.Response) -> None:
        self.response = response
        self.seen: list[tuple[str, object]] = []
        self._chunks = response.iter_content(chunk_size=None, decode_unicode=True)
        self._buffer = ""

    def until(self, done: Callable[[list[tuple[str, object]]], bool]) -> list[tuple[str, object]]:
        """(event, data) pairs, `("heartbeat", None)` for heartbeats, read until `done`
        (failing after 30 s: keep-alives would otherwise keep a broken test waiting)."""
        deadline = time.monotonic() + 30
        while not done(self.seen):
            assert time.monotonic() < deadline, f"stream never got there: {self.seen}"
            self._buffer += next(self._chunks)
            while "\n\n" in self._buffer:
                block, self._buffer = self._buffer.split("\n\n", 1)
                fields = dict(
                    line.split(": ", 1) for line in block.splitlines()
                    if ": " in line and not line.startswith(":")
                )  # fmt: skip
                if "event" in fields:
                    self.seen.append((fields["event"], json.loads(fields["data"])))
                elif block.startswith(": heartbeat"):
                    self.seen.append(("heartbeat", None))
        return self.seen
