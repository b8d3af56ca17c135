"""A small threaded HTTP server base: a free 127.0.0.1 port, a request log and fault injection."""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Logged:
    method: str
    path: str
    params: dict[str, str]


@dataclass
class Fault:
    """Answer the next `times` requests whose path starts with `path` with this response."""

    path: str
    status: int
    body: str
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class FakeServer(ABC):
    """Subclasses implement `route(path, params) -> Response`; use as a context manager."""

    def __init__(self) -> None:
        self.log: list[Logged] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def inject(self, path: str, status: int, body: Any, times: int = 1, **headers: str) -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        with self._lock:
            self.faults.append(Fault(path, status, text, times, headers))

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [r.params for r in self.log if r.path == path]

    @abstractmethod
    def route(self, path: str, params: dict[str, str]) -> Response:
        """The fake's answer to one request (each fake server defines its endpoints)."""

    def _fault_for(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if path.startswith(fault.path) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self._lock:
            self.log.append(Logged("GET", parts.path, params))
        fault = self._fault_for(parts.path)
        if fault:
            response = Response(fault.status, fault.body, fault.headers)
        else:
            response = self.route(parts.path, params)
        body = response.body if isinstance(response.body, str) else json.dumps(response.body)
        data = body.encode()
        handler.send_response(response.status)
        handler.send_header("Content-Type", "application/json;charset=UTF-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in response.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
