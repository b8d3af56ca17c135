"""The candle store: bulk upserts, range reads as OHLCV, the fetched-span cache, aggregation.

Writes use the database's own upsert (`INSERT … ON CONFLICT DO UPDATE` on SQLite and
PostgreSQL), so storing a candle twice replaces it instead of failing or duplicating, and the
price engine can rewrite the forming candle on every tick. Reads go straight to NumPy arrays
because charts and analytics consume columns, not ORM objects.

Every write of closed candles also changes the (instrument, interval) row of
`candle_versions` in the same transaction: web processes cache encoded closed candles
(`market.candle_cache`) and compare that version on each request.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import Integer, Select, Table, and_, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Compiled

from tradedeck.core.candles import OHLCV, bucket_start, interval_seconds, resample
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import (
    Candle,
    CandleSpan,
    CandleVersion,
    Instrument,
    LastPrice,
    Tick,
)
from tradedeck.market.providers.base import MarketDataProvider, epoch_seconds, from_epoch

CHUNK = 1_000
CANDLE_KEY = ("instrument_id", "interval", "open_time")
_CANDLE_VALUES = ("open", "high", "low", "close", "volume")


def _chunks(rows: Sequence[dict[str, Any]], size: int = CHUNK) -> Iterator[Sequence[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _insert() -> Any:
    dialect = db.session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def upsert(table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str]) -> None:
    """Insert `rows`, replacing the non-key columns of rows whose `key` already exists."""
    if not rows:
        return
    insert = _insert()
    values = [c for c in rows[0] if c not in key]
    updated = list(values)
    if "updated_at" in table.c and "updated_at" not in updated:
        updated.append("updated_at")  # a replaced row keeps created_at, takes a new updated_at
    for chunk in _chunks(rows):
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key), set_={c: stmt.excluded[c] for c in updated}
        )
        db.session.execute(stmt, list(chunk))


def candle_rows(
    instrument_ids: Sequence[int] | int, interval: str, candles: OHLCV
) -> list[dict[str, Any]]:
    """Rows for `upsert`; prices rounded to 8 decimals so tick-grid arithmetic stays clean."""
    ids = [instrument_ids] * len(candles) if isinstance(instrument_ids, int) else instrument_ids
    prices = (np.round(col, 8).tolist() for col in candles.columns()[1:5])
    cols = zip(ids, candles.time.tolist(), *prices, candles.volume.tolist(), strict=True)
    return [
        {
            "instrument_id": iid,
            "interval": interval,
            "open_time": t,
            "open": o,
            "high": h,
            "low": lo,
            "close": c,
            "volume": v,
        }
        for iid, t, o, h, lo, c, v in cols
    ]


def upsert_candles(
    instrument_id: int, interval: str, candles: OHLCV, now: float | None = None
) -> int:
    """Store candles of one instrument and interval (the caller commits).

    When any of them is closed (opened before the bucket of `now`, default the clock), the
    (instrument, interval) version changes with them, invalidating cached closed candles.
    """
    interval_seconds(interval)
    upsert(Candle.__table__, candle_rows(instrument_id, interval, candles), CANDLE_KEY)
    if len(candles):
        forming = int(bucket_start(int(time.time() if now is None else now), interval))
        if int(candles.time.min()) < forming:
            bump_candle_versions([(instrument_id, interval)])
    return len(candles)


def bump_candle_versions(pairs: Iterable[tuple[int, str]]) -> None:
    """Change the version of each (instrument_id, interval) whose closed candles were written,
    in the caller's transaction (the caller commits).

    Existing rows count up; a new row starts at a random value, so a row deleted with its
    instrument and created again never repeats a version some process has cached.
    """
    keys = sorted(set(pairs))  # one lock order for concurrent writers on PostgreSQL
    if not keys:
        return
    table = CandleVersion.__table__
    now = utcnow()
    first = secrets.randbits(52)
    stmt = _insert()(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["instrument_id", "interval"],
        set_={"version": table.c.version + 1, "updated_at": stmt.excluded.updated_at},
    )
    rows = [
        {
            "instrument_id": int(iid),
            "interval": interval,
            "version": first,
            "created_at": now,
            "updated_at": now,
        }
        for iid, interval in keys
    ]
    db.session.execute(stmt, rows)


_VERSION = select(CandleVersion.version).where(
    CandleVersion.instrument_id == bindparam("instrument_id"),
    CandleVersion.interval == bindparam("interval"),
)


def candle_version(instrument_id: int, interval: str) -> int | None:
    """The current version of an instrument's `interval` candles (None: never versioned).

    Asked on every candles request: a Core statement with bound parameters on the session's
    connection, so the compiled form is reused (~20 µs, a tenth of an ORM query).
    """
    params = {"instrument_id": instrument_id, "interval": interval}
    version = db.session.connection().execute(_VERSION, params).scalar()
    return None if version is None else int(version)


_RANGE = and_(
    Candle.instrument_id == bindparam("instrument_id"),
    Candle.interval == bindparam("interval"),
    Candle.open_time >= bindparam("start"),
    Candle.open_time < bindparam("end"),
)
_READ_COLUMNS = (Candle.open_time, *(getattr(Candle, c) for c in _CANDLE_VALUES))
_READ_ALL = select(*_READ_COLUMNS).where(_RANGE).order_by(Candle.open_time)
_READ_LATEST = (
    select(*_READ_COLUMNS)
    .where(_RANGE)
    .order_by(Candle.open_time.desc())
    .limit(bindparam("limit", type_=Integer))
)


def read_candles(
    instrument_id: int, interval: str, start: int, end: int, limit: int | None = None
) -> OHLCV:
    """Stored candles opening in [start, end) as arrays; with `limit`, the latest ones."""
    params = {"instrument_id": instrument_id, "interval": interval, "start": start, "end": end}
    if limit is None:
        rows = _fetch_tuples(_READ_ALL, params)
    else:
        rows = _fetch_tuples(_READ_LATEST, params | {"limit": limit})
    if not rows:
        return OHLCV.empty()
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=len(rows) * 6)
    data = flat.reshape(-1, 6)
    if limit is not None:
        data = data[::-1]
    return OHLCV(data[:, 0].astype(np.int64), *(data[:, i].copy() for i in range(1, 6)))


_COMPILED: dict[tuple[str, int], Compiled] = {}


def _fetch_tuples(stmt: Select[Any], params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Plain DB-API tuples: building SQLAlchemy Row objects costs as much as the fetch itself.

    `stmt` is a module-level statement with bound parameters, compiled once per dialect and
    run with `params` on the session's connection (same transaction).
    """
    connection = db.session.connection()
    key = (connection.dialect.name, id(stmt))
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = stmt.compile(dialect=connection.dialect)
    values = compiled.construct_params(params)
    if compiled.positional:
        values = [values[name] for name in compiled.positiontup or ()]
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, values)
        return cursor.fetchall()
    finally:
        cursor.close()


def nth_latest_open_time(instrument_id: int, interval: str, end: int, n: int) -> int | None:
    """Open time of the `n`-th newest stored candle opening before `end` (None when fewer)."""
    return db.session.scalar(
        select(Candle.open_time)
        .where(
            Candle.instrument_id == instrument_id,
            Candle.interval == interval,
            Candle.open_time < end,
        )
        .order_by(Candle.open_time.desc())
        .offset(n - 1)
        .limit(1)
    )


def latest_candle_times(instrument_ids: Iterable[int], interval: str) -> dict[int, int]:
    """Open time of each instrument's newest stored candle of `interval`."""
    stmt = (
        select(Candle.instrument_id, func.max(Candle.open_time))
        .where(Candle.instrument_id.in_(list(instrument_ids)), Candle.interval == interval)
        .group_by(Candle.instrument_id)
    )
    return {iid: t for iid, t in db.session.execute(stmt)}


# --- fetched-span cache -----------------------------------------------------------------


def missing_spans(instrument_id: int, interval: str, start: int, end: int) -> list[tuple[int, int]]:
    """Parts of [start, end) that no recorded span covers, in order."""
    spans = db.session.execute(
        select(CandleSpan.start, CandleSpan.end)
        .where(
            CandleSpan.instrument_id == instrument_id,
            CandleSpan.interval == interval,
            CandleSpan.end > start,
            CandleSpan.start < end,
        )
        .order_by(CandleSpan.start)
    ).all()
    gaps, cursor = [], start
    for s, e in spans:
        if s > cursor:
            gaps.append((cursor, min(s, end)))
        cursor = max(cursor, e)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


def record_span(instrument_id: int, interval: str, start: int, end: int) -> None:
    """Mark [start, end) as fetched, merging with overlapping or touching spans."""
    if end <= start:
        return
    touching = and_(
        CandleSpan.instrument_id == instrument_id,
        CandleSpan.interval == interval,
        CandleSpan.start <= end,
        CandleSpan.end >= start,
    )
    for s, e in db.session.execute(select(CandleSpan.start, CandleSpan.end).where(touching)):
        start, end = min(start, s), max(end, e)
    db.session.execute(delete(CandleSpan).where(touching))
    db.session.add(CandleSpan(instrument_id=instrument_id, interval=interval, start=start, end=end))


def ensure_range(
    instrument: Instrument,
    interval: str,
    start: int,
    end: int,
    provider: MarketDataProvider,
    now: datetime | None = None,
) -> int:
    """Fetch from `provider` only what the store lacks in [start, end); returns candles stored.

    Every missing span is fetched before anything is written, and all of it is written in one
    transaction, so a provider failure stores nothing partial. Spans are recorded only up to
    the still-forming candle, which is fetched again next time.
    """
    seconds = interval_seconds(interval)
    now_s = epoch_seconds(now or utcnow())
    closed_until = int(bucket_start(now_s, interval))
    start = int(bucket_start(start, interval))
    end = min(-(-end // seconds) * seconds, closed_until + seconds)
    gaps = missing_spans(instrument.id, interval, start, end)
    fetched = [
        (g0, g1, provider.fetch_ohlcv(instrument.symbol, interval, from_epoch(g0), from_epoch(g1)))
        for g0, g1 in gaps
    ]
    stored = 0
    for g0, g1, candles in fetched:
        stored += upsert_candles(instrument.id, interval, candles)
        record_span(instrument.id, interval, g0, min(g1, closed_until))
    db.session.commit()
    return stored


def aggregate(instrument_id: int, source: str, target: str, start: int, end: int) -> int:
    """Rebuild `target` candles of [start, end) from stored `source` candles.

    Each target bucket is recomputed from all its source candles and overwritten, never
    added to, so running it again (or over an overlapping range) cannot double-count. A
    bucket that begins before the first stored source candle is left alone: its source
    candles are missing, and a partial rebuild would replace good data.
    """
    size = interval_seconds(target)
    if size <= interval_seconds(source) or size % interval_seconds(source):
        raise ValueError(f"cannot aggregate {source} candles into {target}")
    t0 = int(bucket_start(start, target))
    t1 = int(bucket_start(end - 1, target)) + size
    candles = read_candles(instrument_id, source, t0, t1)
    if not len(candles):
        return 0
    out = resample(candles, target)
    out = out.take(out.time >= candles.time[0])
    return upsert_candles(instrument_id, target, out)


# --- ticks and last prices ---------------------------------------------------------------


def insert_ticks(rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(Tick.__table__.insert(), rows)


def prune_ticks(retention_days: int, now: datetime | None = None) -> int:
    """Delete ticks older than the retention window; returns how many went."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    result = db.session.execute(delete(Tick).where(Tick.time_ms < int(cutoff.timestamp() * 1000)))
    db.session.commit()
    return result.rowcount or 0


def last_prices(instrument_ids: Iterable[int]) -> dict[int, LastPrice]:
    ids = list(instrument_ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(LastPrice).where(LastPrice.instrument_id.in_(ids)))
    return {row.instrument_id: row for row in rows}


def last_price(instrument_id: int) -> Decimal | None:
    """Latest known price of an instrument as Decimal (None when it never had one)."""
    row = db.session.get(LastPrice, instrument_id)
    return row.price if row else None


def set_last_price(
    instrument_id: int,
    price: Decimal,
    when: datetime,
    previous_close: Decimal | None = None,
) -> LastPrice:
    """Store a quote as the instrument's last price (the caller commits)."""
    row = db.session.get(LastPrice, instrument_id)
    if row is None:
        row = LastPrice(instrument_id=instrument_id, price=price, volume=0.0, updated_at=when)
        db.session.add(row)
    row.price = price
    row.updated_at = when
    if previous_close is not None:
        row.previous_close = previous_close
    return row
