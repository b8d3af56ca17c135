"""`tradedeck market hours` and `tradedeck market holiday add|remove|list`."""

from __future__ import annotations

from datetime import date

from flask import Flask

from tests.trading.conftest import at
from tradedeck.trading import hours, hours_admin


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["market", *args])
    return result.exit_code, result.output


def test_show_set_and_reset_hours(tapp: Flask) -> None:
    code, out = run(tapp, "hours", "sim")
    assert code == 0, out
    assert "SIM · America/New_York" in out and "  mon  09:30-16:00" in out
    assert "  sat  closed" in out and "(default: mon-fri 09:30-16:00)" in out

    code, out = run(
        tapp, "hours", "SIM", "--set", "mon-fri 09:00-11:30,12:30-16:00", "--set", "sat 10:00-12:00"
    )
    assert code == 0, out
    assert "SIM hours updated." in out
    assert "  mon  09:00-11:30, 12:30-16:00" in out and "  sat  10:00-12:00" in out
    with tapp.app_context():
        assert hours.is_venue_open(hours.get_venue("SIM"), at("2026-03-07T15:30:00+00:00"))

    code, out = run(tapp, "hours", "SIM", "--reset")
    assert code == 0 and "reset to the default" in out and "(default:" in out
    with tapp.app_context():
        assert not hours.is_venue_open(hours.get_venue("SIM"), at("2026-03-07T15:30:00+00:00"))


def test_bad_hours_input_is_a_clear_error(tapp: Flask) -> None:
    for args, message in [
        (("--set", "mon 10:00-09:00"), "Error: mon: close 09:00 must be after open 10:00"),
        (("--set", "someday 10:00-11:00"), "Error: cannot read days 'someday'"),
        (("--set", "mon 10-11"), "time must be HH:MM"),
        (("--set", "mon 09:00-12:00", "--reset"), "use either --set or --reset"),
    ]:
        code, out = run(tapp, "hours", "SIM", *args)
        assert code != 0 and message in out, out
    code, out = run(tapp, "hours", "NOPE")
    assert code != 0 and "unknown venue 'NOPE'" in out
    code, out = run(tapp, "hours", "BINANCE")
    assert code == 0 and "Trades 24/7" in out
    code, out = run(tapp, "hours", "BINANCE", "--set", "mon 09:00-10:00")
    assert code != 0 and "BINANCE trades 24/7" in out
    with tapp.app_context():
        assert hours_admin.weekly_hours("SIM").is_default


def test_holiday_add_list_remove(tapp: Flask) -> None:
    code, out = run(tapp, "holiday", "add", "SIM", "2026-12-24", "Christmas Eve")
    assert code == 0 and "SIM is closed on 2026-12-24 (Christmas Eve)." in out, out
    code, out = run(tapp, "holiday", "remove", "sim", "2026-12-24")
    assert code == 0 and "Removed Christmas Eve (2026-12-24) from SIM." in out, out
    code, out = run(
        tapp, "holiday", "add", "SIM", "2026-12-24", "Christmas Eve", "--early-close", "13:00"
    )
    assert code == 0 and "SIM closes at 13:00 on 2026-12-24" in out, out
    code, out = run(tapp, "holiday", "list", "SIM", "--year", "2026")
    assert code == 0
    assert "2026-12-24  Thu  Christmas Eve  closes 13:00" in out
    assert "2026-12-25  Fri  Christmas Day" in out  # the seed's, added on first edit
    with tapp.app_context():
        [eve] = hours_admin.list_holidays("SIM", date(2026, 12, 24), date(2026, 12, 24))
        assert eve.early_close is not None


def test_bad_holiday_input_is_a_clear_error(tapp: Flask) -> None:
    for args, message in [
        (("add", "SIM", "24.12.2026", "Eve"), "date must be YYYY-MM-DD"),
        (("add", "SIM", "2026-12-24", " "), "name is required"),
        (("add", "SIM", "2026-12-24", "Eve", "--early-close", "25:00"), "out of range"),
        (("add", "SIM", "2026-12-25", "Again"), "already has 'Christmas Day'"),
        (("add", "BINANCE", "2026-12-24", "Eve"), "BINANCE trades 24/7"),
        (("add", "NOPE", "2026-12-24", "Eve"), "unknown venue"),
        (("remove", "SIM", "2026-12-23"), "SIM has no holiday on 2026-12-23"),
        (("remove", "SIM", "yesterday"), "date must be YYYY-MM-DD"),
        (("add", "SIM", "2026-12-24"), "Missing argument 'NAME'"),
    ]:
        code, out = run(tapp, "holiday", *args)
        assert code != 0 and message in out, (args, out)
    code, out = run(tapp, "holiday", "list", "SIM", "--year", "1999")
    assert code == 0 and "No holidays." in out
