"""Logging through `logging`: level from LOG_LEVEL, text or JSON lines (LOG_FORMAT), one line
per request with its timing, and a request id on every line logged while a request runs.

The request id is the caller's `X-Request-ID` when it is a short token (nginx sends its
`$request_id`, so proxy and app logs join on it), else a new random one; the response carries
it back in `X-Request-ID`.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

REQUEST_LOG = logging.getLogger("tradedeck.request")
REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def current_request_id() -> str:
    """The id of the request being served, '-' outside a request."""
    if has_request_context():
        return str(g.get("request_id", "-"))
    return "-"


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record the handler formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC ISO-8601), level, logger, message, request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _TradeDeckHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler TradeDeck installs on the root logger (found again by its class)."""


def configure_logging(level: str, fmt: str = "text") -> None:
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _TradeDeckHandler)), None)
    if handler is None and not root.handlers:
        handler = _TradeDeckHandler()
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    if handler is not None:
        handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logging.getLogger("tradedeck").setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def install_request_logging(app: Flask) -> None:
    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def _log_request(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        if started is not None and request.endpoint != "static":
            REQUEST_LOG.info(
                "%s %s %s %.1fms",
                request.method,
                request.full_path.rstrip("?"),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        return response
