from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
from sqlalchemy import select

from tests.market.helpers import NOW, add_sim
from tradedeck.core.candles import INTERVALS, OHLCV, bucket_start, resample
from tradedeck.extensions import db, events
from tradedeck.market import catalogue, store
from tradedeck.market.engine import TICK_SIGNAL, PriceEngine
from tradedeck.market.lock import FileLock
from tradedeck.market.models import Candle, Instrument, LastPrice, Tick
from tradedeck.venues import admin as venues_admin


def _bare_instrument(app, symbol: str, venue: str = "SIM", price: str = "50.00") -> int:
    """A simulated instrument with a price but no candles: every candle then comes from ticks."""
    with app.app_context():
        v = catalogue.ensure_venue(venue)
        v.kind = "simulated"
        inst = Instrument(venue_id=v.id, symbol=symbol, name=symbol, sim_volatility=Decimal("0.5"))
        db.session.add(inst)
        db.session.flush()
        store.set_last_price(inst.id, Decimal(price), datetime.fromtimestamp(NOW, UTC))
        db.session.commit()
        return inst.id


def _engine(app, seed: int = 1) -> PriceEngine:
    return PriceEngine(
        app, lock=FileLock(app.config["TRADEDECK"].instance_path / f"{seed}.lock"), seed=seed
    )


def test_step_writes_prices_candles_ticks_and_publishes(app):
    iid = _bare_instrument(app, "ACME")
    received = []

    def receiver(_sender, ticks):
        received.extend(ticks)

    events.signal(TICK_SIGNAL).connect(receiver, weak=False)
    try:
        engine = _engine(app)
        with app.app_context():
            ticks = engine.step(NOW + 2)
            assert [t.symbol for t in ticks] == ["ACME"]
            assert isinstance(ticks[0].price, Decimal)
            assert store.last_price(iid) == ticks[0].price
            rows = db.session.scalars(select(Candle).where(Candle.instrument_id == iid)).all()
            assert sorted(r.interval for r in rows) == sorted(INTERVALS)
            assert db.session.query(Tick).count() == 1
            assert engine.step(NOW + 2) == []  # same second: nothing new
        engine.close()
    finally:
        events.signal(TICK_SIGNAL).disconnect(receiver)
    assert received == ticks
    assert set(received[0].candles) == set(INTERVALS)


def _tick_candles(app, iid: int, interval: str) -> tuple[OHLCV, OHLCV]:
    with app.app_context():
        ticks = db.session.execute(
            select(Tick.time_ms, Tick.price, Tick.volume)
            .where(Tick.instrument_id == iid)
            .order_by(Tick.time_ms)
        ).all()
        t = np.array([r[0] // 1000 for r in ticks])
        p = np.array([float(r[1]) for r in ticks])
        v = np.array([r[2] for r in ticks])
        expected = resample(OHLCV(t, p, p, p, p, v), interval)
        stored = store.read_candles(iid, interval, 0, 2**40)
        return expected, stored


def test_restart_continues_candles_without_gaps_or_duplicates(app):
    iid = _bare_instrument(app, "ACME")
    first = _engine(app, 1)
    with app.app_context():
        for k in range(1, 40):
            first.step(NOW + 2 * k)
    first.close()
    second = _engine(app, 2)  # a new process: state comes from the database
    with app.app_context():
        for k in range(40, 80):
            second.step(NOW + 2 * k)
    second.close()
    for interval in ("1m", "5m", "1h"):
        expected, stored = _tick_candles(app, iid, interval)
        assert stored.time.tolist() == expected.time.tolist()
        np.testing.assert_allclose(stored.open, expected.open)
        np.testing.assert_allclose(stored.high, expected.high)
        np.testing.assert_allclose(stored.low, expected.low)
        np.testing.assert_allclose(stored.close, expected.close)
        np.testing.assert_allclose(stored.volume, expected.volume)


def test_only_open_venues_tick(app):
    _bare_instrument(app, "ACME", "SIM")
    closed = _bare_instrument(app, "SHUT", "SIMX")
    engine = _engine(app)
    with app.app_context():
        venues_admin.set_override("SIMX", "closed", by="test")
        ticks = engine.step(NOW + 2)
        assert [t.symbol for t in ticks] == ["ACME"]
        assert db.session.query(Tick).filter_by(instrument_id=closed).count() == 0
        assert store.last_price(closed) == Decimal("50.00")
    engine.close()


def test_one_engine_per_lock(app):
    _bare_instrument(app, "ACME")
    path = app.config["TRADEDECK"].instance_path / "shared.lock"
    a = PriceEngine(app, lock=FileLock(path), seed=1)
    b = PriceEngine(app, lock=FileLock(path), seed=2)
    with app.app_context():
        assert a.step(NOW + 2)
        assert b.step(NOW + 4) == []
        a.close()
        assert b.step(NOW + 6)
    b.close()


def test_reacquiring_engine_continues_from_the_other_engines_prices(app, monkeypatch):
    _bare_instrument(app, "ACME")
    factor = {"value": 1.01}
    monkeypatch.setattr(
        "tradedeck.market.engine.gbm_step", lambda price, *a, **k: price * factor["value"]
    )
    path = app.config["TRADEDECK"].instance_path / "shared.lock"
    a = PriceEngine(app, lock=FileLock(path), seed=1)
    b = PriceEngine(app, lock=FileLock(path), seed=2)
    with app.app_context():
        (a_first,) = a.step(NOW + 2)
        a.close()
        factor["value"] = 1.1
        (b_tick,) = b.step(NOW + 4)
        b.close()
        factor["value"] = 1.0
        (a_tick,) = a.step(NOW + 6)
        # A reloaded B's last price; its stale in-memory price would repeat a_first.
        assert b_tick.price != a_first.price
        assert a_tick.price == b_tick.price
    a.close()


def test_default_lock_is_exclusive_on_this_database(app):
    _bare_instrument(app, "ACME")
    a, b = PriceEngine(app, seed=1), PriceEngine(app, seed=2)
    with app.app_context():
        assert a.step(NOW + 2)
        assert b.step(NOW + 4) == []
    a.close()
    b.close()


def test_restart_after_downtime_fills_the_gap(app):
    iid = add_sim(app, "ACME", days=0.5)
    engine = _engine(app)
    later = NOW + 3 * 3600 + 30
    with app.app_context():
        ticks = engine.step(later)
        minutes = store.read_candles(iid, "1m", NOW - 3600, later + 60)
        assert np.all(np.diff(minutes.time) == 60)
        assert minutes.time[-1] == bucket_start(later, "1m")
        assert ticks and ticks[0].time == later
        row = db.session.get(LastPrice, iid)
        assert row.updated_at == datetime.fromtimestamp(later, UTC)
        hours = store.read_candles(iid, "1h", NOW - 7200, later)
        assert np.all(np.diff(hours.time) == 3600)
    engine.close()
