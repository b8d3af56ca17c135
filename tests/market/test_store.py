from datetime import UTC, datetime

import numpy as np
import pytest

from tests.fakes.binance import LISTED_MS, kline
from tests.market.helpers import closed_port_url
from tradedeck.core.candles import OHLCV, resample
from tradedeck.extensions import db
from tradedeck.market import catalogue, store
from tradedeck.market.models import Candle, CandleSpan
from tradedeck.market.providers.base import InstrumentInfo, ProviderError
from tradedeck.market.providers.exchange import ExchangeProvider

START = LISTED_MS // 1000
N = 2_500  # three pages of 15m klines


def _instrument(symbol: str = "BTC/USDT"):
    venue = catalogue.ensure_venue("BINANCE")
    info = InstrumentInfo(symbol, symbol, "BINANCE", "crypto", "BTC", "USDT")
    catalogue.upsert_instruments(venue, [info])
    db.session.commit()
    return catalogue.get_instrument(symbol)


def _provider(url: str) -> ExchangeProvider:
    return ExchangeProvider("binance", base_url=url, backoff_seconds=0.01)


def _count() -> int:
    return db.session.query(Candle).count()


def test_upsert_replaces_instead_of_duplicating(app):
    with app.app_context():
        inst = _instrument()
        candles = OHLCV.from_columns(
            [0, 60, 120], [1, 2, 3], [2, 3, 4], [0, 1, 2], [2, 3, 4], [5] * 3
        )
        store.upsert_candles(inst.id, "1m", candles)
        changed = OHLCV.from_columns([60], [9], [9], [9], [9], [1])
        store.upsert_candles(inst.id, "1m", changed)
        db.session.commit()
        read = store.read_candles(inst.id, "1m", 0, 180)
        assert read.time.tolist() == [0, 60, 120]
        assert read.close.tolist() == [2, 9, 4]
        assert store.read_candles(inst.id, "1m", 0, 180, limit=2).time.tolist() == [60, 120]


def test_spans_merge_and_report_gaps(app):
    with app.app_context():
        inst = _instrument()
        store.record_span(inst.id, "1h", 0, 3600)
        store.record_span(inst.id, "1h", 7200, 10800)
        assert store.missing_spans(inst.id, "1h", 0, 14400) == [(3600, 7200), (10800, 14400)]
        store.record_span(inst.id, "1h", 3600, 7200)
        db.session.commit()
        spans = db.session.query(CandleSpan).all()
        assert [(s.start, s.end) for s in spans] == [(0, 10800)]


def test_three_page_backfill_then_second_backfill_makes_no_request(app, fake_binance):
    with app.app_context():
        inst = _instrument()
        end = START + N * 900
        assert store.ensure_range(inst, "15m", START, end, _provider(fake_binance.url)) == N
        candles = store.read_candles(inst.id, "15m", START, end)
        assert len(candles) == N and np.all(np.diff(candles.time) == 900)
        row = kline("BTCUSDT", "15m", LISTED_MS + 1_234 * 900_000)
        assert candles.close[1_234] == float(row[4])
        assert len(fake_binance.requests_to("/api/v3/klines")) == 3
        before = len(fake_binance.log)
        assert store.ensure_range(inst, "15m", START, end, _provider(fake_binance.url)) == 0
        assert (
            store.ensure_range(inst, "15m", START + 9000, end - 9000, _provider(fake_binance.url))
            == 0
        )
        assert len(fake_binance.log) == before
        # Extending the range asks only for the new span.
        store.ensure_range(inst, "15m", START, end + 900 * 10, _provider(fake_binance.url))
        pages = fake_binance.requests_to("/api/v3/klines")[3:]
        assert [int(p["startTime"]) for p in pages] == [end * 1000]
        assert _count() == N + 10


def test_rate_limited_request_is_retried(app, fake_binance):
    with app.app_context():
        inst = _instrument()
        fake_binance.inject("/api/v3/klines", 429, {"code": -1003, "msg": "Too many"}, times=1)
        stored = store.ensure_range(
            inst, "1h", START, START + 48 * 3600, _provider(fake_binance.url)
        )
        assert stored == 48
        assert len(fake_binance.requests_to("/api/v3/klines")) == 2


def test_malformed_second_page_stores_nothing(app, fake_binance):
    original = fake_binance._klines

    def broken(params):
        if int(params.get("startTime", 0)) > LISTED_MS:
            from tests.fakes.http import Response

            return Response(200, "[[1, 2, oops")
        return original(params)

    fake_binance._klines = broken
    with app.app_context():
        inst = _instrument()
        with pytest.raises(ProviderError, match="malformed"):
            store.ensure_range(inst, "15m", START, START + N * 900, _provider(fake_binance.url))
        db.session.rollback()
        assert _count() == 0
        assert db.session.query(CandleSpan).count() == 0


def test_unknown_symbol_and_closed_port_give_clear_errors(app, fake_binance):
    with app.app_context():
        inst = _instrument("DOGE/USDT")
        with pytest.raises(ProviderError, match="does not list symbol"):
            store.ensure_range(inst, "1h", START, START + 7200, _provider(fake_binance.url))
        btc = _instrument("BTC/USDT")
        with pytest.raises(ProviderError, match="Cannot reach") as offline:
            store.ensure_range(btc, "1h", START, START + 7200, _provider(closed_port_url()))
        assert offline.value.retryable
        db.session.rollback()
        assert _count() == 0


def test_forming_candle_is_fetched_again_but_not_recorded(app, fake_binance):
    with app.app_context():
        inst = _instrument()
        now = datetime.fromtimestamp(START + 3 * 3600 + 600, UTC)
        store.ensure_range(inst, "1h", START, START + 4 * 3600, _provider(fake_binance.url), now)
        assert store.missing_spans(inst.id, "1h", START, START + 4 * 3600) == [
            (START + 3 * 3600, START + 4 * 3600)
        ]


def test_aggregation_never_double_counts(app):
    with app.app_context():
        inst = _instrument()
        rng = np.random.default_rng(1)
        t = START + 60 * np.arange(600)
        close = 100 + np.cumsum(rng.normal(size=600))
        minutes = OHLCV.from_columns(t, close, close + 1, close - 1, close, rng.uniform(1, 9, 600))
        store.upsert_candles(inst.id, "1m", minutes)
        for _ in range(2):
            store.aggregate(inst.id, "1m", "15m", START, START + 600 * 60)
        store.aggregate(inst.id, "1m", "15m", START + 3000, START + 9000)
        db.session.commit()
        got = store.read_candles(inst.id, "15m", 0, 2**40)
        want = resample(minutes, "15m")
        assert got.time.tolist() == want.time.tolist()
        np.testing.assert_allclose(got.volume, want.volume)
        assert got.volume.sum() == pytest.approx(minutes.volume.sum())
        with pytest.raises(ValueError):
            store.aggregate(inst.id, "15m", "1m", START, START + 60)


def test_prune_ticks_keeps_recent(app):
    from decimal import Decimal

    with app.app_context():
        inst = _instrument()
        now = datetime(2024, 3, 10, tzinfo=UTC)
        old, recent = int(now.timestamp() * 1000) - 8 * 86_400_000, int(now.timestamp() * 1000)
        store.insert_ticks([
            {"instrument_id": inst.id, "time_ms": t, "price": Decimal("1"), "volume": 1.0}
            for t in (old, recent)
        ])  # fmt: skip
        db.session.commit()
        assert store.prune_ticks(7, now) == 1
