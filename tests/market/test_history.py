"""Simulated history covers the minutes its venue trades, like the live engine's ticks."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import select

from tests.helpers import api_login, create_user, make_app
from tradedeck.extensions import db
from tradedeck.market import catalogue, history
from tradedeck.market.models import Candle, LastPrice
from tradedeck.venues import admin as venues_admin

NEW_YORK = ZoneInfo("America/New_York")
SATURDAY = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)  # 10:00 in New York


def _times(instrument_id: int, interval: str) -> np.ndarray:
    rows = db.session.scalars(
        select(Candle.open_time)
        .where(Candle.instrument_id == instrument_id, Candle.interval == interval)
        .order_by(Candle.open_time)
    ).all()
    return np.array(rows, dtype=np.int64)


def _local(t: int) -> datetime:
    return datetime.fromtimestamp(int(t), UTC).astimezone(NEW_YORK)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """The whole app, trading calendar included (the market fixtures run 24/7)."""
    return make_app(tmp_path)


def test_sim_history_has_candles_only_in_sessions_and_ends_at_the_price(app):
    with app.app_context():
        catalogue.ensure_venue("SIM", timezone="America/New_York")
        venues_admin.add_holiday("SIM", date(2026, 11, 18), "Test holiday")
        acme = history.add_simulated_instrument(
            "ACME", "Acme", Decimal("100.00"), days=7, now=SATURDAY
        )
        local = [_local(t) for t in _times(acme.id, "5m")]
        assert {d.date() for d in local} == {
            date(2026, 11, 16),
            date(2026, 11, 17),
            date(2026, 11, 19),
            date(2026, 11, 20),
        }  # the week before Saturday, less the holiday; no weekend
        assert all("09:30" <= d.strftime("%H:%M") < "16:00" for d in local)
        assert len(local) == 4 * 78
        # 1m candles for the last MINUTE_HISTORY_DAYS (3): Thursday's and Friday's sessions.
        assert len(_times(acme.id, "1m")) == 2 * 390
        last = db.session.scalars(
            select(Candle).where(Candle.instrument_id == acme.id, Candle.interval == "1m")
            .order_by(Candle.open_time.desc()).limit(1)
        ).one()  # fmt: skip
        assert _local(last.open_time).strftime("%a %H:%M") == "Fri 15:59"
        assert Decimal(str(last.close)) == Decimal("100.00")  # joins the live price
        days = [datetime.fromtimestamp(int(t), UTC).date() for t in _times(acme.id, "1d")]
        assert days == [date(2026, 11, d) for d in (16, 17, 19, 20)]  # UTC days
        daily = db.session.scalars(
            select(Candle).where(Candle.instrument_id == acme.id, Candle.interval == "1d")
            .order_by(Candle.open_time)
        ).all()  # fmt: skip
        quote = db.session.get(LastPrice, acme.id)
        # On a Saturday the day is Friday: its change is measured from Thursday's close.
        assert quote.previous_close == Decimal(str(daily[-2].close))
        assert quote.day_open == Decimal(str(daily[-1].open))


def test_always_open_venue_history_is_unbroken(app):
    with app.app_context():
        catalogue.ensure_venue("SIM24")  # an unknown code: created always open
        coin = history.add_simulated_instrument(
            "COIN", "Coin", Decimal("10.00"), venue="SIM24", days=1, now=SATURDAY
        )
        minutes = _times(coin.id, "1m")
        assert len(minutes) == 1440
        assert np.all(np.diff(minutes) == 60)


def test_latest_candles_reach_back_over_nights_and_weekends(app):
    create_user(app, "alice")
    with app.app_context():
        history.add_simulated_instrument("ACME", "Acme", Decimal("100.00"), days=7, now=SATURDAY)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_login(client)}"
    body = client.get("/api/v1/candles?symbol=ACME&interval=1h&limit=20").get_json()
    times = [c["time"] for c in body["candles"]]
    assert len(times) == 20  # not just the buckets of the last 20 hours, which hold none
    assert _local(times[-1]).strftime("%a %H:%M") == "Fri 15:00"
    assert all(_local(t).weekday() < 5 for t in times)
    studies = client.get("/api/v1/analytics?symbol=ACME&interval=1h&studies=sma").get_json()
    assert studies["time"][-1] == times[-1] and len(studies["time"]) > 20
