"""Fetching Yahoo symbols lists each stock on the venue of the exchange it trades on, and a
stock already listed on another Yahoo venue moves there with its id (orders follow)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.fakes.yahoo import SYMBOLS, FakeYahoo
from tests.market.helpers import close_app, market_app
from tradedeck.extensions import db
from tradedeck.market import catalogue, services, sources
from tradedeck.market.models import Instrument
from tradedeck.market.providers.yahoo import YahooProvider
from tradedeck.venues import admin as venues_admin
from tradedeck.venues import schedule


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    with FakeYahoo() as yahoo:
        app = market_app(tmp_path, TRADEDECK_YAHOO_URL=yahoo.url)
        yield app
        close_app(app)


def _listed() -> dict[str, tuple[int, str, str]]:
    rows = db.session.scalars(select(Instrument).order_by(Instrument.symbol))
    return {i.symbol: (i.id, i.venue.code, i.venue.timezone) for i in rows}


def test_yahoo_stocks_go_to_their_exchange_venue(app: Flask) -> None:
    with app.app_context():
        old = catalogue.ensure_venue("YAHOO", timezone="America/New_York")
        aapl = Instrument(venue_id=old.id, symbol="AAPL", name="Apple")
        db.session.add(aapl)
        db.session.commit()
        result = services.fetch_symbols("yahoo", ["AAPL", "MSFT", "RELIANCE.NS"])
        assert (result.created, result.updated) == (2, 1)
        db.session.expire_all()
        listed = _listed()
        assert listed["AAPL"] == (aapl.id, "NASDAQ", "America/New_York")  # moved, same row
        assert listed["MSFT"][1:] == ("NASDAQ", "America/New_York")
        assert listed["RELIANCE.NS"][1:] == ("NSE", "Asia/Kolkata")
        assert catalogue.get_venue("NSE").kind == "yahoo"
        assert isinstance(sources.provider_for("NSE"), YahooProvider)
        assert isinstance(sources.provider_for("NASDAQ"), YahooProvider)
        again = services.fetch_symbols("yahoo", ["AAPL", "RELIANCE.NS"])
        assert (again.created, again.updated) == (0, 2)


def test_an_exchange_only_yahoo_knows_becomes_a_scheduled_yahoo_venue(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    madrid = ("Industria de Diseno Textil", "EUR", "MCE", "Europe/Madrid", 3_600, 28_800, 59_400)
    monkeypatch.setitem(SYMBOLS, "ITX.MC", (*madrid, 40.0))
    with app.app_context():
        services.fetch_symbols("yahoo", ["ITX.MC"])
        venue = catalogue.get_venue("MCE")
        assert (venue.kind, venue.timezone, venue.name) == ("yahoo", "Europe/Madrid", "MCE")
        assert isinstance(sources.provider_for("MCE"), YahooProvider)
        schedule.sync_market_states(datetime(2026, 12, 5, 12, tzinfo=UTC))  # a Saturday
        week = venues_admin.weekly_hours("MCE")
        assert (week.calendar, week.is_default, week.always_open) == (None, True, False)
        assert not schedule.is_venue_open(venue, datetime(2026, 12, 5, 12, tzinfo=UTC))
        assert schedule.is_venue_open(venue, datetime(2026, 12, 7, 10, tzinfo=UTC))  # 11:00
