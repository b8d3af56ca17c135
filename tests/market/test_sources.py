"""Providers kept per venue and app, with a short budget inside web requests."""

from tests.market.helpers import add_sim
from tradedeck.extensions import db
from tradedeck.market import catalogue
from tradedeck.market.providers.base import InstrumentInfo
from tradedeck.market.sources import WORKER_RETRIES, shared_provider

WINDOW = "start=2024-01-01&end=2024-01-02&interval=1h"


def _btc(app) -> None:
    with app.app_context():
        info = InstrumentInfo("BTC/USDT", "BTC/USDT", "BINANCE", "crypto", "BTC", "USDT")
        catalogue.upsert_instruments(catalogue.ensure_venue("BINANCE"), [info])
        db.session.commit()


def test_requests_reuse_one_provider_per_venue(app, member, fake_binance):
    """Each request built a ccxt provider and loaded the exchange's markets again."""
    _btc(app)
    for day in ("01", "02", "03"):
        window = f"start=2024-01-{day}&end=2024-01-{day}T12:00&interval=1h"
        assert member.get(f"/api/v1/candles?symbol=BTC/USDT&{window}").status_code == 200
    assert member.get("/api/v1/prices?symbols=BTC/USDT").status_code == 200
    assert len(fake_binance.requests_to("/api/v3/exchangeInfo")) == 1


def test_web_requests_get_the_short_budget_and_the_worker_the_long_one(app):
    _btc(app)
    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(
        update={"provider_web_timeout_secs": 2.5, "provider_web_retries": 0}
    )
    with app.test_request_context("/api/v1/candles"):
        web = shared_provider("binance")
        assert shared_provider("BINANCE") is web
        assert (web._client.timeout, web._max_retries) == (2500, 0)
    with app.app_context():
        worker = shared_provider("BINANCE")
        assert worker is not web
        assert (worker._client.timeout, worker._max_retries) == (10_000, WORKER_RETRIES)
        assert shared_provider("SIM") is not shared_provider("SIM")  # mirrors the catalogue


def test_a_failing_exchange_costs_a_web_request_only_its_small_budget(app, member, fake_binance):
    """A request used to retry 4 times with backoff (about 57 s against a dead exchange)."""
    _btc(app)
    add_sim(app, "ACME", days=0.1)
    fake_binance.inject("/api/v3/klines", 503, "Service Unavailable", times=50)
    response = member.get(f"/api/v1/candles?symbol=BTC/USDT&{WINDOW}")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "provider_unavailable"
    assert len(fake_binance.requests_to("/api/v3/klines")) == 2  # PROVIDER_WEB_RETRIES = 1
