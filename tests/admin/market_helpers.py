"""Fixtures of the admin-market tests: a trading app (SIM + BINANCE), an admin browser
session, an admin Bearer client and a funded customer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import api_login, create_user, make_app, web_login
from tests.trading.helpers import TRADING_SETTINGS, Api, add_market, fund, set_sim
from tradedeck.extensions import db
from tradedeck.venues import schedule
from tradedeck.worker.queue import get_huey

# Short history keeps a created stock quick to seed in tests.
ADMIN_SETTINGS = TRADING_SETTINGS | {"CANDLE_BACKFILL_DAYS": "3"}


@pytest.fixture
def mapp(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, **ADMIN_SETTINGS)
    app.config["MARKET"] = add_market(app)
    get_huey(app).immediate = True  # jobs run inside the request that starts them
    yield app
    with app.app_context():
        schedule.clear_schedule_cache()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def admin_web(mapp: Flask) -> FlaskClient:
    create_user(mapp, "root", role="admin")
    client = mapp.test_client()
    assert web_login(client, "root").status_code == 302
    return client


@pytest.fixture
def admin_api(mapp: Flask) -> Api:
    create_user(mapp, "boss", role="admin")
    client = mapp.test_client()
    return Api(client, api_login(client, "boss"))


@pytest.fixture
def customer(mapp: Flask) -> Api:
    """Alice with 10,000.00 and SIM forced open."""
    user = create_user(mapp)
    fund(mapp, user.id, "10000.00")
    set_sim(mapp, "open")
    client = mapp.test_client()
    return Api(client, api_login(client))


def form_token(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
