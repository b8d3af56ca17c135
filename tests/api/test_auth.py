"""The order views check a JWT caller against its user row inside their own lock statement
(`checks_caller_itself`); they must refuse exactly what the request loader refuses."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask, request_finished
from flask_login import current_user
from sqlalchemy import func, select

from tests.helpers import api_login, create_user, recorded_statements
from tests.trading.helpers import Api
from tradedeck.accounts import services
from tradedeck.accounts.models import User
from tradedeck.api.auth import TokenCaller
from tradedeck.extensions import db
from tradedeck.trading.models import Account, Order

ORDER = {"symbol": "ACME", "side": "buy", "type": "market", "quantity": "1"}
ORDER_CALLS: dict[str, Callable[[Api], object]] = {
    "orders": lambda api: api.post("/api/v1/orders", ORDER),
    "trade": lambda api: api.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "1"}),
}


def revoke(app: Flask, username: str, how: str) -> None:
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(username_key=username)).one()
        if how == "logout":
            services.revoke_sessions(user)
        elif how == "deactivate":
            services.deactivate_user(user)
        elif how == "temporary password":
            user.must_change_password = True
            db.session.commit()
        else:
            db.session.delete(user)
            db.session.commit()


EXPECTED = {
    "logout": (401, "token_revoked"),
    "deactivate": (401, "invalid_token"),
    "delete": (401, "invalid_token"),
    "temporary password": (403, "password_change_required"),
}


def order_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Order)) or 0)


@pytest.mark.parametrize("call", sorted(ORDER_CALLS))
@pytest.mark.parametrize("how", sorted(EXPECTED))
def test_an_order_is_refused_for_a_caller_the_loader_would_refuse(
    tapp: Flask, trader: Api, how: str, call: str
) -> None:
    assert ORDER_CALLS[call](trader).status_code == 201  # the account exists, token works
    revoke(tapp, "alice", how)
    refused = ORDER_CALLS[call](trader)
    status, code = EXPECTED[how]
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (status, code)
    assert order_count(tapp) == (0 if how == "delete" else 1)
    if how != "delete":
        with tapp.app_context():
            account = db.session.scalars(select(Account)).one()
            assert account.cash < Decimal("10000.00")  # one fill, and only one


@pytest.mark.parametrize("how", sorted(EXPECTED))
def test_a_first_order_is_refused_before_the_account_is_created(tapp: Flask, how: str) -> None:
    """No account row yet: the user's row is read on its own, and nothing is created."""
    create_user(tapp, "newbie")
    api = Api(tapp.test_client(), api_login(tapp.test_client(), "newbie"))
    revoke(tapp, "newbie", how)
    refused = api.post("/api/v1/orders", ORDER)
    status, code = EXPECTED[how]
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (status, code)
    with tapp.app_context():
        assert db.session.scalar(select(func.count()).select_from(Account)) == 0


def test_a_valid_first_order_gets_past_the_check(tapp: Flask) -> None:
    """A valid caller without an account yet is checked on its own user row and then refused
    for what it is: no cash (not 401)."""
    create_user(tapp, "newbie")
    api = Api(tapp.test_client(), api_login(tapp.test_client(), "newbie"))
    refused = api.post("/api/v1/orders", ORDER)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"]["code"] == "insufficient_funds"


def test_only_the_marked_views_skip_the_user_query(tapp: Flask, trader: Api) -> None:
    """Other views, and API keys on the order views, load the user as before."""
    seen: list[object] = []

    def remember(_sender: Flask, **_: object) -> None:
        seen.append(type(current_user._get_current_object()))

    request_finished.connect(remember, tapp)
    with recorded_statements(tapp) as statements:
        assert trader.post("/api/v1/orders", ORDER).status_code == 201
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT USERS.")]
    assert trader.get("/api/v1/portfolio").status_code == 200
    with tapp.app_context():
        alice = db.session.scalars(select(User).filter_by(username_key="alice")).one()
        key = services.create_api_key(alice, "bot").clear
    by_key = tapp.test_client().post("/api/v1/orders", json=ORDER, headers={"X-API-Key": key})
    assert by_key.status_code == 201
    assert seen == [TokenCaller, User, User]
