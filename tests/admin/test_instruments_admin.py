"""Instrument administration: create/edit a simulated stock, halt/resume (orders refused with
409 naming the instrument), validation naming the field, audit rows, access control."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from tests.admin.market_helpers import admin_api, admin_web, customer, form_token, mapp
from tests.helpers import create_user, web_login
from tests.trading.helpers import Api
from tradedeck.audit.models import AuditEntry
from tradedeck.extensions import db
from tradedeck.market.models import Candle, Instrument, LastPrice

__all__ = ["admin_api", "admin_web", "customer", "mapp"]

STOCK = {
    "symbol": "zeb",
    "name": "Zebra Labs (simulated)",
    "price": "25.50",
    "drift": "0.0003",
    "volatility": "0.03",
    "tick_size": "0.01",
    "lot_size": "5",
}


def _audit(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_create_stock_via_api_generates_history_and_audits(mapp: Flask, admin_api: Api) -> None:
    response = admin_api.post("/api/v1/admin/instruments", STOCK)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["symbol"] == "ZEB" and body["venue"] == "SIM" and body["halted"] is False
    assert body["price"] == "25.5" and body["lot_size"] == "5" and body["drift"] == "0.0003"
    with mapp.app_context():
        instrument = db.session.get(Instrument, body["id"])
        assert instrument.min_qty == Decimal(5)
        assert db.session.get(LastPrice, body["id"]).price == Decimal("25.50")
        hours = db.session.scalars(
            select(Candle).where(Candle.instrument_id == body["id"], Candle.interval == "1h")
        ).all()
        assert len(hours) > 5
    [entry] = _audit(mapp, "instrument.create")
    assert entry.actor == "boss" and entry.target_label == "ZEB"
    assert entry.after["price"] == "25.5" and entry.before is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"symbol": ""}, "symbol"),
        ({"symbol": "9BAD"}, "symbol"),
        ({"name": "  "}, "name"),
        ({"price": "abc"}, "price"),
        ({"price": "-3"}, "price"),
        ({"price": "10.005"}, "price"),
        ({"drift": "0.5"}, "drift"),
        ({"volatility": "0"}, "volatility"),
        ({"tick_size": "0"}, "tick_size"),
        ({"lot_size": "1e3"}, "lot_size"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(
    mapp: Flask, admin_api: Api, change: dict[str, str], field: str
) -> None:
    response = admin_api.post("/api/v1/admin/instruments", STOCK | change)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["field"] == field
    with mapp.app_context():
        assert db.session.scalar(select(Instrument).where(Instrument.symbol == "ZEB")) is None
    assert _audit(mapp, "instrument.create") == []


def test_duplicate_symbol_is_409(admin_api: Api) -> None:
    response = admin_api.post("/api/v1/admin/instruments", STOCK | {"symbol": "ACME"})
    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "taken",
        "message": "ACME already exists on SIM",
        "field": "symbol",
    }


def test_halted_instrument_refuses_orders_with_409_until_resumed(
    mapp: Flask, admin_api: Api, customer: Api
) -> None:
    acme = mapp.config["MARKET"]["ACME"]
    order = {"symbol": "ACME", "side": "buy", "type": "market", "quantity": "1"}
    assert admin_api.post(f"/api/v1/admin/instruments/{acme}/halt").get_json()["halted"] is True
    refused = customer.post("/api/v1/orders", order)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "halted" and error["field"] == "symbol"
    assert "ACME" in error["message"] and "halted" in error["message"]
    assert admin_api.post(f"/api/v1/admin/instruments/{acme}/resume").get_json()["halted"] is False
    assert customer.post("/api/v1/orders", order).status_code == 201
    [halt], [resume] = _audit(mapp, "instrument.halt"), _audit(mapp, "instrument.resume")
    assert halt.before == {"halted": False} and halt.after == {"halted": True}
    assert resume.after == {"halted": False}


def test_working_orders_wait_while_halted(mapp: Flask, admin_api: Api, customer: Api) -> None:
    from tests.trading.helpers import set_price
    from tradedeck.trading import execution

    acme = mapp.config["MARKET"]["ACME"]
    placed = customer.post(
        "/api/v1/orders",
        {"symbol": "ACME", "side": "buy", "type": "limit", "quantity": "1", "limit_price": "90"},
    )
    assert placed.status_code == 201
    admin_api.post(f"/api/v1/admin/instruments/{acme}/halt")
    set_price(mapp, acme, "85.00")
    with mapp.app_context():
        assert execution.process_orders() == 0
    admin_api.post(f"/api/v1/admin/instruments/{acme}/resume")
    with mapp.app_context():
        assert execution.process_orders() == 1


def test_edit_stock_and_exchange_instrument_cannot_be_edited(mapp: Flask, admin_api: Api) -> None:
    acme, btc = mapp.config["MARKET"]["ACME"], mapp.config["MARKET"]["BTC/USDT"]
    edit = {"name": "Acme Renamed", "drift": "0.001", "volatility": "0.02"}
    edit |= {"tick_size": "0.05", "lot_size": "1"}
    response = admin_api.client.patch(
        f"/api/v1/admin/instruments/{acme}", json=edit, headers=admin_api.headers
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["name"] == "Acme Renamed"
    assert response.get_json()["tick_size"] == "0.05"
    [entry] = _audit(mapp, "instrument.update")
    assert entry.before["name"] == "Acme Corp" and entry.after["name"] == "Acme Renamed"
    refused = admin_api.client.patch(
        f"/api/v1/admin/instruments/{btc}", json=edit, headers=admin_api.headers
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "not_simulated"
    bad = admin_api.client.patch(
        f"/api/v1/admin/instruments/{acme}",
        json=edit | {"volatility": "x"},
        headers=admin_api.headers,
    )
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "volatility"
    missing = admin_api.post("/api/v1/admin/instruments/99999/halt")
    assert missing.status_code == 404


def test_list_filters_by_venue_and_text(admin_api: Api) -> None:
    body = admin_api.get("/api/v1/admin/instruments?venue=binance").get_json()
    assert [i["symbol"] for i in body["instruments"]] == ["BTC/USDT"] and body["total"] == 1
    body = admin_api.get("/api/v1/admin/instruments?q=acme").get_json()
    assert [i["symbol"] for i in body["instruments"]] == ["ACME"]
    assert body["instruments"][0]["price"] == "100"


def test_pages_create_halt_and_refuse_bad_form(mapp: Flask, admin_web) -> None:
    page = admin_web.get("/admin/instruments")
    assert page.status_code == 200 and "ACME" in page.get_data(as_text=True)
    token = form_token(admin_web, "/admin/instruments/new")
    bad = admin_web.post("/admin/instruments/new", data=STOCK | {"price": "x", "csrf_token": token})
    html = bad.get_data(as_text=True)
    assert (
        bad.status_code == 200 and "is-invalid" in html and "price must be a decimal number" in html
    )
    created = admin_web.post("/admin/instruments/new", data=STOCK | {"csrf_token": token})
    assert created.status_code == 302
    assert "ZEB created on SIM" in admin_web.get(created.location).get_data(as_text=True)
    acme = mapp.config["MARKET"]["ACME"]
    no_csrf = admin_web.post(f"/admin/instruments/{acme}/halt")
    assert no_csrf.status_code == 400
    with mapp.app_context():
        assert db.session.get(Instrument, acme).halted is False
    halted = admin_web.post(f"/admin/instruments/{acme}/halt", data={"csrf_token": token})
    assert "ACME is halted" in admin_web.get(halted.location).get_data(as_text=True)
    with mapp.app_context():
        assert db.session.get(Instrument, acme).halted is True
    edit_page = admin_web.get(f"/admin/instruments/{acme}/edit")
    assert 'value="Acme Corp"' in edit_page.get_data(as_text=True)


def test_customers_and_visitors_are_kept_out(mapp: Flask) -> None:
    create_user(mapp)
    visitor = mapp.test_client()
    for path in ("/admin", "/admin/instruments", "/admin/candles", "/admin/api/candles/1"):
        assert visitor.get(path).status_code == 302
    for path in ("/api/v1/admin/instruments", "/api/v1/admin/dashboard"):
        assert visitor.get(path).status_code == 401
    web_login(visitor)
    for path in ("/admin", "/admin/instruments/new", "/admin/candles/1", "/admin/api/candles/1"):
        assert visitor.get(path).status_code == 403
    assert visitor.get("/api/v1/admin/dashboard/series").status_code == 403


def test_engine_uses_edited_volatility_at_its_next_step(mapp: Flask, admin_api: Api) -> None:
    import time

    from tradedeck.market.engine import get_engine

    acme = mapp.config["MARKET"]["ACME"]
    edit = {"name": "Acme Corp", "drift": "0", "volatility": "0.02"}
    edit |= {"tick_size": "0.01", "lot_size": "1"}
    now = time.time()
    with mapp.app_context():
        engine = get_engine(mapp)
        engine.step(now=now)
        position = engine.state.ids.index(acme)
    admin_api.client.patch(
        f"/api/v1/admin/instruments/{acme}",
        json=edit | {"volatility": "0.35"},
        headers=admin_api.headers,
    )
    with mapp.app_context():
        engine.step(now=now + 2)
        assert engine.state.vol[position] == 0.35
        engine.close()
