"""Market fixtures: an app with fast provider retries, fake venues and simulated stocks."""

import socket
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.conftest import create_user, make_app, web_login  # noqa: E402
from tests.fakes.binance import FakeBinance  # noqa: E402
from tradedeck.extensions import db  # noqa: E402
from tradedeck.market import catalogue, history  # noqa: E402
from tradedeck.market.engine import ENGINE_KEY  # noqa: E402
from tradedeck.venues.models import MarketState  # noqa: E402

NOW = 1_790_000_000  # fixed "now" of simulated history (2026-09-21T...Z)


@pytest.fixture
def fake_binance() -> Iterator[FakeBinance]:
    with FakeBinance() as server:
        yield server


def closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def market_app(tmp_path: Path, **extra: str) -> Flask:
    """An app whose SIM venue trades around the clock (created 24/7 with its state row, so
    the scheduler never gives it hours), so history tests can count minutes;
    test_history.py covers venue sessions."""
    app = make_app(tmp_path, **extra)
    app.config.update(MARKET_PROVIDER_BACKOFF=0.01, MARKET_SSE_HEARTBEAT_SECS=0.2)
    with app.app_context():
        sim = catalogue.ensure_venue("SIM", timezone=app.config["TRADEDECK"].market_timezone)
        db.session.add(MarketState(venue_id=sim.id))
        db.session.commit()
    return app


@pytest.fixture
def app(tmp_path: Path, fake_binance: FakeBinance) -> Iterator[Flask]:
    app = market_app(tmp_path, TRADEDECK_BINANCE_URL=fake_binance.url)
    yield app
    close_app(app)


def close_app(app: Flask) -> None:
    """Release what a market test app holds: the engine lock and database connections."""
    engine = app.extensions.get(ENGINE_KEY)
    if engine is not None:
        engine.close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def add_sim(app: Flask, symbol: str = "ACME", price: str = "100.00", days: float = 1) -> int:
    from datetime import UTC, datetime

    with app.app_context():
        inst = history.add_simulated_instrument(
            symbol, f"{symbol} (simulated)", Decimal(price), days=days,
            now=datetime.fromtimestamp(NOW, UTC),
        )  # fmt: skip
        return inst.id


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
