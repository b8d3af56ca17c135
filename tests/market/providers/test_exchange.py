import socket
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from tests.fakes.binance import INVALID_SYMBOL, TOO_MANY, kline
from tradedeck.market.providers.base import MarketDataProvider, ProviderError
from tradedeck.market.providers.exchange import ExchangeProvider

START = datetime(2024, 1, 1, tzinfo=UTC)
START_MS = int(START.timestamp() * 1000)


def _provider(url: str, **kw) -> ExchangeProvider:
    return ExchangeProvider("binance", base_url=url, backoff_seconds=0.01, **kw)


def test_symbols_come_from_exchange_info(fake_binance):
    p = _provider(fake_binance.url)
    assert isinstance(p, MarketDataProvider)
    info = {i.symbol: i for i in p.list_symbols()}
    assert set(info) == {"BTC/USDT", "ETH/USDT", "BNB/BTC"}
    btc = info["BTC/USDT"]
    assert (btc.venue, btc.base, btc.quote, btc.status) == ("BINANCE", "BTC", "USDT", "active")
    assert btc.tick_size == Decimal("0.01")
    assert btc.min_qty == Decimal("0.0001")
    assert info["BNB/BTC"].tick_size == Decimal("0.000001")
    assert {r.path for r in fake_binance.log} == {"/api/v3/exchangeInfo"}


def test_three_page_backfill_has_no_gap_or_duplicate(fake_binance):
    p = _provider(fake_binance.url)
    n = 2_500
    end = datetime.fromtimestamp(START.timestamp() + n * 900, tz=UTC)
    candles = p.fetch_ohlcv("BTCUSDT", "15m", START, end)
    assert len(candles) == n
    assert candles.time[0] == START.timestamp()
    assert np.all(np.diff(candles.time) == 900)
    expected = [kline("BTCUSDT", "15m", START_MS + i * 900_000) for i in (0, 1_234, n - 1)]
    for i, row in zip((0, 1_234, n - 1), expected, strict=True):
        assert candles.open[i] == float(row[1])
        assert candles.close[i] == float(row[4])
        assert candles.volume[i] == float(row[5])
    pages = fake_binance.requests_to("/api/v3/klines")
    assert [int(q["startTime"]) for q in pages] == [
        START_MS,
        START_MS + 1000 * 900_000,
        START_MS + 2000 * 900_000,
    ]
    assert {q["limit"] for q in pages} == {"1000"}
    assert {q["symbol"] for q in pages} == {"BTCUSDT"}
    assert {q["endTime"] for q in pages} == {str(START_MS + n * 900_000 - 1)}


def test_range_beyond_available_data_stops_on_empty_page(fake_binance):
    p = _provider(fake_binance.url)
    candles = p.fetch_ohlcv(
        "ETH/USDT", "1d", datetime(2023, 12, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    )
    assert candles.time[0] == START.timestamp()
    assert candles.time[-1] == datetime(2024, 3, 1, tzinfo=UTC).timestamp()
    assert len(candles) == 61


def test_429_is_retried_with_backoff(fake_binance):
    waits: list[float] = []
    p = ExchangeProvider(
        "binance", base_url=fake_binance.url, backoff_seconds=0.25, sleep=waits.append
    )
    fake_binance.inject("/api/v3/klines", 429, TOO_MANY, times=2)
    candles = p.fetch_ohlcv("BTC/USDT", "15m", START, datetime(2024, 1, 2, tzinfo=UTC))
    assert len(candles) == 96
    assert waits == [0.25, 0.5]
    assert len(fake_binance.requests_to("/api/v3/klines")) == 3


def test_429_honours_retry_after(fake_binance):
    """The hand-written loop ignored Retry-After and retried sooner than asked."""
    waits: list[float] = []
    p = ExchangeProvider(
        "binance", base_url=fake_binance.url, backoff_seconds=0.25, sleep=waits.append
    )
    fake_binance.inject("/api/v3/klines", 429, TOO_MANY, times=2, **{"Retry-After": "3"})
    candles = p.fetch_ohlcv("BTC/USDT", "15m", START, datetime(2024, 1, 2, tzinfo=UTC))
    assert len(candles) == 96
    assert waits == [3.0, 3.0]


def test_retry_after_beyond_the_budget_gives_up_at_once(fake_binance):
    waits: list[float] = []
    p = ExchangeProvider(
        "binance", base_url=fake_binance.url, max_backoff_seconds=8.0, sleep=waits.append
    )
    p.list_symbols()
    fake_binance.inject("/api/v3/klines", 429, TOO_MANY, times=5, **{"Retry-After": "60"})
    with pytest.raises(ProviderError, match="rate-limiting") as info:
        p.fetch_ohlcv("BTC/USDT", "1h", START, datetime(2024, 1, 2, tzinfo=UTC))
    assert info.value.retryable and waits == []
    assert len(fake_binance.requests_to("/api/v3/klines")) == 1


def test_persistent_5xx_gives_up_after_bounded_retries(fake_binance):
    p = _provider(fake_binance.url, max_retries=2)
    fake_binance.inject("/api/v3/klines", 503, "Service Unavailable", times=10)
    with pytest.raises(ProviderError, match="Cannot reach BINANCE") as info:
        p.fetch_ohlcv("BTC/USDT", "1h", START, datetime(2024, 1, 2, tzinfo=UTC))
    assert info.value.retryable
    assert len(fake_binance.requests_to("/api/v3/klines")) == 3


def test_malformed_json_is_a_clear_error(fake_binance):
    p = _provider(fake_binance.url)
    fake_binance.inject("/api/v3/klines", 200, '[[1704067200000, "1.0", "2', times=1)
    with pytest.raises(ProviderError, match=r"BINANCE sent a malformed response.*malformed JSON"):
        p.fetch_ohlcv("BTC/USDT", "1h", START, datetime(2024, 1, 2, tzinfo=UTC))


def test_html_instead_of_json_is_a_clear_error(fake_binance):
    fake_binance.inject("/api/v3/exchangeInfo", 200, "<html>maintenance</html>")
    with pytest.raises(ProviderError, match="malformed response while loading markets"):
        _provider(fake_binance.url).list_symbols()


def test_unknown_symbol_locally_and_from_the_server(fake_binance):
    p = _provider(fake_binance.url)
    with pytest.raises(ProviderError, match="BINANCE does not list symbol 'DOGE/EUR'"):
        p.fetch_ohlcv("DOGE/EUR", "1h", START, datetime(2024, 1, 2, tzinfo=UTC))
    fake_binance.inject("/api/v3/klines", 400, INVALID_SYMBOL)
    with pytest.raises(ProviderError, match="BINANCE does not list symbol 'BTC/USDT'") as info:
        p.fetch_ohlcv("BTC/USDT", "1h", START, datetime(2024, 1, 2, tzinfo=UTC))
    assert not info.value.retryable


def test_closed_port_says_offline():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = _provider(f"http://127.0.0.1:{port}", max_retries=1)
    with pytest.raises(
        ProviderError, match=r"Cannot reach BINANCE at http://127.0.0.1:\d+ .*offline"
    ):
        p.list_symbols()


def test_quotes_are_decimal(fake_binance):
    p = _provider(fake_binance.url)
    q = p.latest_quote("BTC/USDT")
    row = fake_binance.requests_to("/api/v3/ticker/24hr")[0]
    assert row == {"symbol": "BTCUSDT"}
    assert isinstance(q.price, Decimal) and q.price > 0
    assert q.bid < q.price < q.ask
    assert q.currency == "USDT"
    batch = p.batch_quotes(["BTCUSDT", "ETH/USDT"])
    assert set(batch) == {"BTCUSDT", "ETH/USDT"}
    assert batch["BTCUSDT"].price == q.price


def test_unknown_exchange_and_interval(fake_binance):
    with pytest.raises(ProviderError, match="Unknown exchange 'nasdaqx'"):
        ExchangeProvider("nasdaqx")
    with pytest.raises(ProviderError, match="no '7m' candles"):
        _provider(fake_binance.url).fetch_ohlcv("BTC/USDT", "7m", START, START)


def test_other_exchanges_are_selectable_and_rebased():
    for name in ("coinbase", "kraken", "bybit"):
        p = ExchangeProvider(name, base_url="http://127.0.0.1:9")
        assert p.venue == name.upper()
        urls = p._client.urls["api"]
        leaves = urls.values() if isinstance(urls, dict) else [urls]
        flat = [v for leaf in leaves for v in (leaf.values() if isinstance(leaf, dict) else [leaf])]
        assert all(str(u).startswith("http://127.0.0.1:9") for u in flat)
