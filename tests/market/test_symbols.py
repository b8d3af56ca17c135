"""One symbol resolver everywhere: the same answer for the same symbol in every route."""

from decimal import Decimal

import pytest

from tests.helpers import api_login, create_user
from tests.market.helpers import add_sim
from tradedeck.extensions import db
from tradedeck.market import catalogue
from tradedeck.market.providers.base import InstrumentInfo
from tradedeck.trading import ledger
from tradedeck.venues import admin as venues_admin


def _listed(app, venue: str, *symbols: str) -> None:
    with app.app_context():
        infos = [
            InstrumentInfo(
                s, s, venue, "crypto", s[:3], "USDT", Decimal("0.01"), *[Decimal("1e-4")] * 2
            )
            for s in symbols
        ]
        catalogue.upsert_instruments(catalogue.ensure_venue(venue), infos)
        db.session.commit()


@pytest.fixture
def api(app):
    """Alice's Bearer client, funded, with SIM open."""
    user = create_user(app, "alice")
    with app.app_context():
        ledger.deposit(user.id, "100000.00")
        catalogue.ensure_venue("SIM")
        db.session.commit()
        venues_admin.set_override("SIM", "open", by="test")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_login(client)}"}

    class Api:
        def get(self, path: str):
            return client.get(path, headers=headers)

        def order(self, symbol: str, **extra: str):
            body = {"symbol": symbol, "side": "buy", "quantity": "0.001", **extra}
            return client.post("/api/v1/orders", json=body, headers=headers)

    return Api()


def _error(response, status: int, code: str, field: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    return error["message"]


def test_exchange_native_symbol_works_in_every_route(app, api):
    _listed(app, "BINANCE", "BTC/USDT")
    window = "start=2024-01-01&end=2024-01-02&interval=1h"
    got = api.get(f"/api/v1/candles?symbol=BTCUSDT&{window}")
    assert got.status_code == 200 and got.get_json()["symbol"] == "BTC/USDT"
    assert len(got.get_json()["candles"]) == 24
    prices = api.get("/api/v1/prices?symbols=BTCUSDT").get_json()["prices"]
    assert prices[0]["symbol"] == "BTC/USDT" and prices[0]["price"]
    studies = api.get(f"/api/v1/analytics?symbol=BTCUSDT&{window}&studies=sma")
    assert studies.status_code == 200 and studies.get_json()["symbol"] == "BTC/USDT"
    one = api.get("/api/v1/instruments/BTCUSDT").get_json()["instrument"]
    assert (one["symbol"], one["venue"]) == ("BTC/USDT", "BINANCE")
    placed = api.order("BTCUSDT")
    assert placed.status_code == 201, placed.get_json()
    assert placed.get_json()["order"]["symbol"] == "BTC/USDT"


def test_venue_qualified_symbol_works_in_orders(app, api):
    add_sim(app, "ACME")
    placed = api.order("SIM:ACME", quantity="1")
    assert placed.status_code == 201, placed.get_json()
    assert placed.get_json()["order"]["symbol"] == "ACME"


def test_unknown_symbol_is_the_same_404_everywhere(app, api):
    for response in (
        api.get("/api/v1/instruments/NOPE"),
        api.get("/api/v1/candles?symbol=NOPE"),
        api.get("/api/v1/analytics?symbol=NOPE&studies=sma"),
    ):
        assert "'NOPE'" in _error(response, 404, "unknown_symbol", "symbol")
    _error(api.get("/api/v1/prices?symbols=NOPE"), 404, "unknown_symbol", "symbols")
    # Orders answered 400 `not_found`.
    assert "'NOPE'" in _error(api.order("NOPE"), 404, "unknown_symbol", "symbol")


def test_ambiguous_symbol_is_a_409_listing_the_choices(app, api):
    _listed(app, "BINANCE", "BTC/USDT")
    _listed(app, "KRAKEN", "BTC/USDT")
    for response in (
        api.get("/api/v1/instruments/BTCUSDT"),
        api.get("/api/v1/candles?symbol=BTC/USDT"),
    ):
        message = _error(response, 409, "ambiguous_symbol", "venue")
        assert "BINANCE:BTC/USDT, KRAKEN:BTC/USDT" in message
    # Orders silently took the first venue's instrument.
    message = _error(api.order("BTC/USDT"), 409, "ambiguous_symbol", "venue")
    assert "BINANCE:BTC/USDT, KRAKEN:BTC/USDT" in message


def test_chart_page_takes_the_exchange_native_symbol(app, member):
    _listed(app, "BINANCE", "BTC/USDT")
    page = member.get("/chart?symbol=BTCUSDT")
    assert page.status_code == 200
    assert "BTC/USDT" in page.get_data(as_text=True)
    assert member.get("/chart?symbol=NOPE").status_code == 404
