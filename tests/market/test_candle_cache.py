"""The candles API's cache of encoded closed candles: identical bytes, invalidation, bounds.

Every answer is compared with the uncached one built the way the API always did (stored
candles -> records -> `jsonify`), byte for byte.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import column, insert, table

from tests.fakes.binance import LISTED_MS
from tests.helpers import app_overrides, create_user, web_login
from tests.market.helpers import NOW, add_sim, market_app
from tradedeck.app import MIGRATIONS_DIR, create_app
from tradedeck.config import ConfigError
from tradedeck.core.candles import OHLCV, bucket_start
from tradedeck.extensions import db
from tradedeck.market import candle_cache, catalogue, services, store
from tradedeck.market.engine import PriceEngine
from tradedeck.market.lock import FileLock
from tradedeck.market.models import Candle, Instrument
from tradedeck.market.providers.base import InstrumentInfo
from tradedeck.market.schemas import MAX_CANDLES

HOUR = 3_600


def _expected(app: Flask, symbol: str, interval: str, start: int, end: int, limit: int) -> bytes:
    """The uncached answer, built as before the cache: read, records, jsonify."""
    with app.app_context():
        instrument = catalogue.get_instrument(symbol)
        series = store.read_candles(instrument.id, interval, start, end, limit)
        body = {
            "symbol": instrument.symbol,
            "venue": instrument.venue.code,
            "interval": interval,
            "candles": series.records(),
        }
        return app.json.response(body).get_data()


def _get(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_data()


def _cache(app: Flask) -> candle_cache.CandleCache:
    return candle_cache.get_cache(app)


def _second_app(tmp_path: Path, name: str = "second", **extra: str) -> Flask:
    """Another process on the same database: its own engine, pool and candle cache."""
    overrides = app_overrides(tmp_path, **extra)
    return create_app(overrides, instance_path=tmp_path / name)


def _version(app: Flask, instrument_id: int, interval: str) -> int | None:
    with app.app_context():
        return store.candle_version(instrument_id, interval)


def _closed(times: list[int], close: float) -> OHLCV:
    n = len(times)
    return OHLCV.from_columns(
        times, [close] * n, [close + 1] * n, [close - 1] * n, [close] * n, [7] * n
    )


def _csv_instrument(app: Flask, symbol: str = "MYCO") -> int:
    with app.app_context():
        venue = catalogue.ensure_venue("CSV")
        instrument = Instrument(venue_id=venue.id, symbol=symbol, name=symbol, base=symbol)
        db.session.add(instrument)
        db.session.commit()
        return instrument.id


def test_cached_answers_are_byte_identical_to_uncached_reads(app, member, tmp_path):
    add_sim(app, "ACME", days=3)
    hour = NOW // HOUR * HOUR
    queries = [
        ("1h", hour - 48 * HOUR, hour, 5),
        ("1h", hour - 48 * HOUR, hour + HOUR, 1_000),
        ("15m", hour - 24 * HOUR, hour, 1_000),
        ("1m", NOW - 2 * 86_400, NOW + 60, 5_000),
        ("1d", NOW - 10 * 86_400, NOW, 3),
        ("4h", 0, 0, 10),  # no start/end: the latest 10 stored up to now
    ]
    plain = _second_app(tmp_path, CANDLE_CACHE_MB="0").test_client()
    assert web_login(plain).status_code == 302
    for interval, start, end, limit in queries:
        span = f"&start={start}&end={end}" if end else ""
        url = f"/api/v1/candles?symbol=ACME&interval={interval}{span}&limit={limit}"
        if not end:  # the API's window for "the latest `limit`"
            with app.app_context():
                instrument = catalogue.get_instrument("ACME")
                window = services.resolve_window(instrument, interval, None, None, limit, 10_000)
                start, end = window.start, window.end
        expected = _expected(app, "ACME", interval, start, end, limit)
        assert b'"time"' in expected  # never a vacuous empty answer
        assert _get(member, url) == expected  # miss: read, encoded, stored
        assert _get(member, url) == expected  # hit
        assert _get(plain, url) == expected  # cache off
    stats = _cache(app).stats()
    assert stats["hits"] >= 5 and stats["entries"] >= 5
    assert stats["bytes"] <= stats["max_bytes"]


def test_engine_ticks_across_bucket_closes_read_exactly_like_uncached(app):
    """Forming and just-closed candles are live; what the engine closes invalidates."""
    iid = add_sim(app, "ACME", days=1)
    engine = PriceEngine(app, lock=FileLock(Path(app.instance_path) / "e.lock"), seed=3)
    try:
        with app.app_context():
            instrument = db.session.get(Instrument, iid)
            before = {i: store.candle_version(iid, i) for i in ("1m", "5m", "1h")}
            for k in range(1, 100):  # every 2 s for 198 s: three or four 1m closes
                t = NOW + 2 * k
                assert engine.step(t)
                for interval in ("1m", "5m", "1h"):
                    for limit in (3, 500):
                        now = t + 0.5
                        span = services.resolve_range(
                            interval, None, None, limit, MAX_CANDLES, now=now
                        )
                        got = services.candles_json(instrument, interval, span, limit, now=now)
                        series = store.read_candles(iid, interval, span.start, span.end, limit)
                        head, tail = candle_cache.envelope("ACME", "SIM", interval)
                        assert got == head + candle_cache.encode_records(series) + tail
                        assert series.time[-1] == bucket_start(t, interval)  # the forming one
            assert store.candle_version(iid, "1m") != before["1m"]  # minutes closed
            assert store.candle_version(iid, "1h") == before["1h"]  # no hour closed
        assert _cache(app).hits > 500
    finally:
        engine.close()


def test_forming_candle_rewrites_are_live_without_a_version_change(app, member):
    iid = _csv_instrument(app)
    forming = int(bucket_start(int(time.time()), "1h"))
    with app.app_context():
        store.upsert_candles(iid, "1h", _closed([forming - HOUR * k for k in range(30, 0, -1)], 10))
        db.session.commit()
    url = "/api/v1/candles?symbol=MYCO&venue=CSV&interval=1h&limit=10"

    def write_forming(close: float) -> None:  # as the engine does on each tick: no new version
        with app.app_context():
            rows = store.candle_rows(iid, "1h", _closed([forming], close))
            store.upsert(Candle.__table__, rows, store.CANDLE_KEY)
            db.session.commit()

    for close in (20.0, 21.5, 19.25):
        write_forming(close)
        version = _version(app, iid, "1h")
        end = int(bucket_start(int(time.time()), "1h")) + HOUR
        body = _get(member, url)
        assert body == _expected(app, "MYCO", "1h", end - 10 * HOUR, end, 10)
        assert f'"close":{close}'.encode() in body
        assert _version(app, iid, "1h") == version
    assert _cache(app).hits >= 2  # the closed prefix came from the cache


def test_upsert_of_closed_candles_in_another_process_invalidates(app, member, tmp_path):
    iid = _csv_instrument(app)
    times = [LISTED_MS // 1000 + HOUR * k for k in range(48)]
    with app.app_context():
        store.upsert_candles(iid, "1h", _closed(times, 10))
        db.session.commit()
    start, end = times[0], times[-1] + HOUR
    url = f"/api/v1/candles?symbol=MYCO&interval=1h&start={start}&end={end}&limit=20"
    first = _get(member, url)
    assert _get(member, url) == first
    writer = _second_app(tmp_path)
    with writer.app_context():
        store.upsert_candles(iid, "1h", _closed(times[-3:-1], 99))  # two closed candles change
        db.session.commit()
        db.engine.dispose()
    after = _get(member, url)
    assert after != first and after == _expected(app, "MYCO", "1h", start, end, 20)
    assert after.count(b'"close":99.0') == 2


def test_only_writes_of_closed_candles_change_the_version(app):
    iid = _csv_instrument(app)
    now = 1_800_000_000
    forming = int(bucket_start(now, "1h"))
    with app.app_context():
        assert store.candle_version(iid, "1h") is None  # never versioned: not cached
        store.upsert_candles(iid, "1h", _closed([forming], 1), now=now)
        assert store.candle_version(iid, "1h") is None
        store.upsert_candles(iid, "1h", _closed([forming - HOUR, forming], 1), now=now)
        first = store.candle_version(iid, "1h")
        store.upsert_candles(iid, "1h", _closed([forming - HOUR], 2), now=now)
        store.bump_candle_versions([(iid, "1h"), (iid, "1h"), (iid, "1d")])
        db.session.commit()
        assert store.candle_version(iid, "1h") == first + 2
        assert store.candle_version(iid, "1d") is not None


def test_csv_import_in_another_process_invalidates(app, member, tmp_path):
    def csv(path: Path, closes: list[float]) -> Path:
        rows = [f"2024-01-0{1 + k // 24} {k % 24:02d}:00:00,1,100,0.5,{c},10" for k, c in
                enumerate(closes)]  # fmt: skip
        path.write_text("time,open,high,low,close,volume\n" + "\n".join(rows) + "\n")
        return path

    cli = ["market", "import-csv", "--symbol", "MYCO", "--venue", "CSV", "--interval", "1h"]
    first_file = csv(tmp_path / "a.csv", [1.5] * 30)
    assert app.test_cli_runner().invoke(args=[*cli, str(first_file)]).exit_code == 0
    url = "/api/v1/candles?symbol=MYCO&interval=1h&start=2024-01-01&end=2024-01-03&limit=30"
    first = _get(member, url)
    assert _get(member, url) == first and _cache(app).hits == 1
    importer = _second_app(tmp_path)
    corrected = csv(tmp_path / "b.csv", [1.5] * 20 + [2.25] * 10)
    result = importer.test_cli_runner().invoke(args=[*cli, str(corrected)])
    assert result.exit_code == 0, result.output
    with importer.app_context():
        db.engine.dispose()
    after = _get(member, url)
    start = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    assert after == _expected(app, "MYCO", "1h", start, start + 2 * 86_400, 30)
    assert after.count(b'"close":2.25') == 10


def test_backfill_in_another_process_changes_the_version_every_process_checks(
    app, member, tmp_path, fake_binance
):
    with app.app_context():
        venue = catalogue.ensure_venue("BINANCE")
        info = InstrumentInfo("BTC/USDT", "BTC/USDT", "BINANCE", "crypto", "BTC", "USDT")
        catalogue.upsert_instruments(venue, [info])
        db.session.commit()
        iid = catalogue.get_instrument("BTC/USDT").id
    start = LISTED_MS // 1000
    url = "/api/v1/candles?symbol=BTC/USDT&interval=1h&start={}&end={}&limit=500"
    short = url.format(start, start + 2 * 86_400)
    first = _get(member, short)  # fetched from the fake exchange, then cached
    assert _get(member, short) == first
    misses, version = _cache(app).misses, _version(app, iid, "1h")
    backfill = _second_app(tmp_path, TRADEDECK_BINANCE_URL=fake_binance.url)
    args = ["market", "backfill", "BTC/USDT", "--interval", "1h"]
    args += ["--start", "2024-01-02", "--end", "2024-01-06"]
    result = backfill.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0 and "Stored 72 new 1h candles" in result.output, result.output
    with backfill.app_context():
        db.engine.dispose()
    assert _version(app, iid, "1h") != version
    requests = len(fake_binance.log)
    expected = _expected(app, "BTC/USDT", "1h", start, start + 2 * 86_400, 500)
    assert _get(member, short) == first == expected
    assert _cache(app).misses == misses + 1  # the new version was read, not the old entry
    long = url.format(start, start + 5 * 86_400)
    assert _get(member, long) == _expected(app, "BTC/USDT", "1h", start, start + 5 * 86_400, 500)
    assert len(fake_binance.log) == requests  # the backfill's candles, nothing fetched again


def test_byte_bound_evicts_least_recently_used(tmp_path):
    app = market_app(tmp_path, CANDLE_CACHE_MB="0.1")  # 104,857 bytes
    add_sim(app, "ACME", days=1)
    create_user(app)
    client = app.test_client()
    assert web_login(client).status_code == 302
    cache = _cache(app)
    ends = [NOW - 3_600 * k for k in range(6)]
    for end in ends:  # 300 1m candles ≈ 36 KB each: two or three fit
        url = f"/api/v1/candles?symbol=ACME&interval=1m&end={end}&limit=300"
        # Without a start: the latest 300 stored candles before `end`, wherever they begin.
        assert _get(client, url) == _expected(app, "ACME", "1m", 0, end, 300)
        assert cache.bytes <= cache.max_bytes
    assert cache.evictions >= 3 and 1 <= len(cache) <= 3
    newest = f"/api/v1/candles?symbol=ACME&interval=1m&end={ends[-1]}&limit=300"
    hits = cache.hits
    _get(client, newest)
    assert cache.hits == hits + 1
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_cache_unit_lru_and_oversized_entries():
    def encoded(n: int) -> candle_cache.Encoded:
        return candle_cache.Encoded.of(_closed([60 * k for k in range(n)], 1.0))

    small = encoded(10)
    cache = candle_cache.CandleCache(3 * small.nbytes)
    keys = [(1, "1m", k, 600, 10) for k in range(4)]
    for key in keys[:3]:
        cache.put(key, 1, small)
    assert cache.get(keys[0], 1) is small  # now the most recently used
    assert cache.get(keys[0], 2) is None  # another version: a miss
    cache.put(keys[3], 1, small)
    assert cache.get(keys[1], 1) is None and cache.evictions == 1
    assert cache.get(keys[0], 1) is small and cache.bytes == 3 * small.nbytes
    cache.put((2, "1m", 0, 0, 10), 1, encoded(1_000))  # larger than the whole cache
    assert len(cache) == 3
    assert bytes(small.last(2)) == candle_cache.encode_records(_closed([480, 540], 1.0))
    assert bytes(small.last(0)) == b"" and small.last(99) == small.body


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("interval=2m", 400, "interval"),
        ("limit=0", 400, "limit"),
        ("limit=10001", 400, "limit"),
        ("start=2026-09-21&end=2026-09-20", 400, "end"),
        ("end=tomorrow", 400, "end"),
    ],
)
def test_bad_input_still_names_the_field_with_a_warm_cache(app, member, query, status, field):
    add_sim(app, "ACME", days=0.2)
    url = f"/api/v1/candles?symbol=ACME&interval=1m&end={NOW}&limit=100"
    assert _get(member, url) == _get(member, url)
    response = member.get(f"/api/v1/candles?symbol=ACME&{query}")
    assert response.status_code == status
    assert response.get_json()["error"]["field"] == field
    assert app.test_client().get(url).status_code == 401  # still needs a user


def test_cache_size_setting(tmp_path):
    with pytest.raises(ConfigError, match="CANDLE_CACHE_MB"):
        _second_app(tmp_path, CANDLE_CACHE_MB="-1")
    off = _second_app(tmp_path, CANDLE_CACHE_MB="0")
    assert not _cache(off).enabled
    assert _cache(_second_app(tmp_path, "third")).max_bytes == 64 * 1024 * 1024


OLD_INSTRUMENT_COLUMNS = (
    "id", "venue_id", "symbol", "name", "asset_class", "base", "quote",
    "tick_size", "lot_size", "min_qty", "status", "created_at", "updated_at",
)  # fmt: skip
"""The instruments columns of revision 6e10f4c1af20: the ORM model writes later ones."""


def _old_instrument(venue_id: int, symbol: str) -> int:
    columns = Instrument.__table__.c
    old = table("instruments", *(column(n, columns[n].type) for n in OLD_INSTRUMENT_COLUMNS))
    now = datetime.now(UTC)
    values = {"venue_id": venue_id, "symbol": symbol, "name": symbol, "asset_class": "stock"}
    values |= {"base": "", "quote": "USD", "status": "active", "created_at": now}
    values |= {"tick_size": Decimal("0.01"), "lot_size": 1, "min_qty": 1, "updated_at": now}
    return db.session.execute(insert(old).values(values).returning(old.c.id)).scalar_one()


def test_migration_versions_candles_stored_before_it(tmp_path):
    """Candles from before the cache get a version row, so they can be cached at once."""
    app = _second_app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'old.db'}")
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision="6e10f4c1af20")
        venue = catalogue.ensure_venue("CSV")
        instrument_id = _old_instrument(venue.id, "OLD")
        rows = store.candle_rows(instrument_id, "1h", _closed([0, 3_600], 1.0))
        store.upsert(Candle.__table__, rows, store.CANDLE_KEY)
        db.session.commit()
        upgrade(directory=str(MIGRATIONS_DIR))
        assert store.candle_version(instrument_id, "1h") == 1
        assert store.candle_version(instrument_id, "1d") is None
        assert store.read_candles(instrument_id, "1h", 0, 7_200).time.tolist() == [0, 3_600]
        db.session.remove()
        db.engine.dispose()


def test_encoded_offsets_split_records_exactly():
    candles = _closed(list(range(0, 6_000, 60)), 123.456)
    encoded = candle_cache.Encoded.of(candles)
    assert len(encoded) == 100
    assert np.all(np.frombuffer(encoded.body, dtype=np.uint8)[encoded.offsets] == ord("{"))
    for n in (1, 7, 100):
        assert bytes(encoded.last(n)) == candle_cache.encode_records(candles.take(slice(-n, None)))
