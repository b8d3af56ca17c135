"""Trading test helpers: a SIM stock and a 24/7 crypto pair with prices, funding, a JSON client."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, LastPrice, Venue
from tradedeck.trading import ledger
from tradedeck.venues import admin as venues_admin

TRADING_SETTINGS = {"FEE_BPS": "10", "SLIPPAGE_BPS": "0", "ORDER_RATE_LIMIT": "100000/minute"}


def add_market(app: Flask) -> dict[str, int]:
    """SIM (New York hours) with ACME at 100.00, BINANCE (24/7) with BTC/USDT at 50,000."""
    with app.app_context():
        sim = Venue(
            code="SIM",
            name="Simulated",
            kind="simulated",
            timezone="America/New_York",
            always_open=False,
        )
        binance = Venue(
            code="BINANCE", name="Binance", kind="exchange", timezone="UTC", always_open=True
        )
        acme = Instrument(
            venue=sim,
            symbol="ACME",
            name="Acme Corp",
            tick_size=Decimal("0.01"),
            lot_size=Decimal(1),
            min_qty=Decimal(1),
        )
        btc = Instrument(
            venue=binance,
            symbol="BTC/USDT",
            name="Bitcoin",
            asset_class="crypto",
            tick_size=Decimal("0.01"),
            lot_size=Decimal("0.00001"),
            min_qty=Decimal("0.00001"),
        )
        db.session.add_all([sim, binance, acme, btc])
        db.session.flush()
        now = utcnow()
        db.session.add_all(
            [
                LastPrice(
                    instrument_id=acme.id,
                    price=Decimal("100.00"),
                    previous_close=Decimal("98.00"),
                    updated_at=now,
                ),
                LastPrice(
                    instrument_id=btc.id,
                    price=Decimal("50000.00"),
                    previous_close=Decimal("50000.00"),
                    updated_at=now,
                ),
            ]
        )
        db.session.commit()
        return {"ACME": acme.id, "BTC/USDT": btc.id, "SIM": sim.id}


def set_price(app: Flask, instrument_id: int, price: str) -> None:
    with app.app_context():
        row = db.session.get(LastPrice, instrument_id)
        row.price = Decimal(price)
        row.updated_at = utcnow()
        db.session.commit()


def set_sim(app: Flask, state: str) -> None:
    with app.app_context():
        venues_admin.set_override("SIM", state, by="test")


def fund(app: Flask, user_id: int, amount: str) -> None:
    with app.app_context():
        ledger.deposit(user_id, amount)


class Api:
    """A JSON client with a Bearer token (no CSRF needed), as scripts and the bench use."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(path, json=body or {}, headers=self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self.headers)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
