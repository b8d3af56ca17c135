"""Polled venues: the singleton scan task fetches what the store lacks once per closed candle
(one shared provider per venue, against the fake Binance on 127.0.0.1) and scans it; a venue
that fails is skipped until the next pass."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.fakes.binance import NOW_MS, FakeBinance
from tests.helpers import create_user, make_app
from tradedeck.extensions import db
from tradedeck.market import catalogue
from tradedeck.market.providers.base import InstrumentInfo
from tradedeck.signals import scanner, services
from tradedeck.signals.models import Pattern, ScanState

NOW = NOW_MS // 1000 - 1800  # half an hour before the fake's "now"
HOUR = 3600


@pytest.fixture
def fake() -> Iterator[FakeBinance]:
    with FakeBinance() as server:
        yield server


@pytest.fixture
def remote_app(tmp_path: Path, fake: FakeBinance) -> Iterator[Flask]:
    app = make_app(tmp_path, TRADEDECK_BINANCE_URL=fake.url)
    app.config.update(MARKET_PROVIDER_BACKOFF=0.01)
    with app.app_context():
        venue = catalogue.ensure_venue("BINANCE")
        catalogue.upsert_instruments(
            venue, [InstrumentInfo("BTC/USDT", "BTC/USDT", "BINANCE", "crypto", "BTC", "USDT")]
        )
        db.session.commit()
    user = create_user(app, "alice")
    with app.app_context():
        services.create_watchlist(user.id, "Crypto", ["1h"], ["BINANCE:BTC/USDT"])
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _klines(fake: FakeBinance) -> int:
    return len(fake.requests_to("/api/v3/klines"))


def test_closed_candles_are_fetched_once_and_scanned(remote_app: Flask, fake: FakeBinance) -> None:
    with remote_app.app_context():
        first = scanner.scan_remote(NOW)
        assert first.scanned == 1 and first.new
        fetched = _klines(fake)
        assert fetched >= 1
        state = db.session.scalars(select(ScanState)).one()
        assert state.last_bar_time == (NOW // HOUR - 1) * HOUR  # the last closed hour

        again = scanner.scan_remote(NOW + 60)  # same hour: nothing due, nothing fetched
        assert again.scanned == 0 and _klines(fake) == fetched

        patterns = db.session.scalar(select(func.count(Pattern.id)))
        later = scanner.scan_remote(NOW + HOUR)  # one more hour closed
        assert later.scanned == 1 and _klines(fake) > fetched
        assert db.session.scalar(select(func.count(Pattern.id))) >= patterns


def test_a_failing_venue_is_skipped_until_the_next_pass(
    remote_app: Flask, fake: FakeBinance
) -> None:
    fake.inject("/api/v3/klines", 500, {"code": -1, "msg": "down"}, times=50)
    with remote_app.app_context():
        result = scanner.scan_remote(NOW)
        assert result.new == [] and db.session.scalar(select(func.count(Pattern.id))) == 0
        assert scanner.due_remote(NOW)  # still due: retried on the next pass
