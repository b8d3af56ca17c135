"""Admin API for venue hours and holidays: happy paths, 400 naming the field, 401/403/404/409,
and that an edit shows in `GET /api/v1/market/clock` at once."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from tests.conftest import api_login, create_user, csrf_token, web_login
from tests.trading.conftest import Api
from tradedeck.database import utcnow
from tradedeck.trading import hours, hours_admin

HOURS = "/api/v1/admin/venues/SIM/hours"
HOLIDAYS = "/api/v1/admin/venues/SIM/holidays"
NY = ZoneInfo("America/New_York")


@pytest.fixture
def admin_api(tapp: Flask) -> Api:
    create_user(tapp, "root", role="admin")
    client = tapp.test_client()
    return Api(client, api_login(client, "root"))


def put(api: Api, path: str, body: Any) -> Any:
    return api.client.put(path, json=body, headers=api.headers)


def error_of(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


def test_get_put_and_reset_hours(admin_api: Api) -> None:
    got = admin_api.get(HOURS).get_json()
    assert got["default"] is True and got["timezone"] == "America/New_York"
    assert got["hours"][0] == {"weekday": 0, "day": "mon", "open": "09:30", "close": "16:00"}
    assert len(got["hours"]) == 5

    body = {
        "hours": [
            {"weekday": 0, "open": "09:00", "close": "11:30"},
            {"day": "mon", "open": "12:30", "close": "16:00"},
            {"weekday": 5, "day": "sat", "open": "10:00", "close": "24:00"},
        ]
    }
    response = put(admin_api, HOURS, body)
    assert response.status_code == 200, response.get_json()
    saved = response.get_json()
    assert saved["default"] is False
    assert saved["hours"] == [
        {"weekday": 0, "day": "mon", "open": "09:00", "close": "11:30"},
        {"weekday": 0, "day": "mon", "open": "12:30", "close": "16:00"},
        {"weekday": 5, "day": "sat", "open": "10:00", "close": "24:00"},
    ]
    assert admin_api.get(HOURS).get_json() == saved
    # the GET answer can be sent back as it is
    assert put(admin_api, HOURS, {"hours": saved["hours"]}).get_json() == saved

    reset = admin_api.delete(HOURS)
    assert reset.status_code == 200 and reset.get_json()["default"] is True


def test_an_edit_changes_the_market_clock(tapp: Flask, admin_api: Api) -> None:
    now = utcnow().astimezone(NY)
    other_day = (now.weekday() + 3) % 7
    body = {"hours": [{"weekday": other_day, "open": "10:00", "close": "11:00"}]}
    assert put(admin_api, HOURS, body).status_code == 200
    clock = admin_api.get("/api/v1/market/clock?venue=SIM").get_json()
    assert clock["is_open"] is False
    next_open = datetime.fromisoformat(clock["next_open"]).astimezone(NY)
    assert next_open.weekday() == other_day and next_open.time() == time(10)
    assert next_open - now < timedelta(days=7 + 7)  # this or next week (a holiday may skip one)

    whole_week = {"hours": [{"weekday": d, "open": "00:00", "close": "24:00"} for d in range(7)]}
    assert put(admin_api, HOURS, whole_week).status_code == 200
    today = utcnow().astimezone(NY).date()
    with tapp.app_context():
        if hours_admin.list_holidays("SIM", today, today):
            hours_admin.remove_holiday("SIM", today)
    assert admin_api.get("/api/v1/market/clock?venue=SIM").get_json()["is_open"] is True
    with tapp.app_context():
        assert hours.is_venue_open(hours.get_venue("SIM"))


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"hours": [{"weekday": 0, "open": "10:00", "close": "09:00"}]}, "hours.0.close", "after"),
        ({"hours": [{"weekday": 0, "open": "9h", "close": "16:00"}]}, "hours.0.open", "HH:MM"),
        ({"hours": [{"weekday": 0, "open": "09:00", "close": "24:30"}]}, "hours.0.close", "range"),
        ({"hours": [{"weekday": 7, "open": "09:00", "close": "16:00"}]}, "hours.0.weekday", "0"),
        ({"hours": [{"day": "funday", "open": "09:00", "close": "16:00"}]}, "hours.0.day", "mon"),
        ({"hours": [{"open": "09:00", "close": "16:00"}]}, "hours.0.weekday", "required"),
        (
            {"hours": [{"weekday": 1, "day": "mon", "open": "09:00", "close": "10:00"}]},
            "hours.0.day",
            "different",
        ),
        ({"hours": [{"weekday": 0, "close": "16:00"}]}, "hours.0.open", "required"),
        (
            {
                "hours": [
                    {"weekday": 2, "open": "09:00", "close": "12:00"},
                    {"weekday": 2, "open": "11:00", "close": "13:00"},
                ]
            },
            "hours.1",
            "overlap",
        ),
        ({"hours": []}, "hours", "at least one"),
        ({}, "hours", "required"),
        ({"hours": [], "tz": "UTC"}, "tz", "Extra inputs"),
    ],
)
def test_bad_hours_name_the_field(admin_api: Api, body: Any, field: str, message: str) -> None:
    error = error_of(put(admin_api, HOURS, body), 400)
    assert error["field"] == field and message in error["message"], error
    assert admin_api.get(HOURS).get_json()["default"] is True  # nothing changed


def test_24_7_venue_refuses_hours_and_holidays(admin_api: Api) -> None:
    body = {"hours": [{"weekday": 0, "open": "09:00", "close": "16:00"}]}
    error = error_of(put(admin_api, "/api/v1/admin/venues/BINANCE/hours", body), 409)
    assert error["code"] == "always_open" and "24/7" in error["message"]
    got = admin_api.get("/api/v1/admin/venues/BINANCE/hours").get_json()
    assert got["always_open"] is True and got["hours"] == []
    holiday = {"date": "2026-12-24", "name": "Eve"}
    response = admin_api.post("/api/v1/admin/venues/BINANCE/holidays", holiday)
    assert error_of(response, 409)["code"] == "always_open"


def test_holidays_add_list_remove(admin_api: Api) -> None:
    added = admin_api.post(
        HOLIDAYS, {"date": "2026-12-24", "name": "Christmas Eve", "early_close": "13:00"}
    )
    assert added.status_code == 201, added.get_json()
    assert added.get_json() == {
        "date": "2026-12-24",
        "name": "Christmas Eve",
        "early_close": "13:00",
    }
    listed = admin_api.get(f"{HOLIDAYS}?start=2026-12-01&end=2026-12-31").get_json()
    assert listed["venue"] == "SIM"
    assert listed["holidays"] == [
        {"date": "2026-12-24", "name": "Christmas Eve", "early_close": "13:00"},
        {"date": "2026-12-25", "name": "Christmas Day", "early_close": None},
    ]
    calendar = admin_api.get(
        "/api/v1/market/calendar?venue=SIM&start=2026-12-24T00:00:00Z&end=2026-12-25T00:00:00Z"
    ).get_json()["venues"][0]
    assert calendar["sessions"] == [
        {"open": "2026-12-24T14:30:00+00:00", "close": "2026-12-24T18:00:00+00:00"}
    ]

    duplicate = admin_api.post(HOLIDAYS, {"date": "2026-12-24", "name": "Again"})
    assert error_of(duplicate, 409) == {
        "code": "duplicate",
        "field": "date",
        "message": "SIM already has 'Christmas Eve' on 2026-12-24; remove it first",
    }
    removed = admin_api.delete(f"{HOLIDAYS}/2026-12-24")
    assert removed.status_code == 200 and removed.get_json()["name"] == "Christmas Eve"
    assert error_of(admin_api.delete(f"{HOLIDAYS}/2026-12-24"), 404)["field"] == "date"
    assert error_of(admin_api.delete(f"{HOLIDAYS}/24-12-2026"), 400)["field"] == "date"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-13-01", "name": "X"}, "date"),
        ({"date": 20261224, "name": "X"}, "date"),
        ({"name": "X"}, "date"),
        ({"date": "2026-12-24", "name": " "}, "name"),
        ({"date": "2026-12-24", "name": "x" * 81}, "name"),
        ({"date": "2026-12-24", "name": "Eve", "early_close": "1pm"}, "early_close"),
        ({"date": "2026-12-24", "name": "Eve", "early_close": "17:00"}, "early_close"),
        ({"date": "2026-12-26", "name": "Sat", "early_close": "12:00"}, "early_close"),
    ],
)
def test_bad_holidays_name_the_field(admin_api: Api, body: dict[str, Any], field: str) -> None:
    error = error_of(admin_api.post(HOLIDAYS, body), 400)
    assert error["field"] == field, error


def test_bad_holiday_query_names_the_field(admin_api: Api) -> None:
    assert error_of(admin_api.get(f"{HOLIDAYS}?start=soon"), 400)["field"] == "start"


def test_unknown_venue_is_404(admin_api: Api) -> None:
    for response in (
        admin_api.get("/api/v1/admin/venues/NOPE/hours"),
        put(admin_api, "/api/v1/admin/venues/NOPE/hours", {"hours": []}),
        admin_api.delete("/api/v1/admin/venues/NOPE/hours"),
        admin_api.get("/api/v1/admin/venues/NOPE/holidays"),
        admin_api.post("/api/v1/admin/venues/NOPE/holidays", {"date": "2026-12-24", "name": "X"}),
        admin_api.delete("/api/v1/admin/venues/NOPE/holidays/2026-12-24"),
    ):
        assert error_of(response, 404)["field"] == "venue"


def test_customers_get_403_and_visitors_401(tapp: Flask) -> None:
    create_user(tapp)
    client = tapp.test_client()
    alice = Api(client, api_login(client))
    body = {"hours": [{"weekday": 0, "open": "09:00", "close": "16:00"}]}
    holiday = {"date": "2026-12-24", "name": "Eve"}
    calls = [
        ("get", HOURS, None),
        ("put", HOURS, body),
        ("delete", HOURS, None),
        ("get", HOLIDAYS, None),
        ("post", HOLIDAYS, holiday),
        ("delete", f"{HOLIDAYS}/2026-12-25", None),
    ]
    anonymous = tapp.test_client()
    for method, path, json in calls:
        response = getattr(client, method)(path, json=json, headers=alice.headers)
        assert error_of(response, 403)["code"] == "forbidden", path
        assert error_of(getattr(anonymous, method)(path, json=json), 401)["code"] == (
            "unauthorized"
        )
    with tapp.app_context():
        assert hours_admin.weekly_hours("SIM").is_default
        assert hours_admin.list_holidays("SIM") == []


def test_session_cookie_writes_need_the_csrf_header(tapp: Flask) -> None:
    create_user(tapp, "root", role="admin")
    client = tapp.test_client()
    assert web_login(client, "root").status_code == 302
    body = {"date": "2026-12-24", "name": "Eve"}
    assert client.post(HOLIDAYS, json=body).status_code == 400
    token = csrf_token(client, "/")
    response = client.post(HOLIDAYS, json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()


def test_routes_are_in_the_openapi_document(admin_api: Api) -> None:
    paths = admin_api.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/admin/venues/{venue}/hours"]) == {"get", "put", "delete"}
    assert set(paths["/api/v1/admin/venues/{venue}/holidays"]) == {"get", "post"}
    assert set(paths["/api/v1/admin/venues/{venue}/holidays/{date}"]) == {"delete"}
