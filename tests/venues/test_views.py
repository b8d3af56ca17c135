"""Admin pages /admin/venues: listing, weekly hours form, holidays (add, edit per row, remove),
override, recent changes from the audit log; CSRF on every form, flash messages, field errors,
403 for customers and the login page for visitors."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import create_user, csrf_token, web_login
from tests.trading.helpers import at
from tradedeck.core.calendar import WEEKDAYS, Holiday
from tradedeck.venues import admin as venues_admin
from tradedeck.venues import audit, schedule, views

PAGE = "/admin/venues/SIM"


@pytest.fixture
def admin_client(tapp: Flask) -> FlaskClient:
    create_user(tapp, "root", role="admin")
    client = tapp.test_client()
    assert web_login(client, "root").status_code == 302
    return client


def post(client: FlaskClient, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
    form = {"csrf_token": csrf_token(client, PAGE), **(data or {})}
    response = client.post(path, data=form, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def week(**days: str) -> dict[str, str]:
    return {day: days.get(day, "") for day in WEEKDAYS}


def test_list_shows_venues_state_and_nav(admin_client: FlaskClient) -> None:
    html = admin_client.get("/admin/venues").get_data(as_text=True)
    assert 'href="/admin/venues"' in html  # navbar entry for admins
    assert 'data-venue="SIM"' in html and 'data-venue="BINANCE"' in html
    assert "mon-fri 09:30-16:00" in html and "24/7" in html
    assert 'hx-trigger="every 30s"' in html


def test_venue_page_shows_hours_holidays_and_forms(admin_client: FlaskClient) -> None:
    response = admin_client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="hours-mon"' in html and 'value="09:30-16:00"' in html
    assert 'id="hours-sat"' in html and 'placeholder="closed"' in html
    assert html.count('name="csrf_token"') >= 6  # hours, holiday, 3 override buttons, logout
    assert "Times are wall-clock in America/New_York" in html
    assert "No upcoming holidays" in html  # empty state: SIM was never seeded here
    assert 'id="hours-reset-form"' not in html  # already the default


def test_save_hours_flashes_and_takes_effect(tapp: Flask, admin_client: FlaskClient) -> None:
    data = week(mon="09:00-11:30, 12:30-16:00", tue="09:30-16:00", sat="10:00-12:00")
    status, html = post(admin_client, f"{PAGE}/hours", data)
    assert status == 200
    assert "alert-success" in html and "SIM weekly hours saved" in html
    assert 'value="09:00-11:30, 12:30-16:00"' in html and 'id="hours-reset-form"' in html
    with tapp.app_context():
        assert venues_admin.weekly_hours("SIM").spec() == (
            "mon 09:00-11:30,12:30-16:00; tue 09:30-16:00; sat 10:00-12:00"
        )
        sim = schedule.get_venue("SIM")
        assert schedule.is_venue_open(sim, at("2026-03-07T15:30:00+00:00"))  # Saturday 10:30 EST
        assert not schedule.is_venue_open(sim, at("2026-03-11T15:30:00+00:00"))  # Wednesday

    status, html = post(admin_client, f"{PAGE}/hours/reset")
    assert status == 200 and "reset to Mon-Fri 09:30-16:00" in html
    with tapp.app_context():
        assert venues_admin.weekly_hours("SIM").is_default


@pytest.mark.parametrize(
    ("data", "day", "message"),
    [
        (week(mon="16:00-09:00"), "mon", "mon: close 09:00 must be after open 16:00"),
        (week(tue="9-5"), "tue", "time must be HH:MM"),
        (week(wed="09:00-12:00, 11:00-13:00"), "wed", "overlap"),
        (week(), None, "at least one weekly session"),
    ],
)
def test_bad_hours_show_the_error_at_the_field(
    tapp: Flask, admin_client: FlaskClient, data: dict[str, str], day: str | None, message: str
) -> None:
    form = {"csrf_token": csrf_token(admin_client, PAGE), **data}
    response = admin_client.post(f"{PAGE}/hours", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # re-rendered with the errors, like other form pages
    assert "alert-danger" in html and "Hours not saved" in html and message in html
    if day:
        assert f'id="hours-{day}"' in html
        field = html[html.index(f'id="hours-{day}"') - 200 : html.index(f'id="hours-{day}"')]
        assert "is-invalid" in field
    assert f'value="{data["wed"] or data["mon"] or data["tue"]}"' in html or not day  # kept
    with tapp.app_context():
        assert venues_admin.weekly_hours("SIM").is_default


def test_add_and_remove_holiday(tapp: Flask, admin_client: FlaskClient) -> None:
    data = {"date": "2030-12-24", "name": "Christmas Eve", "early_close": "13:00"}
    status, html = post(admin_client, f"{PAGE}/holidays", data)
    assert status == 200
    assert "SIM closes at 13:00 on Tue 24 Dec 2030 (Christmas Eve)." in html
    assert 'data-date="2030-12-24"' in html and "closes 13:00" in html
    status, html = post(admin_client, f"{PAGE}/holidays", {"date": "2030-12-31", "name": "Eve"})
    assert "SIM is closed all day on Tue 31 Dec 2030 (Eve)." in html
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        assert not schedule.is_venue_open(sim, at("2030-12-31T15:00:00+00:00"))

    status, html = post(admin_client, f"{PAGE}/holidays/2030-12-31/remove")
    assert status == 200 and "Removed Eve (Tue 31 Dec 2030)" in html
    assert 'data-date="2030-12-31"' not in html
    with tapp.app_context():
        assert schedule.is_venue_open(schedule.get_venue("SIM"), at("2030-12-31T15:00:00+00:00"))
    status, html = post(admin_client, f"{PAGE}/holidays/2030-12-31/remove")
    assert "alert-danger" in html and "SIM has no holiday on 2030-12-31" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date": "", "name": "X"}, "date", "Pick a date."),
        ({"date": "31/12/2030", "name": "X"}, "date", "date must be YYYY-MM-DD"),
        ({"date": "2030-12-24", "name": ""}, "name", "Give the holiday a name."),
        ({"date": "2030-12-24", "name": "Eve", "early_close": "7pm"}, "early-close", "HH:MM"),
        ({"date": "2030-12-24", "name": "Eve", "early_close": "17:00"}, "early-close", "before"),
    ],
)
def test_bad_holiday_shows_the_error(
    tapp: Flask, admin_client: FlaskClient, data: dict[str, str], field: str, message: str
) -> None:
    form = {"csrf_token": csrf_token(admin_client, PAGE), **data}
    response = admin_client.post(f"{PAGE}/holidays", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # re-rendered with the errors, like other form pages
    assert "Holiday not added" in html and message in html
    start = html.index(f'id="holiday-{field}"')
    assert "is-invalid" in html[html.rindex("<input", 0, start) : start]
    with tapp.app_context():
        assert venues_admin.list_holidays("SIM", date(2030, 1, 1)) == []


def test_duplicate_holiday_is_refused(admin_client: FlaskClient) -> None:
    data = {"date": "2030-12-24", "name": "Christmas Eve"}
    post(admin_client, f"{PAGE}/holidays", data)
    status, html = post(admin_client, f"{PAGE}/holidays", {"date": "2030-12-24", "name": "B"})
    assert status == 200 and "already has &#39;Christmas Eve&#39; on 2030-12-24" in html


def test_override_buttons(tapp: Flask, admin_client: FlaskClient) -> None:
    status, html = post(admin_client, f"{PAGE}/override", {"state": "open"})
    assert "SIM is forced open (emergency override)." in html and "forced open" in html
    with tapp.app_context():
        assert schedule.clock(schedule.get_venue("SIM")).emergency
    status, html = post(admin_client, f"{PAGE}/override", {"state": "auto"})
    assert status == 200 and "SIM follows its schedule again." in html
    _, html = post(admin_client, f"{PAGE}/override", {"state": "sideways"})
    assert "state must be one of" in html


def test_24_7_venue_page(admin_client: FlaskClient) -> None:
    html = admin_client.get("/admin/venues/binance").get_data(as_text=True)
    assert "BINANCE trades 24/7" in html and 'id="hours-form"' not in html
    assert 'id="holiday-form"' not in html and "Holidays do not apply" in html
    status, html = post(admin_client, "/admin/venues/BINANCE/holidays", {"date": "2030-01-02"})
    assert status == 200 and "Give the holiday a name." in html
    status, html = post(
        admin_client, "/admin/venues/BINANCE/holidays", {"date": "2030-01-02", "name": "X"}
    )
    assert status == 200 and "alert-danger" in html and "BINANCE trades 24/7" in html


def test_unknown_venue_is_404(admin_client: FlaskClient) -> None:
    assert admin_client.get("/admin/venues/NOPE").status_code == 404
    token = csrf_token(admin_client, PAGE)
    response = admin_client.post("/admin/venues/NOPE/hours", data={"csrf_token": token})
    assert response.status_code == 404


def test_forms_need_the_csrf_token(tapp: Flask, admin_client: FlaskClient) -> None:
    for path, data in [
        (f"{PAGE}/hours", week(mon="10:00-11:00")),
        (f"{PAGE}/hours/reset", {}),
        (f"{PAGE}/holidays", {"date": "2030-12-24", "name": "Eve"}),
        (f"{PAGE}/holidays/2030-12-24/remove", {}),
        (f"{PAGE}/holidays/2030-12-24/edit", {"name": "Eve"}),
        (f"{PAGE}/override", {"state": "closed"}),
    ]:
        assert admin_client.post(path, data=data).status_code == 400, path
    with tapp.app_context():
        assert venues_admin.weekly_hours("SIM").is_default
        assert venues_admin.list_holidays("SIM") == []
        assert not schedule.clock(schedule.get_venue("SIM")).emergency
        assert audit.recent(schedule.get_venue("SIM")) == []


def test_customers_get_403_and_visitors_the_login_page(tapp: Flask) -> None:
    create_user(tapp)
    customer = tapp.test_client()
    assert web_login(customer).status_code == 302
    assert 'href="/admin/venues"' not in customer.get("/stocks").get_data(as_text=True)
    token = csrf_token(customer, "/stocks")
    for path in ("/admin/venues", PAGE):
        assert customer.get(path).status_code == 403
    for path in (
        f"{PAGE}/hours",
        f"{PAGE}/holidays",
        f"{PAGE}/holidays/2030-12-24/edit",
        f"{PAGE}/override",
    ):
        response = customer.post(path, data={"csrf_token": token, "state": "open"})
        assert response.status_code == 403
    visitor = tapp.test_client()
    response = visitor.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with tapp.app_context():
        assert not schedule.clock(schedule.get_venue("SIM")).emergency
        assert audit.recent(schedule.get_venue("SIM")) == []


def _add_eve(client: FlaskClient) -> None:
    status, html = post(client, f"{PAGE}/holidays", {"date": "2030-12-24", "name": "Xmas Eve"})
    assert status == 200 and "alert-success" in html


def test_each_holiday_row_has_an_edit_form(admin_client: FlaskClient) -> None:
    _add_eve(admin_client)
    post(
        admin_client,
        f"{PAGE}/holidays",
        {"date": "2030-12-31", "name": "NYE", "early_close": "13:00"},
    )
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert 'action="/admin/venues/SIM/holidays/2030-12-24/edit"' in html
    assert 'id="holiday-edit-name-2030-12-24" value="Xmas Eve"' in html
    assert 'id="holiday-edit-early-close-2030-12-24" value=""' in html
    assert 'id="holiday-edit-early-close-2030-12-31" value="13:00"' in html
    assert 'class="collapse" id="holiday-edit-2030-12-24"' in html  # closed until asked for


def test_edit_holiday_flashes_and_takes_effect(tapp: Flask, admin_client: FlaskClient) -> None:
    _add_eve(admin_client)
    data = {"name": "Christmas Eve", "early_close": "13:00"}
    status, html = post(admin_client, f"{PAGE}/holidays/2030-12-24/edit", data)
    assert status == 200
    assert "Saved Christmas Eve (Tue 24 Dec 2030): SIM closes at 13:00." in html
    row = html[html.index('data-date="2030-12-24"') :]
    assert "Christmas Eve" in row[:600] and "closes 13:00" in row[:600]
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        assert schedule.is_venue_open(sim, at("2030-12-24T15:00:00+00:00"))  # 10:00 EST
        assert not schedule.is_venue_open(sim, at("2030-12-24T18:30:00+00:00"))  # 13:30 EST

    data = {"name": "Christmas Eve", "early_close": ""}
    status, html = post(admin_client, f"{PAGE}/holidays/2030-12-24/edit", data)
    assert "Saved Christmas Eve (Tue 24 Dec 2030): SIM is closed all day." in html
    with tapp.app_context():
        assert venues_admin.list_holidays("SIM", date(2030, 12, 24), date(2030, 12, 24)) == [
            Holiday(date(2030, 12, 24), "Christmas Eve", None)
        ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "early_close": ""}, "name", "Give the holiday a name."),
        ({"name": "Eve", "early_close": "7pm"}, "early-close", "HH:MM"),
        ({"name": "Eve", "early_close": "17:00"}, "early-close", "before the close 16:00"),
        ({"name": "Eve", "early_close": "08:00:00"}, "early-close", "longer than 5 characters"),
    ],
)
def test_bad_holiday_edit_shows_the_error_in_its_row(
    tapp: Flask, admin_client: FlaskClient, data: dict[str, str], field: str, message: str
) -> None:
    _add_eve(admin_client)
    form = {"csrf_token": csrf_token(admin_client, PAGE), **data}
    response = admin_client.post(f"{PAGE}/holidays/2030-12-24/edit", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # re-rendered with the errors, like other form pages
    assert "alert-danger" in html and "Holiday not updated" in html and message in html
    assert 'class="collapse show" id="holiday-edit-2030-12-24"' in html  # left open
    start = html.index(f'id="holiday-edit-{field}-2030-12-24"')
    assert "is-invalid" in html[html.rindex("<input", 0, start) : start]
    assert f'value="{data[field.replace("-", "_")]}"' in html  # what was typed is kept
    with tapp.app_context():
        assert venues_admin.list_holidays("SIM", date(2030, 12, 24), date(2030, 12, 24)) == [
            Holiday(date(2030, 12, 24), "Xmas Eve", None)
        ]
        assert [e.action for e in audit.recent(schedule.get_venue("SIM"))] == ["holiday.add"]


def test_bad_edit_of_a_past_holiday_shows_its_row(admin_client: FlaskClient) -> None:
    _add_eve(admin_client)  # the first edit seeds last year's holidays too
    data = {"name": "Christmas Day", "early_close": "25:00"}
    html = post(admin_client, f"{PAGE}/holidays/2025-12-25/edit", data)[1]
    assert 'class="collapse show" id="holiday-edit-2025-12-25"' in html
    assert "out of range" in html


def test_edit_of_a_missing_or_misspelt_date_flashes(admin_client: FlaskClient) -> None:
    _add_eve(admin_client)
    data = {"name": "Eve"}
    status, html = post(admin_client, f"{PAGE}/holidays/2030-12-23/edit", data)
    assert status == 200 and "Holiday not updated — SIM has no holiday on 2030-12-23." in html
    status, html = post(admin_client, f"{PAGE}/holidays/23-12-2030/edit", data)
    assert status == 200 and "Holiday not updated — date must be YYYY-MM-DD" in html
    status, html = post(admin_client, "/admin/venues/BINANCE/holidays/2030-12-24/edit", data)
    assert status == 200 and "BINANCE trades 24/7" in html


def test_recent_changes_card(tapp: Flask, admin_client: FlaskClient) -> None:
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert 'id="audit"' in html and "Recent changes" in html and "No changes yet" in html
    _add_eve(admin_client)
    post(admin_client, f"{PAGE}/holidays/2030-12-24/edit", {"name": "Christmas Eve"})
    post(admin_client, f"{PAGE}/override", {"state": "closed"})
    post(admin_client, f"{PAGE}/holidays", {"date": "2030-12-24", "name": "Again"})  # refused
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert "No changes yet" not in html
    card = html[html.index('id="audit-table"') :]
    rows = card.split('<tr data-audit-id="')[1:]
    assert [r[r.index('data-action="') + 13 :].split('"')[0] for r in rows] == [
        "override",
        "holiday.update",
        "holiday.add",
    ]
    assert "root" in rows[0] and "auto → closed" in rows[0]
    assert "2030-12-24: Xmas Eve (closed) → Christmas Eve (closed)" in rows[1]
    with tapp.app_context():
        [newest, *_] = audit.recent(schedule.get_venue("SIM"))
        assert f'datetime="{newest.created_at.isoformat()}"' in rows[0]
    binance = admin_client.get("/admin/venues/BINANCE").get_data(as_text=True)
    assert "No changes yet" in binance  # SIM's changes are SIM's


def test_recent_changes_shows_the_latest_only(tapp: Flask, admin_client: FlaskClient) -> None:
    with tapp.app_context():
        for state in ["open", "closed"] * 6:
            venues_admin.set_override("SIM", state, by="ops")
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert html.count('<tr data-audit-id="') == views.RECENT_CHANGES
    assert f"latest {views.RECENT_CHANGES}" in html
