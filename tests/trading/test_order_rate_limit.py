"""ORDER_RATE_LIMIT: one count per user for the API and the order form, a clear 429 with
Retry-After, other users unaffected, and one count across workers when Redis is configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.helpers import (
    TEST_DATABASE_URL,
    TEST_REDIS_URL,
    api_login,
    create_user,
    csrf_token,
    make_app,
    web_login,
)
from tests.trading.helpers import TRADING_SETTINGS, Api, add_market, fund, set_sim
from tradedeck.extensions import db

LIMITED = {**TRADING_SETTINGS, "ORDER_RATE_LIMIT": "3/minute"}
BUY = {"symbol": "ACME", "quantity": "1"}


def trading_app(folder: Path) -> Flask:
    app = make_app(folder, **LIMITED)
    app.config["MARKET"] = add_market(app)
    return app


def close(*apps: Flask) -> None:
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_limit_is_per_user_and_shared_by_the_api_and_the_form(tmp_path: Path) -> None:
    app = trading_app(tmp_path)
    alice, bob = create_user(app, "alice"), create_user(app, "bob")
    for user in (alice, bob):
        fund(app, user.id, "1000")
    set_sim(app, "open")
    browser = app.test_client()
    assert web_login(browser).status_code == 302
    acme = app.config["MARKET"]["ACME"]
    form = {"side": "buy", "type": "market", "quantity": "1", "time_in_force": "day"}
    form["csrf_token"] = csrf_token(browser, f"/stocks/{acme}")
    assert browser.post(f"/stocks/{acme}/order", data=form).status_code == 302
    api = Api(app.test_client(), api_login(app.test_client(), "alice"))
    codes = [api.post("/api/v1/trade/buy", BUY).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    refused = api.post("/api/v1/orders", {**BUY, "side": "buy"})
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and "3 per 1 minute" in error["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    page = browser.post(f"/stocks/{acme}/order", data=form)
    assert page.status_code == 429 and "Retry-After" in page.headers
    assert api.get("/api/v1/orders").status_code == 200  # reading is not limited
    other = Api(app.test_client(), api_login(app.test_client(), "bob"))
    assert other.post("/api/v1/trade/buy", BUY).status_code == 201
    close(app)


@pytest.mark.skipif(
    not (TEST_REDIS_URL and TEST_DATABASE_URL), reason="needs a shared database and Redis"
)
def test_workers_share_one_count_through_redis(tmp_path: Path) -> None:
    second = make_app(tmp_path / "b", **LIMITED)  # first: a test app empties the database
    first = trading_app(tmp_path / "a")
    alice = create_user(first)
    fund(first, alice.id, "1000")
    set_sim(first, "open")
    token = api_login(first.test_client())
    by_first = Api(first.test_client(), token)
    by_second = Api(second.test_client(), token)
    codes = [by_first.post("/api/v1/trade/buy", BUY).status_code for _ in range(3)]
    assert codes == [201, 201, 201]
    assert by_second.post("/api/v1/trade/buy", BUY).status_code == 429
    close(first, second)
