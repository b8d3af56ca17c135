"""Cash ledger: MONEY_CEILING keeps balances, notionals and positions below the columns' range."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.helpers import api_login, create_user, make_app
from tests.trading.helpers import TRADING_SETTINGS, Api, add_market, fund, set_sim
from tradedeck.config import ConfigError, load_config
from tradedeck.extensions import db
from tradedeck.trading import ledger
from tradedeck.trading.models import Account


@pytest.fixture
def rich(tmp_path: Path) -> Iterator[tuple[Flask, Api]]:
    """Deposits of up to 50 billion each (the SQLite column ends near 92.2 billion)."""
    app = make_app(
        tmp_path, **TRADING_SETTINGS, DEPOSIT_LIMIT="50000000000", MONEY_CEILING="60000000000"
    )
    app.config["MARKET"] = add_market(app)
    create_user(app)
    set_sim(app, "open")
    client = app.test_client()
    yield app, Api(client, api_login(client))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _error(response: object) -> dict[str, str]:
    assert response.status_code == 400, response.get_json()  # type: ignore[attr-defined]
    return response.get_json()["error"]  # type: ignore[attr-defined,no-any-return]


def test_deposit_beyond_the_ceiling_is_a_400_on_amount(rich: tuple[Flask, Api]) -> None:
    app, trader = rich
    assert trader.post("/api/v1/cash/deposit", {"amount": "50000000000"}).status_code == 201
    error = _error(trader.post("/api/v1/cash/deposit", {"amount": "50000000000"}))
    assert (error["field"], error["code"]) == ("amount", "limit_exceeded")
    assert "ceiling" in error["message"]
    assert trader.post("/api/v1/cash/deposit", {"amount": "10000000000"}).status_code == 201
    with app.app_context():
        account = db.session.query(Account).one()
        assert account.cash == 60000000000 == ledger.ledger_sum(account.id)


def test_orders_beyond_the_ceiling_are_a_400_naming_the_field(tmp_path: Path) -> None:
    app = make_app(tmp_path, **TRADING_SETTINGS, MONEY_CEILING="20000")
    app.config["MARKET"] = add_market(app)
    user = create_user(app)
    fund(app, user.id, "15000")
    set_sim(app, "open")
    client = app.test_client()
    trader = Api(client, api_login(client))
    cases = [
        ({"side": "buy", "quantity": "1", "type": "limit", "limit_price": "20001"}, "limit_price"),
        ({"side": "buy", "quantity": "1", "type": "stop", "stop_price": "30000"}, "stop_price"),
        ({"side": "buy", "quantity": "201"}, "quantity"),  # notional 20,100 (and not affordable)
    ]
    for body, field in cases:
        error = _error(trader.post("/api/v1/orders", {"symbol": "ACME", **body}))
        assert (error["field"], error["code"]) == (field, "limit_exceeded"), error
    assert (
        trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "100"}).status_code == 201
    )
    # 100 held at 100.00: 101 more would make a position worth 20,100.
    with app.app_context():
        ledger.deposit(user.id, "5000")
    error = _error(trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "101"}))
    assert (error["field"], error["code"]) == ("quantity", "limit_exceeded")
    assert "position" in error["message"]
    # Cash ~10,000 + selling 100 at 100.00 would leave 19,990: allowed; then deposit 5,000 more
    # and a sale's proceeds would push cash past the ceiling.
    with app.app_context():
        ledger.deposit(user.id, "5000")
    error = _error(trader.post("/api/v1/trade/sell", {"symbol": "ACME", "quantity": "100"}))
    assert (error["field"], error["code"]) == ("quantity", "limit_exceeded")
    assert "cash" in error["message"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_money_ceiling_must_fit_the_columns(tmp_path: Path) -> None:
    assert load_config(tmp_path).money_ceiling == 10_000_000_000
    for bad in ("0", "92233720369", "lots"):
        with pytest.raises(ConfigError, match="MONEY_CEILING"):
            load_config(tmp_path, {"MONEY_CEILING": bad})
