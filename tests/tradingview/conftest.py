"""Fixtures: the fake TradingView, a client on it, and an app pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.fakes.tradingview import FakeTradingView
from tests.helpers import make_app
from tests.tradingview.helpers import OTHER_PINE, PINE, Sleeps
from tradedeck.extensions import db
from tradedeck.tradingview.client import Cookies, TradingViewClient
from tradedeck.tradingview.session import CLIENT_OPTIONS
from tradedeck.worker.queue import get_huey


@pytest.fixture
def fake() -> Iterator[FakeTradingView]:
    with FakeTradingView() as server:
        server.add_script(PINE)
        server.add_script(OTHER_PINE)
        server.add_user("JoeBloggs", "alice_tv", "joe123")
        yield server


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def tv(fake: FakeTradingView, sleeps: Sleeps) -> TradingViewClient:
    return TradingViewClient(fake.url, Cookies(*fake.new_session()), sleep=sleeps)


@pytest.fixture
def tv_app(tmp_path: Path, fake: FakeTradingView, sleeps: Sleeps) -> Iterator[Flask]:
    app = make_app(
        tmp_path,
        TRADEDECK_TRADINGVIEW_URL=fake.url,
        TRADINGVIEW_EXPIRY_SECS="0",
        TRADINGVIEW_SIGNIN_COOLDOWN_SECS="600",
    )
    app.extensions[CLIENT_OPTIONS] = {"sleep": sleeps}
    get_huey(app).immediate = True
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
