"""The price engine: one vectorised GBM tick of every simulated instrument per step.

Each step (a worker loop task every TICK_INTERVAL_SECS) moves the prices of instruments whose
venue is open, folds the tick into the forming candle of every interval, writes last prices,
candles and ticks in one transaction, then publishes the ticks (blinker signal `market.tick`
in-process; Redis channel `tradedeck:market:ticks` too when REDIS_URL is set).

Restarts: the engine rebuilds its state from the database (last prices and the stored
forming candles), so later ticks extend the same candles instead of duplicating them. When it
was down for a while on an always-open venue, the missed minutes are simulated and fed
through the same forming-candle code, so charts show no hole (capped at MAX_GAP_FILL_DAYS).
Only the holder of the engine lock steps (see `market.lock`).

Candle versions (`candle_versions`, read by the web processes' candle cache) change with every
write of closed candles: the candles a tick closed and the gap-filled minutes. Rewriting the
forming candle on each tick changes no version; readers take the forming candle, and those
closed within a few ticks, from the database on every request.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from flask import Flask, current_app
from sqlalchemy import select, update

from tradedeck.core.candles import INTERVALS, OHLCV, FormingCandles, bucket_start
from tradedeck.core.simulation import gbm_step
from tradedeck.extensions import db, events
from tradedeck.market import catalogue, history, store
from tradedeck.market.lock import EngineLock, engine_lock
from tradedeck.market.models import Candle, Instrument, LastPrice, Venue
from tradedeck.venues.schedule import is_venue_open

log = logging.getLogger(__name__)
ENGINE_KEY = "tradedeck.market.engine"
TICK_SIGNAL = "market.tick"
REDIS_CHANNEL = "tradedeck:market:ticks"
MAX_GAP_FILL_DAYS = 7
GAP_FILL_AFTER_SECS = 120
TICK_VOLUME = 30.0
_Q = Decimal("0.00000001")
_OHLCV_COLS = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True, slots=True)
class TickEvent:
    """One instrument's tick with its forming candles, as published to subscribers."""

    instrument_id: int
    symbol: str
    venue: str
    price: Decimal
    previous_close: Decimal | None
    time: int
    candles: dict[str, dict[str, float]]

    def to_json(self) -> dict[str, Any]:
        return {
            "instrument_id": self.instrument_id,
            "symbol": self.symbol,
            "venue": self.venue,
            "price": str(self.price),
            "previous_close": None if self.previous_close is None else str(self.previous_close),
            "time": self.time,
            "candles": self.candles,
        }


def _decimal(value: float, tick: Decimal) -> Decimal:
    """A float price as Decimal on the instrument's tick grid (8 decimals without one)."""
    exact = Decimal(repr(float(value)))
    return exact.quantize(tick.normalize() if tick > 0 else _Q)


@dataclass
class _State:
    """Arrays of the engine, one column per simulated instrument in id order."""

    ids: list[int]
    symbols: list[str]
    venue_ids: np.ndarray
    venue_codes: dict[int, str]
    price: np.ndarray
    drift: np.ndarray
    vol: np.ndarray
    tick: np.ndarray
    ticks: list[Decimal]
    previous_close: list[Decimal | None]
    forming: FormingCandles
    last_time: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


class PriceEngine:
    """Steps the simulated market; one per app, driven by the worker's service loop."""

    def __init__(self, app: Flask, lock: EngineLock | None = None, seed: int | None = None) -> None:
        self.app = app
        self.config = app.config["TRADEDECK"]
        with app.app_context():
            self.lock = lock or engine_lock(db.engine, self.config.instance_path)
        self.rng = np.random.default_rng(seed)
        self.state: _State | None = None
        self._catalogue: list[tuple[int, datetime]] = []
        self._redis: Any = None
        self._holding = False

    # --- loading ----------------------------------------------------------------------

    def _load(self, instruments: list[Instrument], now: int) -> _State:
        prices = store.last_prices(i.id for i in instruments)
        missing = [i.symbol for i in instruments if i.id not in prices]
        if missing:
            log.warning("simulated instruments without a price are not ticked: %s", missing)
        rows = [i for i in instruments if i.id in prices]
        cfg = self.config
        tick = [i.tick_size or Decimal(0) for i in rows]
        state = _State(
            ids=[i.id for i in rows],
            symbols=[i.symbol for i in rows],
            venue_ids=np.array([i.venue_id for i in rows], dtype=np.int64),
            venue_codes={i.venue_id: i.venue.code for i in rows},
            price=np.array([float(prices[i.id].price) for i in rows]),
            drift=np.array(
                [float(cfg.default_drift if i.sim_drift is None else i.sim_drift) for i in rows]
            ),
            vol=np.array(
                [
                    float(cfg.default_volatility if i.sim_volatility is None else i.sim_volatility)
                    for i in rows
                ]
            ),
            tick=np.array([float(t) for t in tick]),
            ticks=tick,
            previous_close=[prices[i.id].previous_close for i in rows],
            forming=FormingCandles(len(rows)),
            last_time=np.array(
                [int(prices[i.id].updated_at.timestamp()) for i in rows], dtype=np.int64
            ),
        )
        self._restore(state)
        self._fill_gap(state, rows, now)
        return state

    def _restore(self, state: _State) -> None:
        """Reload each interval's candle holding the last tick, so new ticks extend it."""
        if not state.ids:
            return
        index = {iid: n for n, iid in enumerate(state.ids)}
        for interval in INTERVALS:
            buckets = bucket_start(state.last_time, interval)
            rows = db.session.execute(
                select(
                    Candle.instrument_id,
                    Candle.open_time,
                    Candle.open,
                    Candle.high,
                    Candle.low,
                    Candle.close,
                    Candle.volume,
                ).where(
                    Candle.interval == interval,
                    Candle.instrument_id.in_(state.ids),
                    Candle.open_time >= int(buckets.min()),
                )
            ).all()
            keep = [r for r in rows if buckets[index[r[0]]] == r[1]]
            if not keep:
                continue
            idx = np.array([index[r[0]] for r in keep], dtype=np.intp)
            candle = OHLCV.from_columns(*zip(*(r[1:] for r in keep), strict=True))
            state.forming.restore(interval, idx, candle, state.last_time[idx])

    def _fill_gap(self, state: _State, rows: list[Instrument], now: int) -> None:
        """Simulate the minutes missed while no engine ran (always-open venues only).

        Instruments that stopped at the same second are replayed together, one vectorised
        forming-candle update per synthetic tick.
        """
        groups: dict[int, list[int]] = {}
        for n, instrument in enumerate(rows):
            last = int(state.last_time[n])
            if instrument.venue.always_open and now - last >= GAP_FILL_AFTER_SECS:
                groups.setdefault(last, []).append(n)
        for last, members in groups.items():
            # From the minute of the last tick: its earlier synthetic ticks are ignored, the
            # rest extend the stored candle (or create it when history stopped before it).
            first_minute = max(last, now - MAX_GAP_FILL_DAYS * 86_400) // 60 * 60
            days = (now // 60 * 60 - first_minute) / 86_400
            if days > 0:
                series = [history.simulate_history(rows[n], Decimal(1), days, now) for n in members]
                self._replay(state, np.array(members, dtype=np.intp), series)

    def _replay(self, state: _State, members: np.ndarray, series: list[OHLCV]) -> None:
        """Feed 1m candles as open/high/low/close ticks into the members' forming candles.

        Each path starts at 1.0 (GBM is scale-invariant) and is scaled to the member's price.
        """
        forming = state.forming
        mask = np.zeros(len(state.ids), dtype=bool)
        mask[members] = True
        scale = state.price[members] / np.array([s.open[0] for s in series])
        cols = [np.stack([getattr(s, c) for s in series], axis=1) for c in _OHLCV_COLS]
        zero = np.zeros(len(state.ids))
        price = state.price.copy()
        rows: list[dict[str, Any]] = []
        for k, t in enumerate(series[0].time.tolist()):
            for offset, col in zip((0, 15, 30, 59), cols[:4], strict=True):
                price[members] = col[k] * scale
                volume = zero
                if offset == 59:
                    volume = zero.copy()
                    volume[members] = cols[4][k]
                for group in forming.apply(t + offset, price, volume, mask):
                    rows += self._candle_rows(
                        state, group.interval, group.instrument, group.candles
                    )
        state.price[members] = price[members]
        for interval in INTERVALS:
            rows += self._candle_rows(
                state, interval, members, forming.current(interval).take(members)
            )
        store.upsert(Candle.__table__, rows, store.CANDLE_KEY)
        # The replayed minutes are closed candles of every interval: cached copies are stale.
        store.bump_candle_versions(
            (state.ids[n], interval) for n in members.tolist() for interval in INTERVALS
        )
        for n in members.tolist():
            row = db.session.get(LastPrice, state.ids[n])
            row.price = _decimal(state.price[n], state.ticks[n])
            row.updated_at = datetime.fromtimestamp(int(forming.last_time[n]), UTC)
        state.last_time[members] = forming.last_time[members]
        db.session.commit()
        log.info("price engine simulated a gap for %s", [state.symbols[n] for n in members])

    @staticmethod
    def _candle_rows(
        state: _State, interval: str, members: np.ndarray, candles: OHLCV
    ) -> list[dict[str, Any]]:
        return store.candle_rows([state.ids[n] for n in members.tolist()], interval, candles)

    # --- stepping ---------------------------------------------------------------------

    def step(self, now: float | None = None) -> list[TickEvent]:
        """One tick of every open simulated instrument; returns what was published."""
        if not self.lock.acquire():
            self._holding = False
            return []
        if not self._holding:
            # (Re)acquired: another process may have stepped meanwhile, so the prices and
            # forming candles held in memory are stale; reload them from the database.
            self.state = None
            self._holding = True
        t = int(time.time() if now is None else now)
        instruments = catalogue.simulated_instruments()
        # Reloaded when an instrument is added, removed or edited (drift, volatility, tick).
        listed = [(i.id, i.updated_at) for i in instruments]
        if self.state is None or listed != self._catalogue:
            self.state = self._load(instruments, t)
            self._catalogue = listed
        state = self.state
        if not state.ids:
            return []
        when = datetime.fromtimestamp(t, UTC)
        # Venue rows are read in this step's session: the state outlives app contexts, and
        # ORM objects kept from an earlier session would be detached and expired by now.
        venues = db.session.scalars(select(Venue).where(Venue.id.in_(state.venue_codes)))
        open_venues = {v.id for v in venues if is_venue_open(v, when)}
        active = np.isin(state.venue_ids, list(open_venues)) & (t > state.forming.last_time)
        if not active.any():
            return []
        new = gbm_step(
            state.price,
            state.drift,
            state.vol,
            float(self.config.tick_interval_secs),
            self.rng,
            max_tick_pct=float(self.config.max_tick_pct),
            tick_size=state.tick,
        )
        state.price = np.where(active, new, state.price)
        volume = np.round(self.rng.exponential(TICK_VOLUME, len(state.ids)))
        closed = state.forming.apply(t, state.price, volume, active)
        for group in closed:
            if group.interval == "1d":
                for i, close in zip(group.instrument, group.candles.close, strict=True):
                    state.previous_close[i] = _decimal(close, state.ticks[i])
        ticks = self._write(state, closed, active, volume, t, when)
        self._publish(ticks)
        return ticks

    def _write(
        self,
        state: _State,
        closed: list,
        active: np.ndarray,
        volume: np.ndarray,
        t: int,
        when: datetime,
    ) -> list[TickEvent]:
        idx = np.flatnonzero(active)
        day = state.forming.current("1d")
        price_rows, tick_rows, candle_rows, out = [], [], [], []
        for group in closed:
            candle_rows += self._candle_rows(state, group.interval, group.instrument, group.candles)
        forming: dict[int, dict[str, dict[str, float]]] = {int(i): {} for i in idx}
        for interval in INTERVALS:
            current = state.forming.current(interval).take(idx)
            rows = self._candle_rows(state, interval, idx, current)
            candle_rows += rows
            for i, row in zip(idx.tolist(), rows, strict=True):
                forming[i][interval] = {"time": row["open_time"]} | {k: row[k] for k in _OHLCV_COLS}
        for i in idx.tolist():
            iid, tick = state.ids[i], state.ticks[i]
            price = _decimal(state.price[i], tick)
            price_rows.append(
                {
                    "instrument_id": iid,
                    "price": price,
                    "previous_close": state.previous_close[i],
                    "day_open": _decimal(day.open[i], tick),
                    "day_high": _decimal(day.high[i], tick),
                    "day_low": _decimal(day.low[i], tick),
                    "volume": float(day.volume[i]),
                    "updated_at": when,
                }
            )
            tick_rows.append(
                {
                    "instrument_id": iid,
                    "time_ms": t * 1000,
                    "price": price,
                    "volume": float(volume[i]),
                }
            )
            venue = state.venue_codes[int(state.venue_ids[i])]
            out.append(
                TickEvent(
                    iid, state.symbols[i], venue, price, state.previous_close[i], t, forming[i]
                )
            )
        store.upsert(Candle.__table__, candle_rows, store.CANDLE_KEY)
        # Closed candles written: their (instrument, interval) versions change with them.
        store.bump_candle_versions(
            (state.ids[i], group.interval) for group in closed for i in group.instrument.tolist()
        )
        db.session.execute(update(LastPrice), price_rows)
        store.insert_ticks(tick_rows)
        db.session.commit()
        return out

    def _publish(self, ticks: list[TickEvent]) -> None:
        if not ticks:
            return
        for receiver in events.signal(TICK_SIGNAL).receivers_for(self.app):
            try:
                receiver(self.app, ticks=ticks)
            except Exception:  # one failing subscriber must not starve the others or Redis
                log.exception("tick receiver %r failed", receiver)
                db.session.rollback()
        if not self.config.redis_url:
            return
        try:
            if self._redis is None:
                import redis

                self._redis = redis.Redis.from_url(self.config.redis_url, socket_timeout=2)
            self._redis.publish(REDIS_CHANNEL, json.dumps([t.to_json() for t in ticks]))
        except Exception:  # Redis down: in-process subscribers still got the ticks
            log.exception("could not publish ticks to Redis")
            self._redis = None

    def close(self) -> None:
        self.lock.release()
        self._holding = False


def get_engine(app: Flask | None = None) -> PriceEngine:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get(ENGINE_KEY)
    if engine is None:
        engine = app.extensions[ENGINE_KEY] = PriceEngine(app)
    return engine


def run_engine_step() -> None:
    """Loop task: one engine step in the current app."""
    get_engine().step()
