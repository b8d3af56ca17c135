"""Market test helpers: an app with fast provider retries, simulated stocks, a closed port."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from flask import Flask

from tests.helpers import make_app
from tradedeck.extensions import db
from tradedeck.market import catalogue, history
from tradedeck.market.engine import ENGINE_KEY
from tradedeck.venues.models import MarketState

NOW = 1_790_000_000  # fixed "now" of simulated history (2026-09-21T...Z)


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


def close_app(app: Flask) -> None:
    """Release what a market test app holds: the engine lock and database connections."""
    engine = app.extensions.get(ENGINE_KEY)
    if engine is not None:
        engine.close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def add_sim(app: Flask, symbol: str = "ACME", price: str = "100.00", days: float = 1) -> int:
    with app.app_context():
        inst = history.add_simulated_instrument(
            symbol, f"{symbol} (simulated)", Decimal(price), days=days,
            now=datetime.fromtimestamp(NOW, UTC),
        )  # fmt: skip
        return inst.id
