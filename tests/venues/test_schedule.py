"""Venue hours in the venue's zone across DST, holidays, emergency override, clock and CLI."""

from __future__ import annotations

from datetime import time

from flask import Flask
from sqlalchemy import select

from tests.helpers import api_login, create_user
from tests.trading.helpers import Api, at
from tradedeck.extensions import db
from tradedeck.venues import admin as venues_admin
from tradedeck.venues import schedule
from tradedeck.venues.models import VenueSession


def _sim(app: Flask) -> None:
    with app.app_context():
        schedule.seed_hours(schedule.get_venue("SIM"))
        db.session.commit()
        schedule.clear_schedule_cache()


def test_sessions_follow_new_york_wall_clock_across_dst(tapp: Flask) -> None:
    _sim(tapp)
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        # Friday 6 March 2026 (EST, UTC-5): 09:30 local is 14:30 UTC.
        assert not schedule.is_venue_open(sim, at("2026-03-06T14:29:59+00:00"))
        assert schedule.is_venue_open(sim, at("2026-03-06T14:30:00+00:00"))
        assert schedule.is_venue_open(sim, at("2026-03-06T20:59:59+00:00"))
        assert not schedule.is_venue_open(sim, at("2026-03-06T21:00:00+00:00"))
        # Monday 9 March 2026 (EDT after the 8 March change, UTC-4): 13:30-20:00 UTC.
        assert schedule.is_venue_open(sim, at("2026-03-09T13:30:00+00:00"))
        assert not schedule.is_venue_open(sim, at("2026-03-09T20:00:00+00:00"))
        clock = schedule.clock(sim, at("2026-03-07T12:00:00+00:00"))  # Saturday
        assert not clock.is_open
        assert clock.next_open == at("2026-03-09T13:30:00+00:00")
        assert clock.next_close == at("2026-03-09T20:00:00+00:00")


def test_day_orders_expire_at_the_running_or_next_close_in_any_order_of_asking(
    tapp: Flask,
) -> None:
    """session_end remembers its last answer per venue: asking later, earlier, at the close
    or after an hours edit must still give the close that `at` falls before."""
    _sim(tapp)
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        monday_close, tuesday_close = (
            at("2026-03-09T20:00:00+00:00"),
            at("2026-03-10T20:00:00+00:00"),
        )
        for when, close in [
            ("2026-03-09T15:00:00+00:00", monday_close),
            ("2026-03-09T19:59:59+00:00", monday_close),
            ("2026-03-09T20:00:00+00:00", tuesday_close),
            ("2026-03-09T14:00:00+00:00", monday_close),
            ("2026-03-07T12:00:00+00:00", monday_close),  # Saturday: Monday's close
            ("2026-03-10T21:00:00+00:00", at("2026-03-11T20:00:00+00:00")),
        ]:
            assert schedule.session_end(sim, at(when)) == close, when
        assert schedule.session_end(sim, at("2026-03-09T15:00:00+00:00")) == monday_close
        monday = db.session.scalars(
            select(VenueSession).where(VenueSession.venue_id == sim.id, VenueSession.weekday == 0)
        ).one()
        monday.close_time = time(12, 0)  # as another process would edit, seen after the TTL
        db.session.commit()
        schedule.clear_schedule_cache()
        assert schedule.session_end(sim, at("2026-03-09T15:30:00+00:00")) == at(
            "2026-03-09T16:00:00+00:00"
        )


def test_holidays_close_the_venue(tapp: Flask) -> None:
    _sim(tapp)
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        # 4 July 2026 is a Saturday: observed Friday 3 July; Christmas 2026 is a Friday.
        assert not schedule.is_venue_open(sim, at("2026-07-03T15:00:00+00:00"))
        assert not schedule.is_venue_open(sim, at("2026-12-25T15:00:00+00:00"))
        assert schedule.is_venue_open(sim, at("2026-07-06T15:00:00+00:00"))
        assert schedule.clock(sim, at("2026-07-02T21:00:00+00:00")).next_open == at(
            "2026-07-06T13:30:00+00:00"
        )


def test_override_is_an_emergency_and_auto_restores_the_schedule(tapp: Flask) -> None:
    _sim(tapp)
    saturday = at("2026-03-07T15:00:00+00:00")
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        venues_admin.set_override("SIM", "open", by="ops")
        assert schedule.is_venue_open(sim, saturday)
        clock = schedule.clock(sim, saturday)
        assert clock.emergency and clock.override == "open" and clock.next_close is None
        venues_admin.set_override("sim", "closed")
        assert not schedule.is_venue_open(sim, at("2026-03-09T15:00:00+00:00"))
        venues_admin.set_override("SIM", "auto")
        assert schedule.is_venue_open(sim, at("2026-03-09T15:00:00+00:00"))
        assert not schedule.clock(sim, saturday).emergency


def test_crypto_venue_is_always_open(tapp: Flask) -> None:
    with tapp.app_context():
        assert schedule.is_venue_open(
            schedule.get_venue("BINANCE"), at("2026-12-25T03:00:00+00:00")
        )


def test_scheduler_records_transitions_once(tapp: Flask) -> None:
    received: list[tuple[str, bool]] = []

    def listener(code: str, is_open: bool) -> None:
        received.append((code, is_open))

    schedule.market_state_changed.connect(listener)
    try:
        with tapp.app_context():
            schedule.sync_market_states(at("2026-03-09T13:29:00+00:00"))
            received.clear()
            assert schedule.sync_market_states(at("2026-03-09T13:29:30+00:00")) == []
            assert schedule.sync_market_states(at("2026-03-09T13:30:10+00:00")) == [("SIM", True)]
            assert schedule.sync_market_states(at("2026-03-09T20:00:05+00:00")) == [("SIM", False)]
    finally:
        schedule.market_state_changed.disconnect(listener)
    assert received == [("SIM", True), ("SIM", False)]


def test_first_sight_gives_stock_venues_hours(tapp: Flask) -> None:
    with tapp.app_context():
        sim = schedule.get_venue("SIM")
        sim.always_open = True  # the catalogue's default for a new venue
        db.session.commit()
        schedule.sync_market_states(at("2026-03-07T15:00:00+00:00"))
        assert not schedule.get_venue("SIM").always_open
        assert not schedule.is_venue_open(sim, at("2026-03-07T15:00:00+00:00"))


def test_clock_calendar_and_admin_override_api(tapp: Flask) -> None:
    _sim(tapp)
    create_user(tapp)
    create_user(tapp, "root", role="admin")
    client = tapp.test_client()
    alice = Api(client, api_login(client))
    clock = alice.get("/api/v1/market/clock?venue=SIM").get_json()
    assert set(clock) >= {"venue", "is_open", "next_open", "next_close"}
    assert alice.get("/api/v1/market/clock?venue=NOPE").status_code == 404
    calendar = alice.get(
        "/api/v1/market/calendar?venue=SIM&start=2026-07-01T00:00:00Z&end=2026-07-08T00:00:00Z"
    ).get_json()
    venue = calendar["venues"][0]
    assert venue["timezone"] == "America/New_York"
    assert venue["hours"][0] == {"weekday": 0, "day": "mon", "open": "09:30", "close": "16:00"}
    assert venue["holidays"] == [
        {"date": "2026-07-03", "name": "Independence Day (observed)", "early_close": None}
    ]
    assert [s["open"] for s in venue["sessions"]] == [
        "2026-07-01T13:30:00+00:00",
        "2026-07-02T13:30:00+00:00",
        "2026-07-06T13:30:00+00:00",
        "2026-07-07T13:30:00+00:00",
    ]
    bad = alice.get("/api/v1/market/calendar?start=2026-07-01T00:00:00&end=2026-07-02T00:00:00Z")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "start"
    body = {"state": "closed"}
    assert alice.post("/api/v1/admin/venues/SIM/override", body).status_code == 403
    admin = Api(client, api_login(client, "root"))
    response = admin.post("/api/v1/admin/venues/SIM/override", body)
    assert response.status_code == 200
    assert response.get_json()["emergency"] is True and response.get_json()["is_open"] is False
    wrong = admin.post("/api/v1/admin/venues/SIM/override", {"state": "maybe"})
    assert wrong.status_code == 400 and wrong.get_json()["error"]["field"] == "state"
    assert admin.post("/api/v1/admin/venues/NOSUCHVENUE/override", body).status_code == 404


def test_cli_override(tapp: Flask) -> None:
    runner = tapp.test_cli_runner()
    result = runner.invoke(args=["market", "override", "SIM", "open"])
    assert result.exit_code == 0, result.output
    assert "SIM is open (emergency override)" in result.output
    result = runner.invoke(args=["market", "override", "NOPE", "auto"])
    assert result.exit_code != 0 and "unknown venue" in result.output
