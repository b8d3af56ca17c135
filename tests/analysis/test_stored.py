"""GET /api/v1/analytics: stored candles, warm-up before `start`, window cut, re-based indexes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.analysis.helpers import STEP, T0
from tests.fakes.binance import NOW_MS, FakeBinance
from tradedeck.analysis.window import PATTERN_WARMUP
from tradedeck.core.analytics import analyze
from tradedeck.extensions import db
from tradedeck.market import catalogue
from tradedeck.market.providers.base import InstrumentInfo

ALL = "sma,ema,rsi,atr,macd,bollinger,swings,bos,gaps,fvg,ob,liquidity,previous_hl"
FIRST, LAST = 2_500, 3_300  # window [FIRST, LAST) of the 4,000 stored bars


def _get(client, auth, **query: Any):
    return client.get("/api/v1/analytics", query_string=query, headers=auth)


def _times(event: dict[str, Any]) -> list[int | None]:
    return [value for key, value in event.items() if key == "time" or key.endswith("_time")]


def _reach(event: dict[str, Any]) -> float:
    """Last bar time of an event; open events (a null outcome) reach the right edge."""
    times = _times(event)
    return float("inf") if None in times else max(times)


def _start(event: dict[str, Any]) -> int:
    return min(t for t in _times(event) if t is not None)


def test_window_equals_full_series_cut(client, auth, stored):
    """Values equal the whole history's; events are the whole history's that reach into the
    window (none altered, none extra), all of them when they began within the warm-up."""
    start, end = T0 + FIRST * STEP, T0 + LAST * STEP
    response = _get(client, auth, symbol="ACME", interval="15m", start=start, end=end, studies=ALL)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    full = analyze({k: v[:LAST] for k, v in stored.items()}, ALL)
    assert (body["start"], body["end"], body["venue"]) == (start, end, "SIM")
    assert body["time"] == stored["time"][FIRST:LAST].tolist()
    horizon = T0 + (FIRST - PATTERN_WARMUP) * STEP
    for name, expected in full.items():
        got = body["studies"][name]
        assert got["study"] == expected["study"] and got["params"] == expected["params"]
        if "values" in expected:
            _assert_values_equal(got["values"], expected["values"])
            continue
        wanted = [_rebased(e) for e in expected["events"] if _reach(e) >= start]
        assert all(event in wanted for event in got["events"]), name
        recent = [e for e in wanted if _start(e) >= horizon]
        assert all(event in got["events"] for event in recent), name
        assert got["events"] == sorted(got["events"], key=wanted.index), name


def _rebased(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v - FIRST if k.endswith("index") and v is not None else v for k, v in event.items()}


def _assert_values_equal(got: Any, expected: Any) -> None:
    if isinstance(expected, dict):
        assert got.keys() == expected.keys()
        for key in expected:
            _assert_values_equal(got[key], expected[key])
        return
    window = expected[FIRST:LAST]
    assert [v is None for v in got] == [v is None for v in window]
    assert np.allclose(
        [v for v in got if v is not None], [v for v in window if v is not None], rtol=1e-9
    )


def test_first_visible_bars_need_the_warm_up(client, auth, stored):
    """RSI and a swing on the window's first bar exist only thanks to earlier history."""
    params = {"rsi": {"length": 21}, "swings": {"length": 3}}
    full = analyze(stored, "rsi,swings", params)
    first = min(e["index"] for e in full["swings"]["events"] if e["index"] >= FIRST)
    start = T0 + first * STEP
    query = {"symbol": "ACME", "start": start, "end": start + 50 * STEP, "studies": "rsi,swings"}
    body = _get(client, auth, **query, **{"rsi.length": "21", "swings.length": "3"}).get_json()
    assert body["studies"]["rsi"]["params"] == {"length": 21}
    assert body["studies"]["rsi"]["values"][0] == pytest.approx(
        full["rsi"]["values"][first], rel=1e-9
    )
    swings = body["studies"]["swings"]["events"]
    assert [e["time"] for e in swings if e["index"] == 0] == [start]


def test_without_start_the_window_is_1000_bars_like_the_candles_route(client, auth, stored):
    end = T0 + 3_000 * STEP
    body = _get(client, auth, symbol="ACME", studies="sma", end=str(end)).get_json()
    assert body["time"] == stored["time"][2_000:3_000].tolist()
    assert len(body["studies"]["sma"]["values"]) == 1_000


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"studies": "swings,nope"}, "studies"),
        ({"studies": ""}, "studies"),
        ({"studies": "swings", "swings.length": "x"}, "swings.length"),
        ({"studies": "swings", "swings.length": "0"}, "swings.length"),
        ({"studies": "swings", "swings.colour": "red"}, "swings.colour"),
        ({"studies": "swings", "rsi.length": "14"}, "rsi.length"),
        ({"studies": "swings", "whatever": "1"}, "whatever"),
        ({"studies": "swings", "interval": "7m"}, "interval"),
        ({"studies": "swings", "start": "yesterday"}, "start"),
        ({"studies": "swings", "start": str(T0 + 99), "end": str(T0)}, "end"),
        ({"studies": "swings", "start": "2000-01-01", "end": "2030-01-01"}, "start"),
        # Epochs `datetime` cannot hold were a 500.
        ({"studies": "sma", "start": "-99999999999999999999"}, "start"),
        ({"studies": "sma", "end": "99999999999999999999"}, "end"),
        ({"studies": "sma", "start": "-99999999999", "end": "-99999999990"}, "start"),
        ({"studies": "sma", "start": "0001-01-01T00:00:00+01:00"}, "start"),
    ],
)
def test_bad_query_is_a_400_naming_the_field(client, auth, stored, query, field):
    response = _get(client, auth, symbol="ACME", **query)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_unknown_symbol_is_a_404(client, auth, stored):
    response = _get(client, auth, symbol="NOPE", studies="swings")
    assert response.status_code == 404
    assert response.get_json()["error"]["field"] == "symbol"


def test_login_is_required(client, stored):
    response = client.get("/api/v1/analytics?symbol=ACME&studies=swings")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def _settings(app, **changes: Any) -> None:
    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(update=changes)


def test_window_is_capped_by_analytics_max_bars(app, client, auth, stored):
    _settings(app, analytics_max_bars=500)
    start = T0 + FIRST * STEP
    ok = _get(client, auth, symbol="ACME", start=start, end=start + 500 * STEP, studies="sma")
    assert ok.status_code == 200
    assert len(ok.get_json()["time"]) == 500
    refused = _get(client, auth, symbol="ACME", start=start, end=start + 501 * STEP, studies="sma")
    assert refused.status_code == 400
    error = refused.get_json()["error"]
    assert error["field"] == "start" and "500" in error["message"]


def test_warm_up_is_capped_and_never_backfilled_beyond_the_cap(app, client, auth):
    """Parameters up to 100,000 asked for millions of warm-up bars: an exchange venue was
    backfilled from its listing date."""
    with FakeBinance() as fake:
        _settings(app, binance_url=fake.url, analytics_max_warmup_bars=100)
        with app.app_context():
            info = InstrumentInfo("BTC/USDT", "BTC/USDT", "BINANCE", "crypto", "BTC", "USDT")
            catalogue.upsert_instruments(catalogue.ensure_venue("BINANCE"), [info])
            db.session.commit()
        start = NOW_MS // 1000 - 3_600
        response = _get(
            client,
            auth,
            symbol="BTC/USDT",
            interval="1m",
            start=start,
            end=start + 600,
            studies="ema,macd",
            **{"ema.length": "100000", "macd.slow": "100000", "macd.signal": "100000"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        asked = [int(r["startTime"]) for r in fake.requests_to("/api/v3/klines")]
        assert min(asked) >= (start - 100 * 60) * 1000
        assert len(response.get_json()["studies"]["ema"]["values"]) == 10


@pytest.mark.parametrize(
    ("fault", "status", "code", "field"),
    [
        ((503, "Service Unavailable"), 503, "provider_unavailable", "venue"),
        ((400, {"code": -1121, "msg": "Invalid symbol."}), 502, "provider_error", "symbol"),
    ],
)
def test_provider_faults_are_answered_by_the_error_handler(
    app, client, auth, fault, status, code, field
):
    """ProviderError is a DomainError: 503 when trying later may help, 502 when the venue
    refuses, the same answer as /api/v1/candles gives."""
    with FakeBinance() as fake:
        _settings(app, binance_url=fake.url)
        app.config["MARKET_PROVIDER_BACKOFF"] = 0.01
        with app.app_context():
            info = InstrumentInfo("BTC/USDT", "BTC/USDT", "BINANCE", "crypto", "BTC", "USDT")
            catalogue.upsert_instruments(catalogue.ensure_venue("BINANCE"), [info])
            db.session.commit()
        fake.inject("/api/v3/klines", *fault, times=20)
        start = NOW_MS // 1000 - 3_600
        query = {"symbol": "BTC/USDT", "interval": "1m", "start": start, "end": start + 600}
        for path in ("/api/v1/analytics", "/api/v1/candles"):
            response = client.get(path, query_string={**query, "studies": "sma"}, headers=auth)
            assert response.status_code == status, response.get_data(as_text=True)
            assert response.get_json()["error"]["code"] == code
            assert response.get_json()["error"]["field"] == field
