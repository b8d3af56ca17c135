"""Watchlists API: per user, symbols across venues through the catalogue, 4xx naming fields."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.charts.factories import seed_instrument
from tests.helpers import create_user, web_login
from tests.signals.helpers import headers


def _error(response, status: int, field: str | None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["field"] == field
    return error


def test_requires_login(client: FlaskClient) -> None:
    assert client.get("/api/v1/watchlists").status_code == 401
    assert client.post("/api/v1/scan").status_code == 401
    assert client.get("/watchlists").status_code == 302


def test_lifecycle_across_venues(app: Flask, logged_in: FlaskClient) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    seed_instrument(app, "GLOBX", intervals=(), n=1)
    h = headers(logged_in)
    body = {"name": "Majors", "timeframes": ["1h", "15m"], "symbols": ["ACME", "SIM:GLOBX"]}
    created = logged_in.post("/api/v1/watchlists", json=body, headers=h)
    assert created.status_code == 201, created.get_data(as_text=True)
    w = created.get_json()
    assert w["timeframes"] == ["15m", "1h"]  # ordered from the shortest
    assert [(i["symbol"], i["venue"]) for i in w["items"]] == [("ACME", "SIM"), ("GLOBX", "SIM")]

    _error(logged_in.post("/api/v1/watchlists", json=body, headers=h), 409, "name")
    item_url = f"/api/v1/watchlists/{w['id']}/items"
    _error(logged_in.post(item_url, json={"symbol": "NOPE"}, headers=h), 404, "symbol")
    again = logged_in.post(item_url, json={"symbol": "acme"}, headers=h)
    assert again.status_code == 201 and again.get_json()["symbol"] == "ACME"
    assert len(logged_in.get(f"/api/v1/watchlists/{w['id']}").get_json()["items"]) == 2

    patched = logged_in.patch(
        f"/api/v1/watchlists/{w['id']}", json={"timeframes": ["4h"]}, headers=h
    )
    assert patched.get_json()["timeframes"] == ["4h"]
    first = w["items"][0]["id"]
    assert logged_in.delete(f"{item_url}/{first}", headers=h).status_code == 204
    _error(logged_in.delete(f"{item_url}/{first}", headers=h), 404, "item_id")
    assert logged_in.delete(f"/api/v1/watchlists/{w['id']}", headers=h).status_code == 204
    assert logged_in.get("/api/v1/watchlists").get_json() == {"watchlists": []}


def test_bad_input_names_the_field(app: Flask, logged_in: FlaskClient) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    h = headers(logged_in)
    bad_tf = {"name": "x", "timeframes": ["2h"]}
    _error(logged_in.post("/api/v1/watchlists", json=bad_tf, headers=h), 400, "timeframes.0")
    unknown = {"name": "x", "symbols": ["ZZZ"]}
    _error(logged_in.post("/api/v1/watchlists", json=unknown, headers=h), 404, "symbols")
    _error(logged_in.post("/api/v1/watchlists", json={"name": ""}, headers=h), 400, "name")
    assert logged_in.get("/api/v1/watchlists").get_json() == {"watchlists": []}


def test_other_users_lists_are_invisible(app: Flask, client: FlaskClient) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    create_user(app, "alice")
    create_user(app, "bob", email="bob@example.com")
    web_login(client, "alice")
    made = client.post(
        "/api/v1/watchlists", json={"name": "Mine", "symbols": ["ACME"]}, headers=headers(client)
    ).get_json()
    client.post("/logout", data={"csrf_token": headers(client)["X-CSRFToken"]})
    web_login(client, "bob")
    h = headers(client)
    assert client.get(f"/api/v1/watchlists/{made['id']}").status_code == 404
    assert client.delete(f"/api/v1/watchlists/{made['id']}", headers=h).status_code == 404
    assert client.get("/api/v1/watchlists").get_json() == {"watchlists": []}


def test_scan_and_fetch_are_rate_limited_per_user(app: Flask, logged_in: FlaskClient) -> None:
    """Seed 003: /scan 1 per minute, /fetch 5 per minute (SCAN_RATE_LIMIT, FETCH_RATE_LIMIT)."""
    seed_instrument(app, "ACME", intervals=("15m",), n=50)
    h = headers(logged_in)
    logged_in.post("/api/v1/watchlists", json={"name": "W", "symbols": ["ACME"]}, headers=h)
    first = logged_in.post("/api/v1/scan", headers=h)
    assert first.status_code == 200 and first.get_json()["scanned"] >= 1
    second = logged_in.post("/api/v1/scan", headers=h)
    assert second.status_code == 429 and second.headers["Retry-After"]
    assert second.get_json()["error"]["code"] == "rate_limited"
    answers = [logged_in.post("/api/v1/fetch", headers=h).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
