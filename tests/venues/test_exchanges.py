"""Real exchange venues: sessions, holidays and early closes from exchange-calendars, orders
held back outside them, admin days on top, and where Yahoo's stocks are listed."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from flask import Flask

from tests.helpers import api_login, create_user, web_login
from tests.trading.helpers import Api, at, fund
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market import catalogue
from tradedeck.market.models import Instrument, LastPrice
from tradedeck.trading import execution, orders
from tradedeck.trading.orders import OrderRequest
from tradedeck.venues import admin as venues_admin
from tradedeck.venues import audit, exchanges, schedule

THANKSGIVING = date(2026, 11, 26)


def _listed(app: Flask, venue: str, symbol: str, price: str, when: datetime) -> int:
    """`symbol` on the exchange venue `venue`, priced at `when` (so its quote is current)."""
    with app.app_context():
        row = catalogue.ensure_venue(venue)
        instrument = Instrument(venue_id=row.id, symbol=symbol, name=symbol)
        db.session.add(instrument)
        db.session.flush()
        db.session.add(
            LastPrice(instrument_id=instrument.id, price=Decimal(price), updated_at=when)
        )
        db.session.commit()
        return instrument.id


def _reprice(app: Flask, instrument_id: int, when: datetime) -> None:
    with app.app_context():
        db.session.get(LastPrice, instrument_id).updated_at = when
        db.session.commit()


def _buy(app: Flask, user_id: int, symbol: str, when: datetime) -> orders.Order:
    request = OrderRequest(symbol=symbol, side="buy", quantity="1", time_in_force="day")
    with app.app_context():
        order, created = orders.place_order(user_id, request, now=when)
        assert created
        return order


@pytest.fixture
def buyer(tapp: Flask) -> int:
    user = create_user(tapp)
    fund(tapp, user.id, "100000.00")
    return user.id


def test_nse_trades_in_its_kolkata_session_and_queues_outside_it(tapp: Flask, buyer: int):
    morning = at("2026-12-01T10:00:00+05:30")  # a Tuesday, 10:00 IST
    reliance = _listed(tapp, "NSE", "RELIANCE.NS", "2900.00", morning)
    assert _buy(tapp, buyer, "RELIANCE.NS", morning).status == "filled"

    evening = at("2026-12-01T16:00:00+05:30")  # after the 15:30 close
    _reprice(tapp, reliance, evening)
    queued = _buy(tapp, buyer, "RELIANCE.NS", evening)
    next_open = at("2026-12-02T09:15:00+05:30")
    assert queued.status == "queued"
    assert queued.expires_at == at("2026-12-02T15:30:00+05:30")  # the next session's close
    with tapp.app_context():
        nse = schedule.get_venue("NSE")
        assert (nse.timezone, nse.kind) == ("Asia/Kolkata", "yahoo")
        clock = schedule.clock(nse, evening)
        assert (clock.is_open, clock.next_open, clock.calendar) == (False, next_open, "XBOM")
        execution.run_cycle(at("2026-12-02T09:14:00+05:30"))
        assert db.session.get(orders.Order, queued.id).status == "queued"
    _reprice(tapp, reliance, next_open)
    with tapp.app_context():
        execution.run_cycle(at("2026-12-02T09:16:00+05:30"))
        assert db.session.get(orders.Order, queued.id).status == "filled"


def test_nse_and_bse_share_the_indian_holidays(tapp: Flask) -> None:
    _listed(tapp, "BSE", "RELIANCE.BO", "2900.00", at("2026-12-01T10:00:00+05:30"))
    _listed(tapp, "NSE", "TCS.NS", "3500.00", at("2026-12-01T10:00:00+05:30"))
    with tapp.app_context():
        for code in ("NSE", "BSE"):
            venue = schedule.get_venue(code)
            assert not schedule.is_venue_open(venue, at("2026-12-25T11:00:00+05:30"))  # Christmas
            assert not schedule.is_venue_open(venue, at("2026-11-24T11:00:00+05:30"))
            assert schedule.is_venue_open(venue, at("2026-11-23T11:00:00+05:30"))


def test_nyse_order_on_thanksgiving_queues_and_black_friday_closes_at_one(
    tapp: Flask, buyer: int
) -> None:
    thanksgiving = at("2026-11-26T10:30:00-05:00")
    ibm = _listed(tapp, "NYSE", "IBM", "250.00", thanksgiving)
    order = _buy(tapp, buyer, "IBM", thanksgiving)
    assert order.status == "queued"
    assert order.expires_at == at("2026-11-27T13:00:00-05:00")  # the half day's close
    with tapp.app_context():
        nyse = schedule.get_venue("NYSE")
        assert schedule.clock(nyse, thanksgiving).next_open == at("2026-11-27T09:30:00-05:00")
        friday = at("2026-11-27T12:59:00-05:00")
        assert schedule.is_venue_open(nyse, friday)
        assert schedule.clock(nyse, friday).next_close == at("2026-11-27T13:00:00-05:00")
        assert not schedule.is_venue_open(nyse, at("2026-11-27T13:00:00-05:00"))
        assert schedule.is_venue_open(nyse, at("2026-11-30T15:59:00-05:00"))  # a full Monday
    _reprice(tapp, ibm, at("2026-11-27T10:00:00-05:00"))
    assert _buy(tapp, buyer, "IBM", at("2026-11-27T10:00:00-05:00")).status == "filled"


def test_admin_days_apply_on_top_of_the_calendar_and_are_audited(tapp: Flask) -> None:
    _listed(tapp, "NYSE", "IBM", "250.00", at("2026-11-30T10:00:00-05:00"))
    with tapp.app_context():
        nyse = schedule.get_venue("NYSE")
        venues_admin.add_holiday("NYSE", "2026-12-01", "Exchange outage", by="ops")
        assert not schedule.is_venue_open(nyse, at("2026-12-01T11:00:00-05:00"))
        venues_admin.add_holiday("NYSE", "2026-11-27", "Shorter half day", "12:00", by="ops")
        assert not schedule.is_venue_open(nyse, at("2026-11-27T12:30:00-05:00"))
        days = {h.date: h for h in schedule.holidays_of(nyse, THANKSGIVING, date(2026, 12, 1))}
        assert days[THANKSGIVING].name == "Thanksgiving"
        assert days[date(2026, 11, 27)].early_close == time(12, 0)  # the admin's, not 13:00
        with pytest.raises(DomainError) as removing:
            venues_admin.remove_holiday("NYSE", THANKSGIVING, by="ops")
        assert (removing.value.code, removing.value.status) == ("calendar", 409)
        with pytest.raises(DomainError) as duplicate:
            venues_admin.add_holiday("NYSE", THANKSGIVING, "Again", by="ops")
        assert duplicate.value.code == "duplicate"
        with pytest.raises(DomainError) as hours:
            venues_admin.reset_weekly_hours("NYSE", by="ops")
        assert (hours.value.code, hours.value.field) == ("calendar", "hours")
        venues_admin.remove_holiday("NYSE", "2026-11-27", by="ops")
        assert schedule.clock(nyse, at("2026-11-27T12:30:00-05:00")).is_open  # 13:00 again
        summaries = [e.summary for e in audit.recent(nyse)]
    assert summaries == [
        "2026-11-27: Shorter half day (closes 12:00) → Black Friday (closes 13:00) (calendar)",
        "2026-11-27: Black Friday (closes 13:00) (calendar) → Shorter half day (closes 12:00)",
        "2026-12-01: trading day → Exchange outage (closed)",
    ]


def test_clock_calendar_api_and_admin_page_show_exchange_venues(tapp: Flask) -> None:
    _listed(tapp, "NYSE", "IBM", "250.00", at("2026-11-23T10:00:00-05:00"))
    _listed(tapp, "NSE", "RELIANCE.NS", "2900.00", at("2026-11-23T10:00:00+05:30"))
    create_user(tapp, "root", role="admin")
    client = tapp.test_client()
    api = Api(client, api_login(client, "root"))
    clock = api.get("/api/v1/market/clock?venue=NSE").get_json()
    assert (clock["timezone"], clock["calendar"]) == ("Asia/Kolkata", "XBOM")
    week = "start=2026-11-23T00:00:00Z&end=2026-11-28T00:00:00Z"
    [nyse] = api.get(f"/api/v1/market/calendar?venue=NYSE&{week}").get_json()["venues"]
    assert (nyse["timezone"], nyse["calendar"], nyse["always_open"]) == (
        "America/New_York",
        "XNYS",
        False,
    )
    assert nyse["hours"][0] == {"weekday": 0, "day": "mon", "open": "09:30", "close": "16:00"}
    assert nyse["holidays"] == [
        {"date": "2026-11-26", "name": "Thanksgiving", "early_close": None},
        {"date": "2026-11-27", "name": "Black Friday", "early_close": "13:00"},
    ]
    assert [(s["open"], s["close"]) for s in nyse["sessions"]][-1] == (
        "2026-11-27T14:30:00+00:00",
        "2026-11-27T18:00:00+00:00",
    )
    assert len(nyse["sessions"]) == 4  # Monday to Wednesday and the Friday half day
    hours = api.get("/api/v1/admin/venues/NYSE/hours").get_json()
    assert (hours["calendar"], hours["default"]) == ("XNYS", False)
    edit = api.client.put(
        "/api/v1/admin/venues/NYSE/hours",
        json={"hours": [{"weekday": 0, "open": "10:00", "close": "11:00"}]},
        headers=api.headers,
    )
    assert edit.status_code == 409 and edit.get_json()["error"]["code"] == "calendar"
    page = tapp.test_client()
    assert web_login(page, "root").status_code == 302
    listing = page.get("/admin/venues").get_data(as_text=True)
    assert "XNYS calendar: mon-fri 09:30-16:00" in listing and "Asia/Kolkata" in listing
    venue_page = page.get("/admin/venues/NYSE?past=1").get_data(as_text=True)
    assert 'id="calendar-note"' in venue_page and 'data-calendar-day="2026-11-26"' in venue_page
    assert 'id="hours-form"' not in venue_page


@pytest.mark.parametrize(
    ("symbol", "yahoo_code", "venue"),
    [
        ("RELIANCE.NS", "NSI", "NSE"),
        ("RELIANCE.BO", "BSE", "BSE"),
        ("AAPL", "NMS", "NASDAQ"),
        ("ZS", "NGM", "NASDAQ"),
        ("IBM", "NYQ", "NYSE"),
        ("SPY", "PCX", "ARCA"),
        ("VOD.L", "LSE", "LSE"),
        ("IBM", None, "NYSE"),
    ],
)
def test_yahoo_symbols_belong_to_their_exchange(symbol: str, yahoo_code: str, venue: str):
    assert exchanges.listing_for(symbol, yahoo_code).venue == venue


def test_an_exchange_only_yahoo_knows_keeps_yahoos_code_and_zone() -> None:
    listing = exchanges.listing_for("ITX.MC", "MCE", "Madrid", "Europe/Madrid")
    assert (listing.venue, listing.name, listing.timezone) == ("MCE", "Madrid", "Europe/Madrid")
