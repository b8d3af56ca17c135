"""Orders on exchange instruments use a current quote: a stale one is fetched again first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.fakes.binance import NOW_MS, FakeBinance
from tests.fakes.binance import price_at as binance_price
from tests.helpers import api_login, create_user
from tests.market.helpers import closed_port_url, market_app
from tradedeck.accounts.models import User
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market import catalogue, store
from tradedeck.market.providers.base import InstrumentInfo
from tradedeck.trading import ledger
from tradedeck.trading.models import Order

BTC = Decimal(f"{binance_price('BTCUSDT', NOW_MS):.8f}")
TICKER = "/api/v3/ticker/24hr"
CENT = Decimal("0.01")


@pytest.fixture
def fake_binance() -> Iterator[FakeBinance]:
    with FakeBinance() as server:
        yield server


def _app(tmp_path: Path, binance_url: str) -> Flask:
    app = market_app(tmp_path, TRADEDECK_BINANCE_URL=binance_url, FEE_BPS="0", SLIPPAGE_BPS="0")
    create_user(app, "alice")
    with app.app_context():
        venue = catalogue.ensure_venue("BINANCE")
        info = InstrumentInfo("BTC/USDT", "BTC/USDT", "BINANCE", "crypto", "BTC", "USDT")
        catalogue.upsert_instruments(venue, [info])
        db.session.commit()
    return app


def _price(app: Flask, price: str, age_secs: float) -> None:
    with app.app_context():
        instrument = catalogue.get_instrument("BTC/USDT", "BINANCE")
        when = utcnow() - timedelta(seconds=age_secs)
        store.set_last_price(instrument.id, Decimal(price), when, Decimal(price))
        db.session.commit()


def _client(app: Flask) -> FlaskClient:
    client = app.test_client()
    token = api_login(client)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "alice"))
        ledger.deposit(user.id, "100000")
    return client


def _buy(client: FlaskClient, path: str = "/api/v1/orders"):
    body = {"symbol": "BTC/USDT", "venue": "BINANCE", "side": "buy", "quantity": "1"}
    return client.post(path, json=body | {"type": "market"})


def test_a_stale_quote_is_fetched_before_the_order_fills(tmp_path: Path, fake_binance) -> None:
    app = _app(tmp_path, fake_binance.url)
    _price(app, "1.00", age_secs=3_600)
    client = _client(app)
    response = _buy(client)
    assert response.status_code == 201, response.get_json()
    order = response.get_json()["order"]
    assert order["status"] == "filled"
    assert abs(Decimal(order["fill_price"]) - BTC) < CENT  # the provider's price on the tick grid
    assert len(fake_binance.requests_to(TICKER)) == 1


def test_a_fresh_quote_is_used_without_asking_the_provider(tmp_path: Path, fake_binance) -> None:
    app = _app(tmp_path, fake_binance.url)
    _price(app, "40000.00", age_secs=1)
    client = _client(app)
    preview = _buy(client, "/api/v1/orders/preview")
    assert preview.status_code == 200
    response = _buy(client)
    assert Decimal(response.get_json()["order"]["fill_price"]) == Decimal("40000")
    assert fake_binance.requests_to(TICKER) == []


def test_preview_refreshes_a_stale_quote(tmp_path: Path, fake_binance) -> None:
    app = _app(tmp_path, fake_binance.url)
    _price(app, "1.00", age_secs=3_600)
    preview = _buy(_client(app), "/api/v1/orders/preview").get_json()
    assert abs(Decimal(preview["estimated_price"]) - BTC) < CENT


def test_provider_down_refuses_an_order_on_a_stale_price(tmp_path: Path) -> None:
    app = _app(tmp_path, closed_port_url())
    _price(app, "1.00", age_secs=3_600)
    client = _client(app)
    response = _buy(client)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["field"], error["code"]) == ("symbol", "no_price")
    assert "not answering" in error["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    cash = client.get("/api/v1/cash").get_json()
    assert Decimal(cash["balance"]) == Decimal("100000")
