"""Quote refresh of exchange and Yahoo instruments against the fake Binance and Yahoo servers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask

from tests.fakes.binance import NOW_MS
from tests.fakes.binance import price_at as binance_price
from tests.fakes.yahoo import NOW as YAHOO_NOW
from tests.fakes.yahoo import FakeYahoo
from tests.fakes.yahoo import price_at as yahoo_price
from tests.helpers import api_login, create_user, recorded_statements
from tests.market.helpers import add_sim, close_app, closed_port_url, market_app
from tradedeck.database import utcnow
from tradedeck.extensions import db, events
from tradedeck.market import catalogue, quotes, store
from tradedeck.market.engine import TICK_SIGNAL
from tradedeck.market.models import LastPrice
from tradedeck.market.providers.base import InstrumentInfo
from tradedeck.trading import ledger
from tradedeck.trading.models import Account, Order, Position
from tradedeck.worker.loop import LOOP_KEY

Q = Decimal("0.00000001")
BTC = Decimal(f"{binance_price('BTCUSDT', NOW_MS):.8f}")
ETH = Decimal(f"{binance_price('ETHUSDT', NOW_MS):.8f}")
BTC_PREV = Decimal(f"{binance_price('BTCUSDT', NOW_MS - 86_400_000):.8f}")
AAPL = Decimal(str(yahoo_price("AAPL", YAHOO_NOW))).quantize(Q)
MSFT = Decimal(str(yahoo_price("MSFT", YAHOO_NOW))).quantize(Q)


@pytest.fixture
def fake_yahoo() -> Iterator[FakeYahoo]:
    with FakeYahoo() as server:
        yield server


@pytest.fixture
def app(tmp_path: Path, fake_binance, fake_yahoo) -> Iterator[Flask]:
    app = market_app(
        tmp_path,
        TRADEDECK_BINANCE_URL=fake_binance.url,
        TRADEDECK_YAHOO_URL=fake_yahoo.url,
        FEE_BPS="0",
        SLIPPAGE_BPS="0",
    )
    yield app
    close_app(app)


def add(app: Flask, venue: str, *symbols: str) -> dict[str, int]:
    kind = "crypto" if venue == "BINANCE" else "stock"
    with app.app_context():
        row = catalogue.ensure_venue(venue)
        infos = [InstrumentInfo(s, s, venue, kind, s.split("/")[0], "USD") for s in symbols]
        catalogue.upsert_instruments(row, infos)
        db.session.commit()
        return {s: catalogue.get_instrument(s, venue).id for s in symbols}


def store_price(app: Flask, instrument_id: int, price: str, age_secs: float) -> None:
    with app.app_context():
        when = utcnow() - timedelta(seconds=age_secs)
        store.set_last_price(instrument_id, Decimal(price), when, Decimal(price))
        db.session.commit()


def stored(app: Flask, instrument_id: int) -> LastPrice | None:
    with app.app_context():
        row = db.session.get(LastPrice, instrument_id)
        if row is not None:
            db.session.expunge(row)
        return row


def requests(fake, path: str) -> list[dict[str, str]]:
    return fake.requests_to(path)


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """The refresher's monotonic clock, stepped by the test (backoffs)."""
    now = [1_000.0]
    monkeypatch.setattr(quotes, "_clock", lambda: now[0])
    return now


def use_binance_url(app: Flask, url: str) -> None:
    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(update=dict(binance_url=url))


# --- refresh -------------------------------------------------------------------------------


def test_stale_quotes_are_refreshed_with_one_request_per_venue(app, fake_binance, fake_yahoo):
    crypto = add(app, "BINANCE", "BTC/USDT", "ETH/USDT")
    stocks = add(app, "YAHOO", "AAPL", "MSFT")
    acme = add_sim(app, "ACME", "100.00")
    store_price(app, crypto["ETH/USDT"], "1.00", age_secs=3_600)  # stale; BTC never priced
    before = utcnow()
    with app.app_context():
        result = quotes.refresh([*crypto.values(), *stocks.values(), acme])
    assert result.refreshed == {
        crypto["BTC/USDT"]: BTC,
        crypto["ETH/USDT"]: ETH,
        stocks["AAPL"]: AAPL,
        stocks["MSFT"]: MSFT,
    }
    assert (result.failed, result.fresh) == ({}, [])
    assert result.calls == {"BINANCE": 1, "YAHOO": 1}
    [tickers] = requests(fake_binance, "/api/v3/ticker/24hr")
    assert sorted(tickers["symbols"].strip("[]").replace('"', "").split(",")) == [
        "BTCUSDT",
        "ETHUSDT",
    ]
    assert len(requests(fake_binance, "/api/v3/exchangeInfo")) == 1  # ccxt's markets, once
    [spark] = requests(fake_yahoo, "/v7/finance/spark")
    assert sorted(spark["symbols"].split(",")) == ["AAPL", "MSFT"]
    assert len(fake_yahoo.log) == 1
    btc = stored(app, crypto["BTC/USDT"])
    assert (btc.price, btc.previous_close) == (BTC, BTC_PREV)
    assert btc.volume == 1234.5
    assert btc.updated_at >= before  # when the provider confirmed it
    aapl = stored(app, stocks["AAPL"])
    assert aapl.previous_close == Decimal(str(yahoo_price("AAPL", YAHOO_NOW - 86_400)))
    assert aapl.volume == 51_234_567
    assert stored(app, acme).price == Decimal("100.00")  # the engine's, untouched


def test_fresh_quotes_and_simulated_instruments_make_no_request(app, fake_binance, fake_yahoo):
    crypto = add(app, "BINANCE", "BTC/USDT")
    acme = add_sim(app, "ACME", "100.00")
    with app.app_context():
        assert quotes.refresh(crypto.values()).refreshed == {crypto["BTC/USDT"]: BTC}
    fake_binance.clear_log()
    with recorded_statements(app) as statements, app.app_context():
        again = quotes.refresh([crypto["BTC/USDT"], acme])
    assert again.fresh == [crypto["BTC/USDT"]] and not again.refreshed and not again.calls
    assert fake_binance.log == []
    assert len(statements) == 2  # the instruments by id, then their price times
    with app.app_context():
        sim = catalogue.get_instrument("ACME", "SIM")
        with recorded_statements(app) as statements:
            result = quotes.refresh([sim])
        assert result == quotes.RefreshResult()
        assert statements == []  # simulated rows: no query at all
        assert quotes.refresh_for_order(acme) is True
        # a tighter max age asks again, through the provider kept from the first refresh
        assert quotes.refresh(crypto.values(), max_age_secs=0).refreshed
    assert len(requests(fake_binance, "/api/v3/ticker/24hr")) == 1
    assert requests(fake_binance, "/api/v3/exchangeInfo") == []
    assert fake_yahoo.log == []


def test_provider_down_keeps_the_stale_price_and_backs_off(app, fake_binance, clock):
    crypto = add(app, "BINANCE", "BTC/USDT", "ETH/USDT")
    store_price(app, crypto["BTC/USDT"], "39000.00", age_secs=3_600)
    use_binance_url(app, closed_port_url())
    started = time.monotonic()
    with app.app_context():
        result = quotes.refresh(crypto.values())
    assert time.monotonic() - started < 5
    assert not result.refreshed and set(result.failed) == set(crypto.values())
    assert "Cannot reach BINANCE" in result.failed[crypto["BTC/USDT"]]
    assert stored(app, crypto["BTC/USDT"]).price == Decimal("39000.00")
    assert stored(app, crypto["ETH/USDT"]) is None
    # Back on line, but within the backoff: not asked again.
    use_binance_url(app, fake_binance.url)
    with app.app_context():
        held = quotes.refresh(crypto.values())
        assert quotes.refresh_for_order(crypto["BTC/USDT"]) is False
    assert "next try in 15 s" in held.failed[crypto["BTC/USDT"]] and not held.calls
    assert fake_binance.log == []
    clock[0] += 15.5
    with app.app_context():
        assert quotes.refresh_for_order(crypto["BTC/USDT"]) is True
        assert quotes.refresh(crypto.values()).refreshed == {crypto["ETH/USDT"]: ETH}
    assert stored(app, crypto["BTC/USDT"]).price == BTC


def test_repeated_failures_double_the_backoff(app, fake_binance, clock):
    crypto = add(app, "BINANCE", "BTC/USDT")
    use_binance_url(app, closed_port_url())
    waits = []
    for _ in range(3):
        with app.app_context():
            quotes.refresh(crypto.values())
            waits.append(quotes._state().venue("BINANCE").retry_at - clock[0])
        clock[0] += waits[-1]
    assert waits == [15, 30, 60]


def test_rate_limit_fails_the_venue_not_the_request(app, fake_binance, clock):
    crypto = add(app, "BINANCE", "BTC/USDT")
    fake_binance.inject("/api/v3/ticker/24hr", 429, {"code": -1003, "msg": "Too many"}, times=2)
    with app.app_context():
        result = quotes.refresh(crypto.values())
    assert "rate-limiting" in result.failed[crypto["BTC/USDT"]]
    assert len(requests(fake_binance, "/api/v3/ticker/24hr")) == 2  # one retry, then give up


def test_unknown_symbols_fail_alone_and_are_backed_off(app, fake_binance, fake_yahoo, clock):
    crypto = add(app, "BINANCE", "BTC/USDT", "DOGE/USDT")
    stocks = add(app, "YAHOO", "AAPL", "NOPE")
    ids = [*crypto.values(), *stocks.values()]
    with app.app_context():
        result = quotes.refresh(ids)
    assert result.refreshed == {crypto["BTC/USDT"]: BTC, stocks["AAPL"]: AAPL}
    assert "BINANCE does not list symbol 'DOGE/USDT'" in result.failed[crypto["DOGE/USDT"]]
    assert "YAHOO sent no quote for 'NOPE'" in result.failed[stocks["NOPE"]]
    [tickers] = requests(fake_binance, "/api/v3/ticker/24hr")
    assert tickers["symbols"] == '["BTCUSDT"]'  # the unknown one never reaches the exchange
    fake_binance.clear_log()
    fake_yahoo.clear_log()
    with app.app_context():
        again = quotes.refresh(ids)
    assert set(again.failed) == {crypto["DOGE/USDT"], stocks["NOPE"]}
    assert fake_binance.log == fake_yahoo.log == []  # the others are fresh, these backed off
    clock[0] += 16
    with app.app_context():
        quotes.refresh(ids)
    assert requests(fake_yahoo, "/v7/finance/spark") == [
        {"symbols": "NOPE", "range": "1d", "interval": "1d"}
    ]


def test_refresh_for_order_of_unknown_or_unpriced_instruments(app, fake_binance):
    crypto = add(app, "BINANCE", "BTC/USDT")
    acme = add_sim(app, "ACME", "100.00")
    with app.app_context():
        db.session.delete(db.session.get(LastPrice, acme))
        db.session.commit()
        assert quotes.refresh_for_order(999_999) is False
        assert quotes.refresh_for_order(acme) is False  # simulated and never priced
        assert quotes.refresh_for_order(crypto["BTC/USDT"]) is True
    assert stored(app, crypto["BTC/USDT"]).price == BTC


# --- /api/v1/prices ------------------------------------------------------------------------


def test_prices_api_refreshes_stale_quotes(app, member, fake_binance, fake_yahoo):
    crypto = add(app, "BINANCE", "BTC/USDT")
    add(app, "YAHOO", "AAPL")
    add_sim(app, "ACME", "120.50")
    store_price(app, crypto["BTC/USDT"], "39000.00", age_secs=60)
    got = member.get("/api/v1/prices?symbols=BTC/USDT,AAPL,ACME").get_json()["prices"]
    assert [(p["symbol"], p["price"], p["stale"]) for p in got] == [
        ("BTC/USDT", str(BTC.quantize(Decimal("0.01"))), False),
        ("AAPL", str(AAPL.quantize(Decimal("0.01"))), False),
        ("ACME", "120.50", False),
    ]
    assert got[0]["previous_close"] == str(BTC_PREV.quantize(Decimal("0.01")))
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_login(api)}"}
    posted = api.post("/api/v1/prices", json={"symbols": ["BTC/USDT", "AAPL"]}, headers=headers)
    assert [p["price"] for p in posted.get_json()["prices"]] == [got[0]["price"], got[1]["price"]]
    assert len(requests(fake_binance, "/api/v3/ticker/24hr")) == 1  # the POST found them fresh
    assert len(requests(fake_yahoo, "/v7/finance/spark")) == 1


def test_prices_api_marks_quotes_stale_when_the_provider_is_down(app, member, clock):
    crypto = add(app, "BINANCE", "BTC/USDT", "ETH/USDT")
    store_price(app, crypto["BTC/USDT"], "39000.00", age_secs=3_600)
    use_binance_url(app, closed_port_url())
    for _ in range(2):  # the second answer comes from the backoff, without a connection
        response = member.get("/api/v1/prices?symbols=BTC/USDT,ETH/USDT")
        assert response.status_code == 200
        btc, eth = response.get_json()["prices"]
        assert (btc["price"], btc["stale"]) == ("39000.00", True)
        assert (eth["price"], eth["stale"]) == (None, True)
    openapi = member.get("/api/v1/openapi.json").get_json()
    assert "stale" in openapi["components"]["schemas"]["PriceOut"]["properties"]


def test_tickers_page_shows_refreshed_quotes(app, member, fake_binance):
    add(app, "BINANCE", "BTC/USDT")
    page = member.get("/saved-tickers?venue=BINANCE")
    assert page.status_code == 200
    price = BTC.quantize(Decimal("0.01"))
    assert f'<td class="num" data-field="price">{price}</td>' in page.get_data(as_text=True)


# --- the worker's loop task ----------------------------------------------------------------


def _position(app: Flask, user_id: int, instrument_id: int, quantity: str) -> None:
    with app.app_context():
        account = db.session.query(Account).filter_by(user_id=user_id).one()
        db.session.add(
            Position(
                account_id=account.id,
                instrument_id=instrument_id,
                quantity=Decimal(quantity),
                cost_basis=Decimal(quantity) * 100,
            )
        )
        db.session.commit()


def test_worker_refreshes_held_and_working_instruments_and_triggers_orders(
    app, fake_binance, fake_yahoo
):
    crypto = add(app, "BINANCE", "BTC/USDT", "ETH/USDT", "BNB/BTC")
    stocks = add(app, "YAHOO", "AAPL", "MSFT")
    acme = add_sim(app, "ACME", "100.00")
    user = create_user(app, "alice")
    with app.app_context():
        ledger.deposit(user.id, "100000.00")
    everything = [*crypto.values(), *stocks.values()]
    for iid in everything:  # fresh for now: placing the order below asks no provider
        store_price(app, iid, "50000.00", age_secs=0)
    _position(app, user.id, stocks["AAPL"], "3")
    _position(app, user.id, stocks["MSFT"], "0")  # closed: nothing to revalue
    _position(app, user.id, acme, "5")  # simulated: the engine's business
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_login(api, 'alice')}"}
    # Resting at 50,000: a buy limit between the fake's price and the stored one.
    limit = BTC.quantize(Decimal("0.01")) + 100
    placed = api.post(
        "/api/v1/orders",
        json={
            "symbol": "BTC/USDT",
            "side": "buy",
            "type": "limit",
            "quantity": "1",
            "limit_price": str(limit),
        },
        headers=headers,
    )
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()["order"]
    assert order["status"] == "open"
    assert fake_binance.log == fake_yahoo.log == []
    for iid in everything:
        store_price(app, iid, "50000.00", age_secs=3_600)
    seen: list[int] = []

    def on_ticks(_sender, ticks=(), **_):
        seen.extend(t.instrument_id for t in ticks)

    events.signal(TICK_SIGNAL).connect(on_ticks)
    try:
        with app.app_context():
            result = quotes.refresh_working()
    finally:
        events.signal(TICK_SIGNAL).disconnect(on_ticks)
    assert set(result.refreshed) == {crypto["BTC/USDT"], stocks["AAPL"]}
    assert sorted(seen) == sorted(result.refreshed)
    [tickers] = requests(fake_binance, "/api/v3/ticker/24hr")
    assert tickers["symbols"] == '["BTCUSDT"]'
    [spark] = requests(fake_yahoo, "/v7/finance/spark")
    assert spark["symbols"] == "AAPL"
    assert stored(app, crypto["ETH/USDT"]).price == Decimal("50000.00")  # nobody's business
    # The order cycle heard the tick: the limit order filled at the refreshed price.
    with app.app_context():
        row = db.session.get(Order, order["id"])
        assert row.status == "filled"
    detail = api.get(f"/api/v1/orders/{order['id']}", headers=headers).get_json()["order"]
    assert BTC <= Decimal(detail["fill_price"]) < BTC + Decimal("0.01")  # on the tick grid


def test_worker_task_is_registered_unless_disabled(app, tmp_path):
    assert "market.quotes" in [t.name for t in app.extensions[LOOP_KEY]]
    task = next(t for t in app.extensions[LOOP_KEY] if t.name == "market.quotes")
    assert task.interval_secs == 10
    off = market_app(tmp_path / "off", QUOTE_POLL_SECS="0")
    assert "market.quotes" not in [t.name for t in off.extensions[LOOP_KEY]]
    with off.app_context():
        db.session.remove()
        db.engine.dispose()


def test_worker_task_with_nothing_to_do_asks_nobody(app, fake_binance):
    add(app, "BINANCE", "BTC/USDT")
    with recorded_statements(app) as statements, app.app_context():
        assert quotes.refresh_working() == quotes.RefreshResult()
    assert len(statements) == 1 and fake_binance.log == []


def test_quote_times_are_aware_utc(app, fake_binance):
    crypto = add(app, "BINANCE", "BTC/USDT")
    with app.app_context():
        quotes.refresh(crypto.values())
    assert stored(app, crypto["BTC/USDT"]).updated_at.tzinfo is not None
    assert stored(app, crypto["BTC/USDT"]).updated_at > datetime(2025, 1, 1, tzinfo=UTC)
