"""Per-process cache of the encoded JSON of closed candles, for `GET /api/v1/candles`.

Reading 5,000 candles from the database and encoding them costs ~12 ms, almost all of it for
candles that can no longer change. This cache keeps their encoded JSON, so a request costs
one version lookup, a read of the few live candles and a byte copy.

- Only *settled* candles are cached: those opening before `settled_before(now)`, whose bucket
  closed at least `grace` seconds ago (a few engine ticks: the engine writes a bucket that
  just closed on its next tick). The forming candle and the ones that closed within the grace
  are read from the database on every request and spliced onto the cached prefix, so "the
  latest N candles" is always exactly what is stored.
- An entry holds one version of its (instrument, interval), the `candle_versions` row that
  every write of closed candles changes in the same transaction (`store.upsert_candles`, the
  engine). One primary-key lookup per request reads it, so a write by any process (web,
  worker, CLI) invalidates the entries of every process. No row: nothing is cached.
- Keyed by (instrument, interval, start, settled-until, limit); bounded by bytes
  (CANDLE_CACHE_MB per process), least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from flask import Flask, current_app

from tradedeck.core.candles import OHLCV, bucket_start
from tradedeck.json_provider import OPTIONS

CACHE_KEY = "tradedeck.market.candle_cache"
GRACE_TICKS = 3  # engine ticks after a bucket's close before it is treated as settled
MIN_GRACE_SECS = 5.0
_ENTRY_OVERHEAD = 200  # bytes of Python objects around an entry's two buffers
_OPEN_BRACE = ord("{")

Key = tuple[int, str, int, int, int]


def grace_seconds(tick_interval_secs: float) -> float:
    return max(MIN_GRACE_SECS, GRACE_TICKS * float(tick_interval_secs))


def settled_before(now: float, interval: str, grace: float) -> int:
    """Open time before which every `interval` candle closed at least `grace` seconds ago."""
    return int(bucket_start(int(now - grace), interval))


def encode_records(candles: OHLCV) -> bytes:
    """`{…},{…}`: the API's candle records joined by commas, without the list's brackets."""
    if not len(candles):
        return b""
    return orjson.dumps(candles.records(), option=OPTIONS)[1:-1]


def envelope(symbol: str, venue: str, interval: str) -> tuple[bytes, bytes]:
    """The answer's bytes before and after its candle records (encoded like `jsonify`)."""
    empty = orjson.dumps(
        {"symbol": symbol, "venue": venue, "interval": interval, "candles": []}, option=OPTIONS
    )
    return empty[:-2], empty[-2:]


@dataclass(frozen=True, slots=True)
class Encoded:
    """Encoded candle records and the byte offset of each, so any suffix can be sliced off."""

    body: bytes
    offsets: np.ndarray

    @classmethod
    def of(cls, candles: OHLCV) -> Encoded:
        body = encode_records(candles)
        # Records hold only numbers, so every "{" opens one.
        starts = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == _OPEN_BRACE)
        return cls(body, starts.astype(np.int64))

    def __len__(self) -> int:
        return len(self.offsets)

    @property
    def nbytes(self) -> int:
        return len(self.body) + self.offsets.nbytes + _ENTRY_OVERHEAD

    def last(self, n: int) -> memoryview:
        """The last `n` records (all when n >= len)."""
        view = memoryview(self.body)
        if n <= 0:
            return view[:0]
        if n >= len(self.offsets):
            return view
        return view[int(self.offsets[-n]) :]


@dataclass(frozen=True, slots=True)
class _Entry:
    version: int
    encoded: Encoded


class CandleCache:
    """LRU of encoded settled candles bounded by `max_bytes`; safe across a worker's threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = self.evictions = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key, version: int) -> Encoded | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != version:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.encoded

    def put(self, key: Key, version: int, encoded: Encoded) -> None:
        size = encoded.nbytes
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.encoded.nbytes
            self._entries[key] = _Entry(version, encoded)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self.bytes -= evicted.encoded.nbytes
                self.evictions += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def stats(self) -> dict[str, Any]:
        return {
            "entries": len(self._entries),
            "bytes": self.bytes,
            "max_bytes": self.max_bytes,
            "hits": self.hits,
            "misses": self.misses,
            "evictions": self.evictions,
        }


def init_candle_cache(app: Flask) -> CandleCache:
    """One cache per app (so per gunicorn worker), sized by CANDLE_CACHE_MB."""
    megabytes = app.config["TRADEDECK"].candle_cache_mb
    cache = app.extensions[CACHE_KEY] = CandleCache(int(megabytes * 1024 * 1024))
    return cache


def get_cache(app: Flask | None = None) -> CandleCache:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cache = app.extensions.get(CACHE_KEY)
    return cache if cache is not None else init_candle_cache(app)
