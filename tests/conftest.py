"""Shared fixtures: one fresh app + database per test, on SQLite or on PostgreSQL/Redis, and
the trading market the trading and venues tests share (`tapp`, `trader`).

The helpers they use live in tests/helpers.py and tests/trading/helpers.py; tests import them
from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import api_login, create_user, make_app, web_login
from tests.trading.helpers import TRADING_SETTINGS, Api, add_market, fund, set_sim
from tradedeck.accounts.models import User
from tradedeck.extensions import db


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def user(app: Flask) -> User:
    return create_user(app)


@pytest.fixture
def admin(app: Flask) -> User:
    return create_user(app, "root", role="admin")


@pytest.fixture
def logged_in(client: FlaskClient, user: User) -> FlaskClient:
    """A test client with a browser session of `user` (alice)."""
    assert web_login(client).status_code == 302
    return client


@pytest.fixture
def tapp(tmp_path: Path) -> Iterator[Flask]:
    """An app with the trading helpers' market (SIM on New York hours, 24/7 BINANCE, prices)."""
    app = make_app(tmp_path, **TRADING_SETTINGS)
    app.config["MARKET"] = add_market(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def trader(tapp: Flask) -> Api:
    """Alice with 10,000.00 deposited and SIM forced open."""
    user = create_user(tapp)
    fund(tapp, user.id, "10000.00")
    set_sim(tapp, "open")
    client = tapp.test_client()
    return Api(client, api_login(client))
