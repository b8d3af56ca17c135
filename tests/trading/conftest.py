"""Trading fixtures: the helpers' market in a fresh app, and a funded user's JSON client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.helpers import api_login, create_user, make_app
from tests.trading.helpers import TRADING_SETTINGS, Api, add_market, fund, set_sim
from tradedeck.extensions import db


@pytest.fixture
def tapp(tmp_path: Path) -> Iterator[Flask]:
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
