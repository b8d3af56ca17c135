"""Fake HTTP APIs on pytest-httpserver: a free 127.0.0.1 port, a request log and fault injection.

Each fake answers every request through its own `route(path, params)`; `inject` puts one-shot
answers in front of it (pytest-httpserver serves one-shot handlers before permanent ones).
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WerkzeugResponse

CONTENT_TYPE = "application/json;charset=UTF-8"


@dataclass
class Logged:
    method: str
    path: str
    params: dict[str, str]


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def to_werkzeug(self) -> WerkzeugResponse:
        text = self.body if isinstance(self.body, str) else json.dumps(self.body)
        return WerkzeugResponse(
            text, status=self.status, headers=self.headers, content_type=CONTENT_TYPE
        )


class FakeServer(ABC):
    """Subclasses implement `route(path, params) -> Response`; use as a context manager."""

    def __init__(self) -> None:
        self.server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        self.server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def __enter__(self) -> FakeServer:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.clear()
        if self.server.is_running():
            self.server.stop()

    @property
    def log(self) -> list[Logged]:
        """Every request so far, faults included, oldest first."""
        return [
            Logged(request.method, request.path, request.args.to_dict())
            for request, _ in self.server.log
        ]

    def clear_log(self) -> None:
        self.server.clear_log()

    def inject(self, path: str, status: int, body: Any, times: int = 1, **headers: str) -> None:
        """Answer the next `times` requests whose path starts with `path` with this response."""
        answer = Response(status, body, headers).to_werkzeug()
        for _ in range(times):
            matcher = self.server.expect_oneshot_request(re.compile(f"^{re.escape(path)}"))
            matcher.respond_with_response(answer)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [r.params for r in self.log if r.path == path]

    @abstractmethod
    def route(self, path: str, params: dict[str, str]) -> Response:
        """The fake's answer to one request (each fake server defines its endpoints)."""

    def _handle(self, request: Request) -> WerkzeugResponse:
        return self.route(request.path, request.args.to_dict()).to_werkzeug()
