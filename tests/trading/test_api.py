"""Orders, trade shorthands, portfolio, trades and cash through the JSON API."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask

from tests.helpers import api_login, create_user
from tests.trading.helpers import Api, fund, set_price, set_sim
from tradedeck.extensions import db
from tradedeck.trading import ledger
from tradedeck.trading.models import Account


def test_market_buy_fills_with_fee_and_moves_cash(trader: Api) -> None:
    response = trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "10"})
    assert response.status_code == 201, response.get_json()
    order = response.get_json()["order"]
    assert order["status"] == "filled"
    assert order["fill_price"] == "100.00"
    assert order["fee"] == "1.00"  # 10 bps of 1,000.00
    cash = trader.get("/api/v1/cash").get_json()
    assert cash["balance"] == "8999.00"
    assert cash["available"] == "8999.00"
    types = [(t["type"], t["amount"], t["balance_after"]) for t in cash["transactions"]]
    assert types == [
        ("fee", "-1.00", "8999.00"),
        ("buy", "-1000.00", "9000.00"),
        ("deposit", "10000.00", "10000.00"),
    ]
    assert {"id", "order_id", "created_at"} <= set(cash["transactions"][0])


def test_portfolio_and_realized_pnl_average_cost(tapp: Flask, trader: Api) -> None:
    ids = tapp.config["MARKET"]
    trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": 10})
    set_price(tapp, ids["ACME"], "110.00")
    trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": 10})
    body = trader.get("/api/v1/portfolio").get_json()
    position = body["positions"][0]
    # basis = 1000 + 1 fee + 1100 + 1.10 fee = 2102.10 over 20 shares
    assert position["quantity"] == "20"
    assert position["avg_price"] == "105.105"
    assert position["market_value"] == "2200.00"
    assert position["unrealized_pnl"] == "97.90"
    assert body["equity"] == str(Decimal(body["cash"]) + Decimal("2200.00"))
    assert body["method"] == "average_cost"
    assert body["day_change"] == "240.00"  # 20 x (110 - 98)
    sell = trader.post("/api/v1/trade/sell", {"symbol": "ACME", "quantity": "5"})
    assert sell.status_code == 201
    # proceeds 550 - 0.55 fee; released basis 2102.10 x 5/20 = 525.53 (half-up)
    trades = trader.get("/api/v1/trades").get_json()["trades"]
    assert trades[0]["realized_pnl"] == "23.92"
    position = trader.get("/api/v1/portfolio").get_json()["positions"][0]
    assert position["quantity"] == "15" and position["realized_pnl"] == "23.92"


def test_validation_errors_name_the_field(trader: Api) -> None:
    cases = [
        ({"symbol": "ACME", "side": "buy", "quantity": "1.5"}, "quantity"),
        ({"symbol": "ACME", "side": "buy", "quantity": "-1"}, "quantity"),
        ({"symbol": "ACME", "side": "buy", "quantity": "abc"}, "quantity"),
        ({"symbol": "ACME", "side": "hold", "quantity": "1"}, "side"),
        ({"symbol": "ACME", "side": "buy", "quantity": "1", "type": "limit"}, "limit_price"),
        (
            {
                "symbol": "ACME",
                "side": "buy",
                "quantity": "1",
                "type": "limit",
                "limit_price": "99.999",
            },
            "limit_price",
        ),
        (
            {"symbol": "ACME", "side": "buy", "quantity": "1", "time_in_force": "ioc"},
            "time_in_force",
        ),
        ({"symbol": "ACME", "side": "buy", "quantity": True}, "quantity"),
        (
            {"symbol": "ACME", "side": "buy", "quantity": "1", "client_order_id": "a b"},
            "client_order_id",
        ),
    ]
    for body, field in cases:
        response = trader.post("/api/v1/orders", body)
        assert response.status_code == 400, (body, response.get_json())
        assert response.get_json()["error"]["field"] == field, body
    unknown = trader.post("/api/v1/orders", {"symbol": "NOPE", "side": "buy", "quantity": "1"})
    assert unknown.status_code == 404  # as /instruments answers the same symbol
    assert unknown.get_json()["error"]["field"] == "symbol"


def test_crypto_takes_fractional_quantities(trader: Api) -> None:
    response = trader.post("/api/v1/trade/buy", {"symbol": "BTC/USDT", "quantity": "0.01234"})
    assert response.status_code == 201
    assert response.get_json()["order"]["quantity"] == "0.01234"
    bad = trader.post("/api/v1/trade/buy", {"symbol": "BTC/USDT", "quantity": "0.000001"})
    assert bad.get_json()["error"]["field"] == "quantity"


def test_client_order_id_is_idempotent_per_user(tapp: Flask, trader: Api) -> None:
    body = {"symbol": "ACME", "side": "buy", "quantity": "1", "client_order_id": "abc-1"}
    first = trader.post("/api/v1/orders", body)
    again = trader.post("/api/v1/orders", body)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["order"]["id"] == again.get_json()["order"]["id"]
    assert again.get_json()["created"] is False
    assert len(trader.get("/api/v1/trades").get_json()["trades"]) == 1
    bob = create_user(tapp, "bob")
    fund(tapp, bob.id, "500")
    client = tapp.test_client()
    other = Api(client, api_login(client, "bob")).post("/api/v1/orders", body)
    assert other.status_code == 201
    assert other.get_json()["order"]["id"] != first.get_json()["order"]["id"]


def test_buying_power_and_holdings_are_checked(trader: Api) -> None:
    response = trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "100"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "insufficient_funds" and error["field"] == "quantity"
    response = trader.post("/api/v1/trade/sell", {"symbol": "ACME", "quantity": "1"})
    assert response.get_json()["error"]["code"] == "insufficient_holdings"
    preview = trader.post(
        "/api/v1/orders/preview", {"symbol": "ACME", "side": "buy", "quantity": "100"}
    ).get_json()
    assert preview["sufficient"] is False and preview["reason_code"] == "insufficient_funds"
    assert preview["notional"] == "10000.00" and preview["fee"] == "10.00"
    assert preview["total"] == "10010.00"


def test_limit_order_reserves_cash_and_cancel_releases_it(trader: Api) -> None:
    body = {
        "symbol": "ACME",
        "side": "buy",
        "type": "limit",
        "quantity": "50",
        "limit_price": "90.00",
        "time_in_force": "gtc",
    }
    order = trader.post("/api/v1/orders", body).get_json()["order"]
    assert order["status"] == "open" and order["opened_at"]
    cash = trader.get("/api/v1/cash").get_json()
    assert cash["balance"] == "10000.00" and cash["available"] == "5495.50"
    refused = trader.post("/api/v1/cash/withdraw", {"amount": "6000"})
    assert refused.status_code == 400
    assert refused.get_json()["error"] == {
        "code": "insufficient_funds",
        "message": "withdrawal of 6000.00 exceeds the available 5495.50",
        "field": "amount",
    }
    cancelled = trader.delete(f"/api/v1/orders/{order['id']}")
    assert cancelled.get_json()["order"]["status"] == "cancelled"
    assert trader.delete(f"/api/v1/orders/{order['id']}").status_code == 409
    assert trader.get("/api/v1/cash").get_json()["available"] == "10000.00"
    listed = trader.get("/api/v1/orders?status=cancelled").get_json()["orders"]
    assert [o["id"] for o in listed] == [order["id"]]
    assert trader.get("/api/v1/orders?status=bogus").status_code == 400


def test_orders_of_other_users_are_invisible(tapp: Flask, trader: Api) -> None:
    order = trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "1"}).get_json()
    create_user(tapp, "eve")
    client = tapp.test_client()
    eve = Api(client, api_login(client, "eve"))
    assert eve.get(f"/api/v1/orders/{order['order']['id']}").status_code == 404
    assert eve.delete(f"/api/v1/orders/{order['order']['id']}").status_code == 404
    assert eve.get("/api/v1/cash").get_json() == {
        "balance": "0.00",
        "available": "0.00",
        "transactions": [],
        "next": None,
    }


def test_deposit_and_withdraw_limits(tapp: Flask, trader: Api) -> None:
    assert trader.post("/api/v1/cash/deposit", {"amount": "250.50"}).status_code == 201
    for path, amount, code in [
        ("deposit", "0", "not_positive"),
        ("deposit", "1.001", "too_many_decimals"),
        ("deposit", "1000000.01", "limit_exceeded"),
        ("withdraw", "-5", "negative"),
        ("withdraw", "10250.51", "insufficient_funds"),
    ]:
        response = trader.post(f"/api/v1/cash/{path}", {"amount": amount})
        assert response.status_code == 400, (path, amount)
        assert response.get_json()["error"]["code"] == code
        assert response.get_json()["error"]["field"] == "amount"
    assert trader.post("/api/v1/cash/withdraw", {"amount": "10250.50"}).status_code == 201
    with tapp.app_context():
        account = db.session.query(Account).one()
        assert account.cash == 0 == ledger.ledger_sum(account.id)


def test_api_requires_authentication(tapp: Flask) -> None:
    client = tapp.test_client()
    for path in ("/api/v1/portfolio", "/api/v1/cash", "/api/v1/orders", "/api/v1/trades"):
        assert client.get(path).status_code == 401
    set_sim(tapp, "closed")
