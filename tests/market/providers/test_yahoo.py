import socket
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from tests.fakes.yahoo import NOW, bar_times, price_at
from tradedeck.market.providers.base import (
    MarketDataProvider,
    ProviderError,
    retry_after_seconds,
)
from tradedeck.market.providers.yahoo import YahooProvider


def _provider(url: str, **kw) -> YahooProvider:
    return YahooProvider(url, backoff_seconds=0.0, **kw)


def test_quote_is_decimal_with_previous_close(fake_yahoo):
    p = _provider(fake_yahoo.url)
    assert isinstance(p, MarketDataProvider)
    q = p.latest_quote("AAPL")
    assert q.price == Decimal(str(price_at("AAPL", NOW)))
    assert q.previous_close == Decimal(str(price_at("AAPL", NOW - 86_400)))
    assert q.time == datetime.fromtimestamp(NOW, tz=UTC)
    assert q.currency == "USD"


def test_nse_symbol_quote_and_history(fake_yahoo):
    p = _provider(fake_yahoo.url, symbols=["RELIANCE.NS"])
    assert p.latest_quote("RELIANCE.NS").currency == "INR"
    [info] = p.list_symbols()
    assert (info.symbol, info.venue, info.quote, info.tick_size) == (
        "RELIANCE.NS",
        "YAHOO",
        "INR",
        Decimal("0.01"),
    )
    assert info.name == "Reliance Industries Limited"
    day = p.fetch_ohlcv(
        "RELIANCE.NS", "1d", datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)
    )
    sessions = bar_times("RELIANCE.NS", "1d", 1_706_745_600, 1_709_251_200)
    assert len(sessions) == 21  # weekdays of February 2024
    valid = [t // 86_400 * 86_400 for t in sessions if (t // 60) % 41]  # fake nulls some bars
    assert day.time.tolist() == valid
    assert fake_yahoo.log[-1].path == "/v8/finance/chart/RELIANCE.NS"


def test_batch_quotes_use_spark_in_chunks_and_skip_unknown(fake_yahoo):
    p = _provider(fake_yahoo.url)
    symbols = ["AAPL", "MSFT", "RELIANCE.NS", *(f"X{i}" for i in range(20))]
    quotes = p.batch_quotes(symbols)
    assert set(quotes) == {"AAPL", "MSFT", "RELIANCE.NS"}
    assert quotes["MSFT"].price == Decimal(str(price_at("MSFT", NOW)))
    spark = fake_yahoo.requests_to("/v7/finance/spark")
    assert [len(r["symbols"].split(",")) for r in spark] == [20, 3]


def test_intraday_history_is_bucketed_and_drops_null_bars(fake_yahoo):
    p = _provider(fake_yahoo.url)
    start, end = datetime(2024, 2, 26, tzinfo=UTC), datetime(2024, 2, 27, tzinfo=UTC)
    m5 = p.fetch_ohlcv("AAPL", "5m", start, end)
    h1 = p.fetch_ohlcv("AAPL", "1h", start, end)
    assert 70 <= len(m5) < 78  # 6.5 h session, a few null bars dropped
    assert np.all(np.isfinite(m5.close))
    assert np.all(m5.time % 300 == 0)
    assert h1.time.tolist() == [int(start.timestamp()) + h * 3600 for h in range(14, 21)]
    assert fake_yahoo.requests_to("/v8/finance/chart/AAPL")[-1]["interval"] == "60m"


def test_one_minute_history_is_fetched_in_seven_day_windows(fake_yahoo):
    p = _provider(fake_yahoo.url)
    candles = p.fetch_ohlcv(
        "AAPL", "1m", datetime(2024, 2, 12, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)
    )
    windows = fake_yahoo.requests_to("/v8/finance/chart/AAPL")
    assert len(windows) == 3
    assert [int(w["period2"]) - int(w["period1"]) for w in windows[:2]] == [7 * 86_400] * 2
    assert int(windows[0]["period2"]) == int(windows[1]["period1"])
    assert len(candles) > 13 * 380
    assert np.all(np.diff(candles.time) > 0)


def test_unknown_symbol_is_a_clear_error(fake_yahoo):
    with pytest.raises(ProviderError, match=r"Yahoo Finance has no data for 'NOPE\.NS'"):
        _provider(fake_yahoo.url).latest_quote("NOPE.NS")


def test_429_then_success_is_retried(fake_yahoo):
    waits: list[float] = []
    p = YahooProvider(fake_yahoo.url, backoff_seconds=0.5, sleep=waits.append)
    fake_yahoo.inject("/v8/finance/chart/", 429, "Edge: Too Many Requests", times=2)
    assert p.latest_quote("AAPL").currency == "USD"
    assert waits == [0.5, 1.0]


def test_5xx_honours_retry_after_and_gives_up_when_it_is_too_long(fake_yahoo):
    waits: list[float] = []
    p = YahooProvider(fake_yahoo.url, max_backoff_seconds=8.0, sleep=waits.append)
    fake_yahoo.inject("/v8/finance/chart/", 503, "busy", times=1, **{"Retry-After": "2"})
    assert p.latest_quote("AAPL").currency == "USD"
    assert waits == [2.0]
    fake_yahoo.inject("/v8/finance/chart/", 429, "slow down", times=5, **{"Retry-After": "120"})
    with pytest.raises(ProviderError, match="HTTP 429"):
        p.latest_quote("AAPL")
    assert waits == [2.0]


def test_retry_after_as_seconds_or_http_date():
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_persistent_429_gives_up(fake_yahoo):
    p = _provider(fake_yahoo.url, max_retries=1)
    fake_yahoo.inject("/v8/finance/chart/", 429, "Edge: Too Many Requests", times=5)
    with pytest.raises(ProviderError, match="HTTP 429; gave up after retries") as info:
        p.latest_quote("AAPL")
    assert info.value.retryable


def test_malformed_json_is_a_clear_error(fake_yahoo):
    fake_yahoo.inject("/v7/finance/spark", 200, '{"spark": {"result": [')
    with pytest.raises(ProviderError, match="malformed response"):
        _provider(fake_yahoo.url).batch_quotes(["AAPL"])


def test_bad_interval_passes_yahoo_message(fake_yahoo):
    fake_yahoo.inject(
        "/v8/finance/chart/",
        422,
        {
            "chart": {
                "result": None,
                "error": {
                    "code": "Unprocessable Entity",
                    "description": "Invalid input - interval=60m",
                },
            }
        },
    )
    with pytest.raises(ProviderError, match="Invalid input - interval=60m"):
        _provider(fake_yahoo.url).fetch_ohlcv(
            "AAPL", "4h", datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 2, 2, tzinfo=UTC)
        )


def test_closed_port_says_offline():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = _provider(f"http://127.0.0.1:{port}", max_retries=1)
    with pytest.raises(
        ProviderError, match=r"Cannot reach Yahoo Finance at http://127.0.0.1:\d+ \(offline"
    ):
        p.latest_quote("AAPL")
