"""Market fixtures: the fake Binance, a market app on it, and logged-in clients."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakes.binance import FakeBinance  # noqa: E402
from tests.helpers import create_user, web_login  # noqa: E402
from tests.market.helpers import close_app, market_app  # noqa: E402


@pytest.fixture
def fake_binance() -> Iterator[FakeBinance]:
    with FakeBinance() as server:
        yield server


@pytest.fixture
def app(tmp_path: Path, fake_binance: FakeBinance) -> Iterator[Flask]:
    app = market_app(tmp_path, TRADEDECK_BINANCE_URL=fake_binance.url)
    yield app
    close_app(app)


@pytest.fixture
def member(app: Flask):
    """A logged-in customer's test client."""
    create_user(app, "alice")
    client = app.test_client()
    assert web_login(client).status_code == 302
    return client


@pytest.fixture
def admin_client(app: Flask):
    create_user(app, "root", role="admin")
    client = app.test_client()
    assert web_login(client, "root").status_code == 302
    return client
