"""Logging through `logging`: level from LOG_LEVEL and one line per request with its timing."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

REQUEST_LOG = logging.getLogger("tradedeck.request")


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    logging.getLogger("tradedeck").setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def install_request_logging(app: Flask) -> None:
    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
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
