"""`tradedeck market hours`, `tradedeck market holiday add|update|remove|list` and
`tradedeck market audit`."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask

from tests.trading.helpers import at
from tradedeck.core.calendar import Holiday
from tradedeck.venues import admin as venues_admin
from tradedeck.venues import schedule


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
        assert schedule.is_venue_open(schedule.get_venue("SIM"), at("2026-03-07T15:30:00+00:00"))

    code, out = run(tapp, "hours", "SIM", "--reset")
    assert code == 0 and "reset to the default" in out and "(default:" in out
    with tapp.app_context():
        assert not schedule.is_venue_open(
            schedule.get_venue("SIM"), at("2026-03-07T15:30:00+00:00")
        )


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
        assert venues_admin.weekly_hours("SIM").is_default


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
        [eve] = venues_admin.list_holidays("SIM", date(2026, 12, 24), date(2026, 12, 24))
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


def test_holiday_update(tapp: Flask) -> None:
    run(tapp, "holiday", "add", "SIM", "2026-12-24", "Xmas Eve")
    code, out = run(tapp, "holiday", "update", "sim", "2026-12-24", "--name", "Christmas Eve")
    assert code == 0 and "Updated: SIM is closed on 2026-12-24 (Christmas Eve)." in out, out
    code, out = run(tapp, "holiday", "update", "SIM", "2026-12-24", "--early-close", "13:00")
    assert code == 0 and "Updated: SIM closes at 13:00 on 2026-12-24 (Christmas Eve)." in out
    with tapp.app_context():
        assert schedule.is_venue_open(schedule.get_venue("SIM"), at("2026-12-24T15:00:00+00:00"))
    code, out = run(tapp, "holiday", "update", "SIM", "2026-12-24", "--full-day", "--name", "Eve")
    assert code == 0 and "Updated: SIM is closed on 2026-12-24 (Eve)." in out, out
    with tapp.app_context():
        assert venues_admin.list_holidays("SIM", date(2026, 12, 24), date(2026, 12, 24)) == [
            Holiday(date(2026, 12, 24), "Eve", None)
        ]


def test_bad_holiday_update_is_a_clear_error(tapp: Flask) -> None:
    run(tapp, "holiday", "add", "SIM", "2026-12-24", "Christmas Eve")
    for args, message in [
        ((), "nothing to change: give --name, --early-close or --full-day"),
        (("--early-close", "13:00", "--full-day"), "use either --early-close or --full-day"),
        (("--name", " "), "name is required (e.g. Christmas Eve) (name)"),
        (("--early-close", "1pm"), "time must be HH:MM (e.g. 09:30), got '1pm' (early_close)"),
        (("--early-close", "16:30"), "before the close 16:00 (early_close)"),
    ]:
        code, out = run(tapp, "holiday", "update", "SIM", "2026-12-24", *args)
        assert code != 0 and message in out, (args, out)
    for args, message in [
        (("SIM", "2026-12-23", "--name", "X"), "SIM has no holiday on 2026-12-23 (date)"),
        (("SIM", "tomorrow", "--name", "X"), "date must be YYYY-MM-DD"),
        (("BINANCE", "2026-12-24", "--name", "X"), "BINANCE trades 24/7"),
        (("NOPE", "2026-12-24", "--name", "X"), "unknown venue 'NOPE'"),
    ]:
        code, out = run(tapp, "holiday", "update", *args)
        assert code != 0 and message in out, (args, out)
    with tapp.app_context():
        assert venues_admin.list_holidays("SIM", date(2026, 12, 24), date(2026, 12, 24)) == [
            Holiday(date(2026, 12, 24), "Christmas Eve", None)
        ]


def audit(app: Flask, *args: str) -> tuple[int, str]:
    return run(app, "audit", *args)


def test_audit_lists_cli_changes_newest_first(tapp: Flask) -> None:
    code, out = audit(tapp, "SIM")
    assert code == 0 and out == "No changes recorded.\n"
    run(tapp, "hours", "SIM", "--set", "mon-fri 10:00-15:00")
    run(tapp, "holiday", "add", "SIM", "2026-12-24", "Christmas Eve")
    run(tapp, "holiday", "update", "SIM", "2026-12-24", "--early-close", "13:00")
    run(tapp, "holiday", "add", "SIM", "2026-12-24", "Again")  # refused: no entry
    run(tapp, "override", "SIM", "closed")
    code, out = audit(tapp, "sim")
    assert code == 0, out
    lines = out.splitlines()
    assert len(lines) == 4
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ  cli  override  auto → closed", lines[0])
    assert lines[1].endswith(
        "  cli  holiday.update  2026-12-24: Christmas Eve (closed) → Christmas Eve (closes 13:00)"
    )
    assert lines[2].endswith("  cli  holiday.add  2026-12-24: trading day → Christmas Eve (closed)")
    assert lines[3].endswith(
        "  cli  hours.set  weekly hours mon-fri 09:30-16:00 → mon-fri 10:00-15:00"
    )
    code, out = audit(tapp, "SIM", "--limit", "1")
    assert code == 0 and out.splitlines() == lines[:1]


def test_bad_audit_input_is_a_clear_error(tapp: Flask) -> None:
    for args, message in [
        (("SIM", "--limit", "0"), "Invalid value for '--limit': 0 is not in the range 1<=x<=500"),
        (("SIM", "--limit", "many"), "'many' is not a valid integer"),
        (("NOPE",), "unknown venue 'NOPE' (venue)"),
        ((), "Missing argument 'VENUE'"),
    ]:
        code, out = audit(tapp, *args)
        assert code != 0 and message in out, (args, out)
