"""The stream server's tests run on a market test app (no Redis: the in-process tick source)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.market.helpers import close_app, market_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = market_app(tmp_path, REDIS_URL="")
    yield app
    close_app(app)
