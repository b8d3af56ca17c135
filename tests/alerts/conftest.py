"""Alerts fixtures: a local HTTP receiver standing in for ntfy / webhook servers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


@pytest.fixture
def receiver() -> Iterator[HTTPServer]:
    """An HTTP server on 127.0.0.1 that records every request (ntfy-like and json:// hooks)."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()
