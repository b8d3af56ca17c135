"""Chart API: drawings per user and instrument, chart preferences; auth and 4xx naming fields."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.charts.factories import seed_instrument
from tests.helpers import create_user, csrf_token, web_login
from tradedeck.accounts.models import User

TREND = {
    "symbol": "ACME",
    "venue": "sim",
    "kind": "trend",
    "points": [{"time": 1700000000, "price": 101.5}, {"time": 1700003600, "price": 99.25}],
}


@pytest.fixture(autouse=True)
def acme(app: Flask) -> None:
    """Drawings and preferences name catalogue instruments: ACME on SIM exists."""
    seed_instrument(app, intervals=(), n=1)


def headers(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token(client, "/chart")}


def test_requires_login(client: FlaskClient) -> None:
    for method, url in [
        ("get", "/api/v1/charts/drawings?symbol=ACME&venue=SIM"),
        ("get", "/api/v1/charts/preferences"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_drawing_lifecycle(logged_in: FlaskClient) -> None:
    h = headers(logged_in)
    created = logged_in.post("/api/v1/charts/drawings", json=TREND, headers=h)
    assert created.status_code == 201
    drawing = created.get_json()
    assert drawing["venue"] == "SIM" and drawing["points"] == TREND["points"]

    hline = {**TREND, "kind": "hline", "points": [{"time": 1700000000, "price": 100}]}
    assert logged_in.post("/api/v1/charts/drawings", json=hline, headers=h).status_code == 201
    listed = logged_in.get("/api/v1/charts/drawings?symbol=ACME&venue=SIM").get_json()
    assert [d["kind"] for d in listed["drawings"]] == ["trend", "hline"]
    assert logged_in.get("/api/v1/charts/drawings?symbol=ACME&venue=X").get_json() == {
        "drawings": []
    }

    moved = [{"time": 1700000900, "price": 102.0}, {"time": 1700007200, "price": 98.0}]
    response = logged_in.put(
        f"/api/v1/charts/drawings/{drawing['id']}", json={"points": moved}, headers=h
    )
    assert response.status_code == 200 and response.get_json()["points"] == moved

    assert (
        logged_in.delete(f"/api/v1/charts/drawings/{drawing['id']}", headers=h).status_code == 204
    )
    cleared = logged_in.delete("/api/v1/charts/drawings?symbol=ACME&venue=SIM", headers=h)
    assert cleared.get_json() == {"deleted": 1}
    assert logged_in.get("/api/v1/charts/drawings?symbol=ACME&venue=SIM").get_json() == {
        "drawings": []
    }


def test_bad_drawings_name_the_field(logged_in: FlaskClient) -> None:
    h = headers(logged_in)
    cases = [
        ({**TREND, "points": TREND["points"][:1]}, "points"),
        ({**TREND, "kind": "circle"}, "kind"),
        ({**TREND, "points": [{"time": -5, "price": 1}, {"time": 1, "price": 1}]}, "points"),
        ({k: v for k, v in TREND.items() if k != "venue"}, "venue"),
    ]
    for body, field in cases:
        response = logged_in.post("/api/v1/charts/drawings", json=body, headers=h)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["field"].startswith(field), response.get_json()
    wrong_size = logged_in.put(
        "/api/v1/charts/drawings/1", json={"points": TREND["points"]}, headers=h
    )
    assert wrong_size.status_code == 404
    assert wrong_size.get_json()["error"]["field"] == "drawing_id"


def test_drawings_are_private(client: FlaskClient, app: Flask, user: User) -> None:
    web_login(client)
    drawing = client.post("/api/v1/charts/drawings", json=TREND, headers=headers(client))
    drawing_id = drawing.get_json()["id"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    create_user(app, "mallory")
    web_login(client, "mallory")
    h = headers(client)
    assert client.delete(f"/api/v1/charts/drawings/{drawing_id}", headers=h).status_code == 404
    assert client.get("/api/v1/charts/drawings?symbol=ACME&venue=SIM").get_json() == {
        "drawings": []
    }


def test_session_writes_need_csrf(logged_in: FlaskClient) -> None:
    response = logged_in.post("/api/v1/charts/drawings", json=TREND)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


def test_preferences_round_trip_and_validation(logged_in: FlaskClient) -> None:
    assert logged_in.get("/api/v1/charts/preferences").get_json()["overlays"] == {}
    prefs = {
        "symbol": "ACME",
        "venue": "SIM",
        "interval": "1h",
        "timezone": "utc",
        "overlays": {"swings": {"on": True, "params": {"length": 3}}},
    }
    h = headers(logged_in)
    assert logged_in.put("/api/v1/charts/preferences", json=prefs, headers=h).status_code == 200
    stored = logged_in.get("/api/v1/charts/preferences").get_json()
    assert stored["interval"] == "1h" and stored["overlays"]["swings"]["params"] == {"length": 3}

    for bad, field in [
        ({**prefs, "interval": "7m"}, "interval"),
        ({**prefs, "overlays": {"tea_leaves": {"on": True}}}, "overlays"),
        ({**prefs, "timezone": "mars"}, "timezone"),
    ]:
        response = logged_in.put("/api/v1/charts/preferences", json=bad, headers=h)
        assert response.status_code == 400
        assert response.get_json()["error"]["field"].startswith(field)


def test_drawings_and_preferences_need_a_known_symbol_and_bounded_input(
    logged_in: FlaskClient,
) -> None:
    h = headers(logged_in)
    unknown = logged_in.post("/api/v1/charts/drawings", json={**TREND, "symbol": "NOPE"}, headers=h)
    assert unknown.status_code == 404
    assert unknown.get_json()["error"] | {"message": ""} == {
        "code": "unknown_symbol",
        "field": "symbol",
        "message": "",
    }
    prefs = logged_in.put(
        "/api/v1/charts/preferences", json={"symbol": "NOPE", "venue": "SIM"}, headers=h
    )
    assert prefs.status_code == 404 and prefs.get_json()["error"]["field"] == "symbol"
    point = {"time": 1700000000, "price": 1}
    for body, field in [
        ({**TREND, "symbol": "A" * 61}, "symbol"),
        ({**TREND, "points": [point] * 3}, "points"),
        ({**TREND, "points": [{"time": 10**12, "price": 1}, point]}, "points"),
        ({**TREND, "points": [{"time": 1, "price": 1e300}, point]}, "points"),
    ]:
        response = logged_in.post("/api/v1/charts/drawings", json=body, headers=h)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["field"].startswith(field)
    too_long = {"swings": {"on": True, "params": {"length": "x" * 65}}}
    for overlays in (too_long, {"swings": {"params": {"k" * 33: 1}}}):
        response = logged_in.put(
            "/api/v1/charts/preferences", json={"overlays": overlays}, headers=h
        )
        assert response.status_code == 400
        assert response.get_json()["error"]["field"].startswith("overlays")
