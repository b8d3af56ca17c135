"""Editing venue hours and holidays (add, update in place, remove): validation naming the field,
DST wall clock, half days, 24/7 venues, and that every edit is in force at once (cache cleared,
state re-synced, working day orders re-dated)."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from tests.helpers import api_login, create_user
from tests.trading.helpers import Api, at, fund, set_sim
from tradedeck.core.calendar import Holiday, WeeklySession
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.trading.models import Order
from tradedeck.venues import admin as venues_admin
from tradedeck.venues import schedule
from tradedeck.venues.admin import SessionInput
from tradedeck.venues.models import MarketState, VenueSession

NEW_YORK = ZoneInfo("America/New_York")


def _set(spec: str, venue: str = "SIM") -> venues_admin.WeeklyHours:
    return venues_admin.set_weekly_hours(venue, venues_admin.parse_hours_spec(spec), by="test")


def _error(call: object, *args: object, **kwargs: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value


def test_parse_hours_spec_ranges_lists_lunch_breaks_and_overrides() -> None:
    sessions = venues_admin.validate_sessions(
        venues_admin.parse_hours_spec(
            "mon-fri 09:00-11:30, 12:30-16:00; wed closed; sat,sun 10:00-24:00; fri 9:30-13:00"
        )
    )
    assert sessions == [
        WeeklySession(0, time(9), time(11, 30)),
        WeeklySession(0, time(12, 30), time(16)),
        WeeklySession(1, time(9), time(11, 30)),
        WeeklySession(1, time(12, 30), time(16)),
        WeeklySession(3, time(9), time(11, 30)),
        WeeklySession(3, time(12, 30), time(16)),
        WeeklySession(4, time(9, 30), time(13)),
        WeeklySession(5, time(10), None),
        WeeklySession(6, time(10), None),
    ]
    assert venues_admin.hours_spec(sessions) == (
        "mon-tue 09:00-11:30,12:30-16:00; thu 09:00-11:30,12:30-16:00; fri 09:30-13:00; "
        "sat-sun 10:00-24:00"
    )
    assert len(venues_admin.parse_hours_spec("daily 00:00-24:00")) == 7


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "hours are empty"),
        ("mon-fri", "names days but no hours"),
        ("mon-fry 09:30-16:00", "cannot read days"),
        ("fri-mon 09:30-16:00", "runs backwards"),
        ("mon 0930-1600", "time must be HH:MM"),
        ("mon 09:30", "write sessions as HH:MM-HH:MM"),
        ("mon 09:30-25:00", "out of range"),
        ("mon 9.30-16:00", "time must be HH:MM"),
        ("mon 16:00-09:30", "close 09:30 must be after open 16:00"),
        ("mon 09:00-12:00,11:00-13:00", "overlap"),
        ("mon 24:00-24:00", "out of range"),
        ("sat closed", "at least one weekly session"),
    ],
)
def test_bad_specs_are_refused_naming_hours(spec: str, message: str) -> None:
    error = _error(lambda: venues_admin.validate_sessions(venues_admin.parse_hours_spec(spec)))
    assert message in error.message
    assert error.field == "hours"


def test_structured_input_errors_name_the_index_and_part() -> None:
    def check(items: list[SessionInput]) -> str | None:
        return _error(venues_admin.validate_sessions, items).field

    ok = SessionInput(0, "09:30", "16:00", "hours.0", per_part=True)
    assert check([ok, SessionInput(7, "09:30", "16:00", "hours.1", per_part=True)]) == (
        "hours.1.weekday"
    )
    assert check([SessionInput("mon", "9:3", "16:00", "hours.0", per_part=True)]) == (
        "hours.0.open"
    )
    assert check([SessionInput(1, "10:00", "09:00", "hours.0", per_part=True)]) == ("hours.0.close")
    assert check([ok, SessionInput("Monday", "15:00", "17:00", "hours.1", per_part=True)]) == (
        "hours.1"
    )
    assert check([SessionInput(True, "09:30", "16:00", "hours.0", per_part=True)]) == (
        "hours.0.weekday"
    )
    # a per-day form field keeps its own name
    assert check([SessionInput(2, "x", "16:00", "wed")]) == "wed"


def test_edit_keeps_the_opening_bell_at_local_time_across_dst(tapp: Flask) -> None:
    with tapp.app_context():
        week = _set("mon-fri 08:00-12:00")
        assert not week.is_default and week.spec() == "mon-fri 08:00-12:00"
        sim = schedule.get_venue("SIM")
        # Friday 6 March 2026, EST (UTC-5): 08:00 local is 13:00 UTC.
        assert not schedule.is_venue_open(sim, at("2026-03-06T12:59:59+00:00"))
        assert schedule.is_venue_open(sim, at("2026-03-06T13:00:00+00:00"))
        assert not schedule.is_venue_open(sim, at("2026-03-06T17:00:00+00:00"))
        # Monday 9 March 2026, EDT (UTC-4) after the 8 March change: 08:00 local is 12:00 UTC.
        assert schedule.is_venue_open(sim, at("2026-03-09T12:00:00+00:00"))
        assert not schedule.is_venue_open(sim, at("2026-03-09T16:00:00+00:00"))
        clock = schedule.clock(sim, at("2026-03-07T12:00:00+00:00"))
        assert clock.next_open == at("2026-03-09T12:00:00+00:00")
        assert clock.next_close == at("2026-03-09T16:00:00+00:00")
        # ...and back on EST after 1 November 2026.
        assert schedule.clock(sim, at("2026-10-31T12:00:00+00:00")).next_open == at(
            "2026-11-02T13:00:00+00:00"
        )


def test_edit_is_in_force_at_once_in_this_process(tapp: Flask) -> None:
    saturday = at("2026-03-07T15:00:00+00:00")
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        assert not schedule.is_venue_open(sim, saturday)  # cached now for SCHEDULE_TTL_SECS
        _set("mon-fri 09:30-16:00; sat 09:00-17:00")
        assert schedule.is_venue_open(sim, saturday)
        state = db.session.get(MarketState, sim.id)
        assert state is not None and state.checked_at is not None  # re-synced after the edit
        venues_admin.reset_weekly_hours("sim", by="test")
        assert not schedule.is_venue_open(sim, saturday)
        week = venues_admin.weekly_hours("SIM")
        assert week.is_default and week.spec() == "mon-fri 09:30-16:00"


def test_a_failed_edit_changes_nothing(tapp: Flask) -> None:
    with tapp.app_context():
        _set("mon-fri 10:00-15:00")
        before = venues_admin.weekly_hours("SIM").spec()
        _error(_set, "mon 10:00-09:00")
        _error(_set, "mon 09:00-12:00, 11:00-13:00")
        assert venues_admin.weekly_hours("SIM").spec() == before
        sim = schedule.get_venue("SIM")
        rows = db.session.query(VenueSession).filter_by(venue_id=sim.id).count()
        assert rows == 5


def test_unknown_venue_and_24_7_venue(tapp: Flask) -> None:
    with tapp.app_context():
        assert _error(_set, "mon 09:00-10:00", "NOPE").code == "not_found"
        error = _error(_set, "mon-fri 09:00-17:00", "BINANCE")
        assert error.code == "always_open" and "24/7" in error.message
        assert error.field == "venue"
        assert _error(venues_admin.add_holiday, "BINANCE", "2026-12-24", "Eve").code == (
            "always_open"
        )
        assert _error(venues_admin.reset_weekly_hours, "binance").code == "always_open"
        assert schedule.get_venue("BINANCE").always_open  # nothing was switched
        week = venues_admin.weekly_hours("BINANCE")
        assert week.always_open and week.sessions == ()


def test_holiday_closes_and_removal_reopens(tapp: Flask) -> None:
    monday = at("2026-03-09T15:00:00+00:00")
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        assert schedule.is_venue_open(sim, monday)
        added = venues_admin.add_holiday("sim", "2026-03-09", "  Exchange   outage day ", by="t")
        assert added.name == "Exchange outage day" and added.early_close is None
        assert not schedule.is_venue_open(sim, monday)
        assert schedule.clock(sim, at("2026-03-06T22:00:00+00:00")).next_open == at(
            "2026-03-10T13:30:00+00:00"
        )
        listed = venues_admin.list_holidays("SIM", date(2026, 3, 1), date(2026, 3, 31))
        assert [(h.date, h.name) for h in listed] == [(date(2026, 3, 9), "Exchange outage day")]
        removed = venues_admin.remove_holiday("SIM", date(2026, 3, 9), by="t")
        assert removed.name == "Exchange outage day"
        assert schedule.is_venue_open(sim, monday)


def test_early_close_ends_the_half_day_at_local_time(tapp: Flask) -> None:
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        added = venues_admin.add_holiday("SIM", date(2026, 12, 24), "Christmas Eve", "13:00")
        assert added.early_close == time(13)
        # Thursday 24 Dec 2026, EST: 09:30-13:00 local = 14:30-18:00 UTC.
        assert schedule.is_venue_open(sim, at("2026-12-24T14:30:00+00:00"))
        assert schedule.is_venue_open(sim, at("2026-12-24T17:59:59+00:00"))
        assert not schedule.is_venue_open(sim, at("2026-12-24T18:00:00+00:00"))
        assert schedule.clock(sim, at("2026-12-24T15:00:00+00:00")).next_close == at(
            "2026-12-24T18:00:00+00:00"
        )
        # a day order placed that morning expires at the early close
        assert schedule.session_end(sim, at("2026-12-24T15:00:00+00:00")) == at(
            "2026-12-24T18:00:00+00:00"
        )


def test_early_close_on_a_lunch_break_day_drops_the_afternoon(tapp: Flask) -> None:
    with tapp.app_context():
        _set("mon-fri 09:00-11:30,12:30-16:00")
        venues_admin.add_holiday("SIM", "2026-12-24", "Christmas Eve", "12:00")
        sim = schedule.get_venue("SIM")
        assert schedule.is_venue_open(sim, at("2026-12-24T16:00:00+00:00"))  # 11:00 EST
        assert not schedule.is_venue_open(sim, at("2026-12-24T17:45:00+00:00"))  # 12:45 EST
        assert schedule.clock(sim, at("2026-12-24T16:00:00+00:00")).next_close == at(
            "2026-12-24T16:30:00+00:00"  # 11:30 EST, the morning session's end
        )
        assert schedule.clock(sim, at("2026-12-24T16:00:00+00:00")).next_open == at(
            "2026-12-28T14:00:00+00:00"  # Friday 25th is Christmas, then the weekend
        )


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        (("24/12/2026", "Eve"), "date", "YYYY-MM-DD"),
        (("2026-02-30", "Eve"), "date", "YYYY-MM-DD"),
        (("2026-12-24", "   "), "name", "name is required"),
        (("2026-12-24", "x" * 81), "name", "at most 80"),
        (("2026-12-24", "Eve", "1pm"), "early_close", "HH:MM"),
        (("2026-12-24", "Eve", "08:00"), "early_close", "after the Thursday open 09:30"),
        (("2026-12-24", "Eve", "16:00"), "early_close", "before the close 16:00"),
        (("2026-12-26", "Boxing Day", "12:00"), "early_close", "no session on Saturdays"),
        (("2026-12-25", "Again"), "date", "already has 'Christmas Day'"),
    ],
)
def test_bad_holidays_are_refused_naming_the_field(
    tapp: Flask, args: tuple[str, ...], field: str, message: str
) -> None:
    with tapp.app_context():
        schedule.seed_hours(schedule.get_venue("SIM"), date(2026, 6, 1))
        db.session.commit()
        error = _error(venues_admin.add_holiday, "SIM", *args)
        assert error.field == field and message in error.message
        assert len(venues_admin.list_holidays("SIM", date(2026, 12, 24), date(2026, 12, 24))) == 0


def test_remove_unknown_holiday(tapp: Flask) -> None:
    with tapp.app_context():
        error = _error(venues_admin.remove_holiday, "SIM", "2026-03-10")
        assert error.code == "not_found" and error.field == "date"
        assert _error(venues_admin.remove_holiday, "SIM", "tomorrow").field == "date"


def test_first_edit_of_an_unseen_venue_seeds_it(tapp: Flask) -> None:
    """A stock venue the scheduler has not seen yet is scheduled (not 24/7) and gets the
    seed's holidays before the admin's edit applies."""
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        sim.always_open = True  # the catalogue's default for a new venue
        db.session.commit()
        _set("mon-thu 09:30-16:00")
        assert not schedule.get_venue("SIM").always_open
        assert venues_admin.list_holidays("SIM")  # New Year's, Independence Day, Christmas
        assert venues_admin.weekly_hours("SIM").spec() == "mon-thu 09:30-16:00"


def test_an_edit_redates_working_day_orders_to_the_new_close(tapp: Flask) -> None:
    user = create_user(tapp, "dora")
    fund(tapp, user.id, "10000")
    set_sim(tapp, "open")  # rest now, whatever the wall clock says
    api = Api(tapp.test_client(), api_login(tapp.test_client(), "dora"))
    body = {"symbol": "ACME", "side": "buy", "quantity": "1", "type": "limit"}
    day = api.post("/api/v1/orders", body | {"limit_price": "90.00", "client_order_id": "d"})
    gtc = api.post("/api/v1/orders", body | {"limit_price": "91.00", "time_in_force": "gtc"})
    assert day.get_json()["order"]["status"] == gtc.get_json()["order"]["status"] == "open"
    before = day.get_json()["order"]["expires_at"]
    with tapp.app_context():
        _set("mon-fri 09:30-13:00")
        sim = schedule.get_venue("SIM")
        close = schedule.session_end(sim, utcnow())
        assert close.astimezone(NEW_YORK).strftime("%H:%M") == "13:00"
    redated = api.get(f"/api/v1/orders/{day.get_json()['order']['id']}").get_json()["order"]
    assert redated["expires_at"] == close.isoformat() != before
    untouched = api.get(f"/api/v1/orders/{gtc.get_json()['order']['id']}").get_json()["order"]
    assert untouched["expires_at"] is None


def test_update_holiday_renames_and_changes_the_early_close(tapp: Flask) -> None:
    christmas_eve_2pm = at("2026-12-24T19:00:00+00:00")  # 14:00 EST
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        venues_admin.add_holiday("SIM", "2026-12-24", "Xmas Eve", "13:00", by="t")
        assert not schedule.is_venue_open(sim, christmas_eve_2pm)

        renamed = venues_admin.update_holiday("sim", "2026-12-24", name="  Christmas   Eve ")
        assert renamed == Holiday(date(2026, 12, 24), "Christmas Eve", time(13))

        later = venues_admin.update_holiday("SIM", date(2026, 12, 24), early_close="15:00")
        assert later == Holiday(date(2026, 12, 24), "Christmas Eve", time(15))
        assert schedule.is_venue_open(sim, christmas_eve_2pm)  # in force at once

        full_day = venues_admin.update_holiday("SIM", "2026-12-24", early_close=None)
        assert full_day.early_close is None
        assert not schedule.is_venue_open(sim, at("2026-12-24T15:00:00+00:00"))

        both = venues_admin.update_holiday("SIM", "2026-12-24", name="Eve", early_close="12:30")
        assert both == Holiday(date(2026, 12, 24), "Eve", time(12, 30))
        assert venues_admin.update_holiday("SIM", "2026-12-24", early_close="").early_close is None
        assert venues_admin.list_holidays("SIM", date(2026, 12, 24), date(2026, 12, 24)) == [
            Holiday(date(2026, 12, 24), "Eve", None)
        ]


@pytest.mark.parametrize(
    ("day", "changes", "field", "message"),
    [
        ("24/12/2026", {"name": "Eve"}, "date", "YYYY-MM-DD"),
        ("2026-12-24", {}, "name", "nothing to change"),
        ("2026-12-24", {"name": "   "}, "name", "name is required"),
        ("2026-12-24", {"name": None}, "name", "name is required"),
        ("2026-12-24", {"name": "x" * 81}, "name", "at most 80"),
        ("2026-12-24", {"early_close": "1pm"}, "early_close", "HH:MM"),
        ("2026-12-24", {"early_close": "24:00"}, "early_close", "out of range"),
        ("2026-12-24", {"early_close": "09:30"}, "early_close", "after the Thursday open 09:30"),
        ("2026-12-24", {"early_close": "16:00"}, "early_close", "before the close 16:00"),
        ("2026-12-26", {"early_close": "12:00"}, "early_close", "no session on Saturdays"),
        ("2026-12-23", {"name": "Eve"}, "date", "SIM has no holiday on 2026-12-23"),
    ],
)
def test_bad_holiday_updates_are_refused_naming_the_field(
    tapp: Flask, day: str, changes: dict[str, str | None], field: str, message: str
) -> None:
    with tapp.app_context():
        venues_admin.add_holiday("SIM", "2026-12-24", "Christmas Eve", by="t")
        venues_admin.add_holiday("SIM", "2026-12-26", "Saturday", by="t")
        error = _error(venues_admin.update_holiday, "SIM", day, **changes)
        assert error.field == field and message in error.message
        assert venues_admin.list_holidays("SIM", date(2026, 12, 23), date(2026, 12, 26)) == [
            Holiday(date(2026, 12, 24), "Christmas Eve", None),
            Holiday(date(2026, 12, 25), "Christmas Day", None),
            Holiday(date(2026, 12, 26), "Saturday", None),
        ]


def test_update_holiday_not_found_and_24_7_codes(tapp: Flask) -> None:
    with tapp.app_context():
        assert _error(venues_admin.update_holiday, "SIM", "2026-03-10", name="X").code == (
            "not_found"
        )
        error = _error(venues_admin.update_holiday, "BINANCE", "2026-12-24", name="X")
        assert error.code == "always_open" and error.field == "venue"
        assert _error(venues_admin.update_holiday, "NOPE", "2026-12-24", name="X").code == (
            "not_found"
        )


def test_a_holiday_update_redates_working_day_orders(tapp: Flask) -> None:
    user = create_user(tapp, "dora")
    fund(tapp, user.id, "10000")
    set_sim(tapp, "open")
    api = Api(tapp.test_client(), api_login(tapp.test_client(), "dora"))
    body = {"symbol": "ACME", "side": "buy", "quantity": "1", "type": "limit"}
    order_id = api.post("/api/v1/orders", body | {"limit_price": "90.00"}).get_json()["order"]["id"]
    with tapp.app_context():
        venues_admin.add_holiday("SIM", "2030-12-24", "Eve", by="t")
        order = db.session.get(Order, order_id)
        assert order is not None and order.status == "open"
        order.expires_at = at("2031-01-01T00:00:00+00:00")  # a close no schedule has
        db.session.commit()
        venues_admin.update_holiday("SIM", "2030-12-24", early_close="13:00")
        close = schedule.session_end(schedule.get_venue("SIM"), utcnow())
    redated = api.get(f"/api/v1/orders/{order_id}").get_json()["order"]
    assert redated["expires_at"] == close.isoformat()
