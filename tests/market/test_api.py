from datetime import UTC, datetime

import pytest

from tests.fakes.binance import LISTED_MS, NOW_MS, price_at
from tests.helpers import api_login
from tests.market.helpers import NOW, add_sim, closed_port_url
from tradedeck.extensions import db
from tradedeck.market import catalogue
from tradedeck.market.providers.base import InstrumentInfo

START = LISTED_MS // 1000


def _binance(app, *symbols: str) -> None:
    with app.app_context():
        venue = catalogue.ensure_venue("BINANCE")
        infos = [InstrumentInfo(s, s, "BINANCE", "crypto", s[:3], "USDT") for s in symbols]
        catalogue.upsert_instruments(venue, infos)
        db.session.commit()


def _error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    if field:
        assert error["field"] == field
    return error


def test_api_needs_a_user(client):
    _error(client.get("/api/v1/instruments"), 401)


def test_instruments_search_and_lookup_with_slash_and_dot(app, member):
    _binance(app, "BTC/USDT", "RELIANCE.NS")
    add_sim(app, "ACME", days=0.1)
    body = member.get("/api/v1/instruments?q=btc").get_json()
    assert [i["symbol"] for i in body["instruments"]] == ["BTC/USDT"]
    assert (
        member.get("/api/v1/instruments?venue=sim").get_json()["instruments"][0]["symbol"] == "ACME"
    )
    one = member.get("/api/v1/instruments/BTC%2FUSDT").get_json()["instrument"]
    assert (one["symbol"], one["venue"], one["tick_size"]) == ("BTC/USDT", "BINANCE", "0.01")
    assert member.get("/api/v1/instruments/RELIANCE.NS?venue=BINANCE").status_code == 200
    _error(member.get("/api/v1/instruments/NOPE"), 404, "symbol")
    _error(member.get("/api/v1/instruments?venue=MARS"), 404, "venue")
    _error(member.get("/api/v1/instruments?limit=0"), 400, "limit")


def test_ambiguous_symbol_needs_venue(app, member):
    _binance(app, "ACME")
    add_sim(app, "ACME", days=0.1)
    _error(member.get("/api/v1/instruments/ACME"), 409, "venue")
    assert (
        member.get("/api/v1/instruments/ACME?venue=SIM").get_json()["instrument"]["venue"] == "SIM"
    )


def test_candles_of_simulated_instrument(app, member):
    add_sim(app, "ACME", days=1)
    end = NOW // 3600 * 3600
    r = member.get(f"/api/v1/candles?symbol=ACME&interval=1h&end={end}&limit=5")
    body = r.get_json()
    assert (body["symbol"], body["venue"], body["interval"]) == ("ACME", "SIM", "1h")
    times = [c["time"] for c in body["candles"]]
    assert times == [end - 3600 * k for k in range(5, 0, -1)]
    assert set(body["candles"][0]) == {"time", "open", "high", "low", "close", "volume"}
    iso = datetime.fromtimestamp(end, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    same = member.get(f"/api/v1/candles?symbol=ACME&interval=1h&end={iso}&limit=5").get_json()
    assert same == body


def test_candles_fetch_missing_spans_from_the_exchange(app, member, fake_binance):
    _binance(app, "BTC/USDT")
    url = (
        "/api/v1/candles?symbol=BTC/USDT&venue=BINANCE&interval=1h&start=2024-01-01&end=2024-01-03"
    )
    body = member.get(url).get_json()
    assert len(body["candles"]) == 48 and body["candles"][0]["time"] == START
    requests = len(fake_binance.log)
    assert member.get(url).get_json() == body
    assert len(fake_binance.log) == requests


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("interval=2m", "interval"),
        ("start=yesterday", "start"),
        ("end=2024-13-01", "end"),
        ("start=2024-02-01&end=2024-01-01", "end"),
        ("start=2020-01-01&end=2024-01-01&interval=1m", "start"),
        ("limit=10001", "limit"),
        ("limit=abc", "limit"),
    ],
)
def test_candles_bad_input_names_the_field(app, member, query, field):
    add_sim(app, "ACME", days=0.1)
    _error(member.get(f"/api/v1/candles?symbol=ACME&{query}"), 400, field)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=-99999999999999999999", "start"),
        ("start=-9999999999999999999&end=-9999999999999999000", "start"),
        ("end=99999999999999999999", "end"),
        ("start=-99999999999&end=-99999999990", "start"),
        ("start=9999-12-31", "start"),
    ],
)
@pytest.mark.parametrize("symbol", ["ACME", "BTC/USDT"])
def test_candles_epochs_datetime_cannot_hold_are_a_400(app, member, query, field, symbol):
    """Such epochs reached `datetime` (a 500) on exchange venues."""
    add_sim(app, "ACME", days=0.1)
    _binance(app, "BTC/USDT")
    _error(member.get(f"/api/v1/candles?symbol={symbol}&{query}"), 400, field)


def test_candles_missing_symbol_and_provider_errors(app, member):
    _error(member.get("/api/v1/candles"), 400, "symbol")
    _error(member.get("/api/v1/candles?symbol=ZZZ"), 404, "symbol")
    _binance(app, "DOGE/USDT")
    error = _error(
        member.get("/api/v1/candles?symbol=DOGE/USDT&start=2024-01-01&end=2024-01-02"), 502
    )
    assert "does not list symbol" in error["message"]
    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(
        update={"binance_url": closed_port_url()}
    )
    _binance(app, "BTC/USDT")
    error = _error(
        member.get("/api/v1/candles?symbol=BTC/USDT&start=2024-01-01&end=2024-01-02"), 503
    )
    assert "Cannot reach" in error["message"]


def test_prices_get_and_post(app, member):
    add_sim(app, "ACME", "120.50", days=2)
    add_sim(app, "WAYNE", "250.00", days=2)
    _binance(app, "BTC/USDT")
    got = member.get("/api/v1/prices?symbols=ACME,SIM:WAYNE,BTC/USDT").get_json()["prices"]
    # BTC/USDT had no price: it is fetched from the (fake) exchange before the answer
    btc = f"{price_at('BTCUSDT', NOW_MS):.2f}"
    assert [(p["symbol"], p["price"], p["stale"]) for p in got] == [
        ("ACME", "120.50", False), ("WAYNE", "250.00", False), ("BTC/USDT", btc, False)
    ]  # fmt: skip
    acme = got[0]
    assert acme["previous_close"] and acme["change_pct"]
    api = app.test_client()  # no session cookie: header credentials need no CSRF token
    headers = {"Authorization": f"Bearer {api_login(api)}"}
    posted = api.post("/api/v1/prices", json={"symbols": ["ACME"]}, headers=headers)
    assert posted.get_json()["prices"][0]["price"] == "120.50"
    _error(member.get("/api/v1/prices?symbols=ACME,NOPE"), 404, "symbols")
    _error(member.get("/api/v1/prices?symbols=,"), 400, "symbols")
    _error(member.get("/api/v1/prices"), 400, "symbols")
    too_many = ",".join(f"S{i}" for i in range(101))
    _error(member.get(f"/api/v1/prices?symbols={too_many}"), 400, "symbols")
    _error(api.post("/api/v1/prices", json={"symbols": []}, headers=headers), 400, "symbols")
    _error(
        api.post(
            "/api/v1/prices", data="{", headers=headers | {"Content-Type": "application/json"}
        ),
        400,
    )
