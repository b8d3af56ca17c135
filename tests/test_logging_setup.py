"""Request ids on responses and log lines; JSON log lines (LOG_FORMAT=json)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from tests.helpers import make_app
from tradedeck.logging_setup import JsonFormatter, RequestIdFilter


def test_request_id_is_echoed_or_made(tmp_path: Path) -> None:
    client = make_app(tmp_path).test_client()
    made = client.get("/health").headers["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/health").headers["X-Request-ID"]
    given = client.get("/health", headers={"X-Request-ID": "nginx-abc.123"})
    assert given.headers["X-Request-ID"] == "nginx-abc.123"
    forged = client.get("/health", headers={"X-Request-ID": "x" * 65})
    assert len(forged.headers["X-Request-ID"]) == 32
    spaced = client.get("/health", headers={"X-Request-ID": "a b; c=<1>"})
    assert len(spaced.headers["X-Request-ID"]) == 32


def test_json_lines_carry_the_request_id(tmp_path: Path) -> None:
    app = make_app(tmp_path, LOG_FORMAT="json", LOG_LEVEL="INFO")
    records: list[logging.LogRecord] = []
    capture = logging.Handler()
    capture.addFilter(RequestIdFilter())
    capture.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("tradedeck.request").addHandler(capture)
    try:
        with app.test_client() as client:
            client.get("/health", headers={"X-Request-ID": "req-42"})
    finally:
        logging.getLogger("tradedeck.request").removeHandler(capture)
    line = json.loads(JsonFormatter().format(records[-1]))
    assert line["request_id"] == "req-42" and line["logger"] == "tradedeck.request"
    assert line["message"].startswith("GET /health 200") and line["level"] == "INFO"
    assert line["time"].endswith("+00:00")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), None)
        record.exc_info = sys.exc_info()
    failed = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in failed["exception"] and failed["request_id"] == "-"
