"""Admin API for venue hours, holidays (add, edit in place, remove) and the audit log: happy
paths, 400 naming the field, 401/403/404/409, and that an edit shows in
`GET /api/v1/market/clock` at once."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from tests.helpers import api_login, create_user, csrf_token, web_login
from tests.trading.helpers import Api
from tradedeck.accounts.models import User
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.venues import admin as venues_admin
from tradedeck.venues import audit, schedule

HOURS = "/api/v1/admin/venues/SIM/hours"
HOLIDAYS = "/api/v1/admin/venues/SIM/holidays"
AUDIT = "/api/v1/admin/venues/SIM/audit"
NY = ZoneInfo("America/New_York")


@pytest.fixture
def admin_api(tapp: Flask) -> Api:
    create_user(tapp, "root", role="admin")
    client = tapp.test_client()
    return Api(client, api_login(client, "root"))


def put(api: Api, path: str, body: Any) -> Any:
    return api.client.put(path, json=body, headers=api.headers)


def patch(api: Api, path: str, body: Any) -> Any:
    return api.client.patch(path, json=body, headers=api.headers)


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
        if venues_admin.list_holidays("SIM", today, today):
            venues_admin.remove_holiday("SIM", today)
    assert admin_api.get("/api/v1/market/clock?venue=SIM").get_json()["is_open"] is True
    with tapp.app_context():
        assert schedule.is_venue_open(schedule.get_venue("SIM"))


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
        patch(admin_api, "/api/v1/admin/venues/NOPE/holidays/2026-12-24", {"name": "X"}),
        admin_api.delete("/api/v1/admin/venues/NOPE/holidays/2026-12-24"),
        admin_api.get("/api/v1/admin/venues/NOPE/audit"),
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
        ("patch", f"{HOLIDAYS}/2026-12-25", {"name": "X"}),
        ("delete", f"{HOLIDAYS}/2026-12-25", None),
        ("get", AUDIT, None),
    ]
    anonymous = tapp.test_client()
    for method, path, json in calls:
        response = getattr(client, method)(path, json=json, headers=alice.headers)
        assert error_of(response, 403)["code"] == "forbidden", path
        assert error_of(getattr(anonymous, method)(path, json=json), 401)["code"] == (
            "unauthorized"
        )
    with tapp.app_context():
        assert venues_admin.weekly_hours("SIM").is_default
        assert venues_admin.list_holidays("SIM") == []
        assert audit.recent(schedule.get_venue("SIM")) == []


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
    assert set(paths["/api/v1/admin/venues/{venue}/holidays/{date}"]) == {"patch", "delete"}
    assert set(paths["/api/v1/admin/venues/{venue}/audit"]) == {"get"}


def test_patch_holiday_name_and_early_close(admin_api: Api) -> None:
    eve = f"{HOLIDAYS}/2026-12-24"
    assert admin_api.post(HOLIDAYS, {"date": "2026-12-24", "name": "Xmas Eve"}).status_code == 201
    renamed = patch(admin_api, eve, {"name": "Christmas Eve"})
    assert renamed.status_code == 200, renamed.get_json()
    assert renamed.get_json() == {
        "date": "2026-12-24",
        "name": "Christmas Eve",
        "early_close": None,
    }
    half_day = patch(admin_api, eve, {"early_close": "13:00"}).get_json()
    assert half_day == {"date": "2026-12-24", "name": "Christmas Eve", "early_close": "13:00"}
    calendar = admin_api.get(
        "/api/v1/market/calendar?venue=SIM&start=2026-12-24T00:00:00Z&end=2026-12-25T00:00:00Z"
    ).get_json()["venues"][0]
    assert calendar["sessions"] == [
        {"open": "2026-12-24T14:30:00+00:00", "close": "2026-12-24T18:00:00+00:00"}
    ]
    both = patch(admin_api, eve, {"name": "Eve", "early_close": None}).get_json()
    assert both == {"date": "2026-12-24", "name": "Eve", "early_close": None}
    listed = admin_api.get(f"{HOLIDAYS}?start=2026-12-24&end=2026-12-24").get_json()["holidays"]
    assert listed == [both]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "name", "nothing to change"),
        ({"name": " "}, "name", "name is required"),
        ({"name": None}, "name", "name is required"),
        ({"name": 24}, "name", "valid string"),
        ({"name": "x" * 81}, "name", "at most 80"),
        ({"early_close": "1pm"}, "early_close", "HH:MM"),
        ({"early_close": 1300}, "early_close", "valid string"),
        ({"early_close": "17:00"}, "early_close", "before the close 16:00"),
        ({"date": "2026-12-23", "name": "Eve"}, "date", "Extra inputs"),
    ],
)
def test_bad_holiday_patch_names_the_field(
    admin_api: Api, body: dict[str, Any], field: str, message: str
) -> None:
    admin_api.post(HOLIDAYS, {"date": "2026-12-24", "name": "Christmas Eve"})
    error = error_of(patch(admin_api, f"{HOLIDAYS}/2026-12-24", body), 400)
    assert error["field"] == field and message in error["message"], error
    listed = admin_api.get(f"{HOLIDAYS}?start=2026-12-24&end=2026-12-24").get_json()["holidays"]
    assert listed == [{"date": "2026-12-24", "name": "Christmas Eve", "early_close": None}]


def test_patch_holiday_404_and_409(admin_api: Api) -> None:
    missing = error_of(patch(admin_api, f"{HOLIDAYS}/2026-12-23", {"name": "X"}), 404)
    assert missing == {
        "code": "not_found",
        "field": "date",
        "message": "SIM has no holiday on 2026-12-23",
    }
    assert error_of(patch(admin_api, f"{HOLIDAYS}/23-12-2026", {"name": "X"}), 400)["field"] == (
        "date"
    )
    binance = patch(admin_api, "/api/v1/admin/venues/BINANCE/holidays/2026-12-24", {"name": "X"})
    assert error_of(binance, 409)["code"] == "always_open"


def test_audit_lists_api_changes_newest_first(tapp: Flask, admin_api: Api) -> None:
    assert admin_api.get(AUDIT).get_json() == {"venue": "SIM", "entries": [], "next": None}
    admin_api.post(HOLIDAYS, {"date": "2026-12-24", "name": "Christmas Eve"})
    patch(admin_api, f"{HOLIDAYS}/2026-12-24", {"early_close": "13:00"})
    admin_api.post(HOLIDAYS, {"date": "2026-12-24", "name": "Again"})  # 409: no entry
    patch(admin_api, f"{HOLIDAYS}/2026-12-24", {"early_close": "17:00"})  # 400: no entry
    admin_api.post("/api/v1/admin/venues/SIM/override", {"state": "closed"})
    admin_api.delete(HOURS)
    entries = admin_api.get(AUDIT).get_json()["entries"]
    assert [(e["action"], e["by"], e["summary"]) for e in entries] == [
        (
            "hours.reset",
            "root",
            "weekly hours mon-fri 09:30-16:00 → default mon-fri 09:30-16:00 (unchanged)",
        ),
        ("override", "root", "auto → closed"),
        (
            "holiday.update",
            "root",
            "2026-12-24: Christmas Eve (closed) → Christmas Eve (closes 13:00)",
        ),
        ("holiday.add", "root", "2026-12-24: trading day → Christmas Eve (closed)"),
    ]
    with tapp.app_context():
        root = db.session.scalars(select(User).where(User.username == "root")).one()
        assert {e["user_id"] for e in entries} == {root.id}
    assert all(e["venue"] == "SIM" for e in entries)
    created = [datetime.fromisoformat(e["created_at"]) for e in entries]
    assert created == sorted(created, reverse=True)
    assert all(at.utcoffset() == timedelta(0) for at in created)
    limited = admin_api.get(f"{AUDIT}?limit=2").get_json()["entries"]
    assert limited == entries[:2]
    binance = admin_api.get("/api/v1/admin/venues/binance/audit").get_json()
    assert binance == {"venue": "BINANCE", "entries": [], "next": None}


@pytest.mark.parametrize("limit", ["0", "-1", "501", "ten", "1.5", ""])
def test_bad_audit_limit_names_the_field(admin_api: Api, limit: str) -> None:
    error = error_of(admin_api.get(f"{AUDIT}?limit={limit}"), 400)
    assert error["field"] == "limit" and error["code"] == "validation_error", error
