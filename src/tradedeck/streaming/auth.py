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

from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request
from flask_login import current_user
from pydantic import ValidationError

from tradedeck.api.auth import enforce_api_access
from tradedeck.api.errors import validation_error_response
from tradedeck.market import catalogue, services
from tradedeck.market.schemas import StreamQuery
from tradedeck.market.stream import snapshot

STREAM_PATH = "/api/v1/stream"


@dataclass(frozen=True)
class Opened:
    """An authorised stream: whose, which instruments, which candle interval, first ticks."""

    user: str
    wanted: frozenset[int]
    interval: str
    snapshot: list[dict[str, Any]]


def open_stream(
    app: Flask, query_string: bytes, headers: list[tuple[str, str]], client: str | None
) -> Opened | Response:
    """Authenticate and validate like `GET /api/v1/stream` on the web app would."""
    environ = {"REMOTE_ADDR": client or "127.0.0.1"}
    # A fresh app context of its own: the request context would otherwise reuse one inherited
    # through contextvars (`tradedeck stream` runs inside the CLI's), and with it one database
    # session shared by every thread opening a stream at the same time.
    with (
        app.app_context(),
        app.test_request_context(
            STREAM_PATH,
            query_string=query_string.decode("latin-1"),
            headers=headers,
            environ_base=environ,
        ),
    ):
        try:
            enforce_api_access()
            query = StreamQuery.model_validate(request.args.to_dict())
            instruments = [
                catalogue.get_instrument(s, query.venue, field="symbols")
                for s in query.symbols.split(",")
            ]
            return Opened(
                user=str(current_user.id),
                wanted=frozenset(i.id for i in instruments),
                interval=query.interval,
                snapshot=snapshot(services.quotes_for(instruments)),
            )
        except ValidationError as exc:
            return validation_error_response(exc)
        except Exception as exc:  # DomainError/ApiError/HTTPException: the app's own answer
            return app.make_response(app.handle_user_exception(exc))
