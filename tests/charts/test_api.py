"""Chart API: drawings per user and instrument, chart preferences; auth and 4xx naming fields."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import create_user, csrf_token, web_login
from tradedeck.accounts.models import User

TREND = {
    "symbol": "ACME",
    "venue": "sim",
    "kind": "trend",
    "points": [{"time": 1700000000, "price": 101.5}, {"time": 1700003600, "price": 99.25}],
}


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
