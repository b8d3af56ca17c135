"""Opening a stream: the Flask app decides who is asking and what they may stream.

The request's headers (session or remember cookie, JWT in a header or cookie, `X-API-Key`)
are replayed in a Flask request context for `/api/v1/stream`, so the very loaders the web
processes use run here: Flask's session interface (itsdangerous signature), flask-jwt-extended
decoding with the token-version check, the API key lookup and `enforce_api_access`. Errors
come back as the Flask app's own error responses (same status and JSON body as the web
processes give). This is blocking work (database, password-grade hashing of API keys): the
server runs it in a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, request
from flask_login import current_user
from pydantic import ValidationError

from tradedeck.api.auth import enforce_api_access
from tradedeck.api.errors import validation_error_response
from tradedeck.market import catalogue, services
from tradedeck.market.schemas import StreamQuery
from tradedeck.market.stream import snapshot

STREAM_PATH = "/api/v1/stream"
T = TypeVar("T")


@dataclass(frozen=True)
class Opened:
    """An authorised stream: whose, which instruments, which candle interval, first ticks."""

    user: str
    wanted: frozenset[int]
    interval: str
    snapshot: list[dict[str, Any]]


@contextmanager
def flask_request(
    app: Flask, path: str, query_string: bytes, headers: list[tuple[str, str]], client: str | None
) -> Iterator[None]:
    """The ASGI request replayed as a Flask request context of its own.

    A fresh app context first: the request context would otherwise reuse one inherited through
    contextvars (`tradedeck stream` runs inside the CLI's), and with it one database session
    shared by every thread opening a stream at the same time.
    """
    with (
        app.app_context(),
        app.test_request_context(
            path,
            query_string=query_string.decode("latin-1"),
            headers=headers,
            environ_base={"REMOTE_ADDR": client or "127.0.0.1"},
        ),
    ):
        yield


def answer(app: Flask, exc: Exception) -> Response:
    """The Flask app's own error response (inside `flask_request`)."""
    if isinstance(exc, ValidationError):
        return validation_error_response(exc)
    return app.make_response(app.handle_user_exception(exc))


def authorised(
    app: Flask,
    path: str,
    request_parts: tuple[bytes, list[tuple[str, str]], str | None],
    build: Callable[[], T],
) -> T | Response:
    """`build()` for an authenticated caller of `path` (inside its Flask request), or the
    web app's error response (401, 400 naming the field, 404, ...)."""
    with flask_request(app, path, *request_parts):
        try:
            enforce_api_access()
            return build()
        except Exception as exc:  # DomainError/ApiError/HTTPException/ValidationError
            return answer(app, exc)


def open_stream(
    app: Flask, query_string: bytes, headers: list[tuple[str, str]], client: str | None
) -> Opened | Response:
    """Authenticate and validate like `GET /api/v1/stream` on the web app would."""
    return authorised(app, STREAM_PATH, (query_string, headers, client), _tick_stream)


def _tick_stream() -> Opened:
    query = StreamQuery.model_validate(request.args.to_dict())
    instruments = [
        catalogue.get_instrument(s, query.venue, field="symbols") for s in query.symbols.split(",")
    ]
    return Opened(
        user=str(current_user.id),
        wanted=frozenset(i.id for i in instruments),
        interval=query.interval,
        snapshot=snapshot(services.quotes_for(instruments)),
    )
