"""Cursor pages of /orders, /trades, /cash and the venue audit: every row exactly once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert

from tests.helpers import api_login, create_user
from tests.trading.helpers import Api
from tradedeck.api import paging
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Venue
from tradedeck.trading.models import Account, CashTransaction
from tradedeck.venues import audit


def walk(api: Api, path: str, key: str) -> list[dict[str, Any]]:
    """Follow `next` (checking the Link header agrees) until the last page."""
    seen: list[dict[str, Any]] = []
    url = path
    while True:
        response = api.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        seen.extend(body[key])
        if body["next"] is None:
            assert "Link" not in response.headers
            return seen
        link = response.headers["Link"]
        assert link.endswith('>; rel="next"') and f"cursor={body['next']}" in link
        url = link[link.index("/api/") : link.index(">")]


def test_2500_ledger_rows_page_by_page_each_exactly_once(tapp: Flask, trader: Api) -> None:
    """Many rows share one timestamp: (time, id) keeps the order stable across pages."""
    with tapp.app_context():
        account = db.session.query(Account).one()
        base = utcnow()
        rows = [
            {
                "account_id": account.id,
                "type": "deposit",
                "amount": Decimal(0),
                "balance_after": account.cash,
                "note": f"row {i}",
                "created_at": base - timedelta(seconds=i // 100),
                "updated_at": base,
            }
            for i in range(2499)
        ]
        db.session.execute(insert(CashTransaction), rows)
        db.session.commit()
        expected = [r.id for r in db.session.query(CashTransaction)]
    seen = walk(trader, "/api/v1/cash?limit=300", "transactions")
    ids = [row["id"] for row in seen]
    assert len(ids) == 2500 == len(set(ids)) and sorted(ids) == sorted(expected)
    keys = [(row["created_at"], row["id"]) for row in seen]
    assert keys == sorted(keys, reverse=True)


def test_orders_and_trades_page_with_a_cursor(trader: Api) -> None:
    for _ in range(5):
        assert (
            trader.post("/api/v1/trade/buy", {"symbol": "ACME", "quantity": "1"}).status_code == 201
        )
    orders = walk(trader, "/api/v1/orders?limit=2&side=buy", "orders")
    trades = walk(trader, "/api/v1/trades?limit=2", "trades")
    assert len({o["id"] for o in orders}) == 5 == len({t["id"] for t in trades})
    first = trader.get("/api/v1/orders?limit=2").get_json()
    assert len(first["orders"]) == 2 and first["next"]


def test_venue_audit_pages(tapp: Flask) -> None:
    admin = create_user(tapp, "root", role="admin")
    with tapp.app_context():
        venue = db.session.query(Venue).filter_by(code="SIM").one()
        for i in range(7):
            audit.record(venue, "hours.set", f"change {i}", "test", admin.id)
        db.session.commit()
    client = tapp.test_client()
    api = Api(client, api_login(client, "root"))
    entries = walk(api, "/api/v1/admin/venues/SIM/audit?limit=3", "entries")
    assert sorted(e["summary"] for e in entries) == [f"change {i}" for i in range(7)]


@pytest.mark.parametrize("cursor", ["nope", "bm9wZQ", paging.encode(utcnow(), 1)[:-3] + "!!"])
def test_a_bad_cursor_is_a_400_naming_cursor(trader: Api, cursor: str) -> None:
    for path in ("/api/v1/orders", "/api/v1/trades", "/api/v1/cash"):
        response = trader.get(f"{path}?cursor={cursor}")
        assert response.status_code == 400, (path, response.get_json())
        assert response.get_json()["error"]["field"] == "cursor"


def test_openapi_documents_cursor_and_next(tapp: Flask) -> None:
    spec = tapp.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/orders", "/api/v1/trades", "/api/v1/cash"):
        operation = spec["paths"][path]["get"]
        assert "cursor" in {p["name"] for p in operation["parameters"]}
    assert "next" in spec["components"]["schemas"]["CashLedger"]["properties"]
