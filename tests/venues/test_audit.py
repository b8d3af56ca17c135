"""The venue audit log (rows of the app's audit log targeting the venue): one row per committed
hours/holiday/override change, in the change's transaction (a refused edit leaves none), with
who, before → after and a UTC time."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from flask import Flask

from tests.helpers import create_user
from tradedeck.audit.models import AuditEntry
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.venues import admin as venues_admin
from tradedeck.venues import audit, schedule
from tradedeck.venues.audit import VenueChange


def _entries(venue: str = "SIM", limit: int = 50) -> list[VenueChange]:
    return audit.recent(schedule.get_venue(venue), limit)


def _count() -> int:
    return db.session.query(AuditEntry).filter(AuditEntry.action.startswith("venue.")).count()


def test_every_kind_of_change_writes_one_row_newest_first(tapp: Flask) -> None:
    admin = create_user(tapp, "root", role="admin")
    started = utcnow()
    with tapp.app_context():
        spec = venues_admin.parse_hours_spec("mon-fri 08:00-12:00")
        venues_admin.set_weekly_hours("SIM", spec, by="root", user_id=admin.id)
        venues_admin.reset_weekly_hours("sim", by="cli")
        venues_admin.add_holiday("SIM", "2030-12-24", "Xmas Eve", by="root", user_id=admin.id)
        venues_admin.update_holiday("SIM", "2030-12-24", name="Christmas Eve", early_close="13:00")
        venues_admin.remove_holiday("SIM", "2030-12-24", by="cli")
        venues_admin.set_override("SIM", "closed", by="root", user_id=admin.id)
        venues_admin.set_override("SIM", "auto", by="cli")
        entries = _entries()
    assert [(e.action, e.by, e.user_id, e.summary) for e in entries] == [
        ("override", "cli", None, "closed → auto"),
        ("override", "root", admin.id, "auto → closed"),
        ("holiday.remove", "cli", None, "2030-12-24: Christmas Eve (closes 13:00) → trading day"),
        (
            "holiday.update",
            "unknown",
            None,
            "2030-12-24: Xmas Eve (closed) → Christmas Eve (closes 13:00)",
        ),
        ("holiday.add", "root", admin.id, "2030-12-24: trading day → Xmas Eve (closed)"),
        (
            "hours.reset",
            "cli",
            None,
            "weekly hours mon-fri 08:00-12:00 → default mon-fri 09:30-16:00",
        ),
        ("hours.set", "root", admin.id, "weekly hours mon-fri 09:30-16:00 → mon-fri 08:00-12:00"),
    ]
    assert all(e.venue == "SIM" for e in entries)
    for entry in entries:
        assert entry.created_at.tzinfo is UTC
        assert started - timedelta(seconds=1) <= entry.created_at <= utcnow()
    assert entries[0].to_json() == {
        "id": entries[0].id,
        "venue": "SIM",
        "action": "override",
        "by": "cli",
        "user_id": None,
        "summary": "closed → auto",
        "created_at": entries[0].created_at.isoformat(),
    }
    with tapp.app_context():
        assert [e.id for e in _entries(limit=2)] == [entries[0].id, entries[1].id]
        assert _entries("BINANCE") == []


def test_unchanged_edits_say_so(tapp: Flask) -> None:
    with tapp.app_context():
        venues_admin.reset_weekly_hours("SIM", by="t")
        venues_admin.add_holiday("SIM", "2030-12-24", "Eve", by="t")
        venues_admin.update_holiday("SIM", "2030-12-24", name="  Eve ", by="t")
        summaries = [e.summary for e in _entries()]
    assert summaries[0] == "2030-12-24: Eve (closed) → Eve (closed) (unchanged)"
    assert summaries[2] == (
        "weekly hours mon-fri 09:30-16:00 → default mon-fri 09:30-16:00 (unchanged)"
    )


def test_override_on_a_24_7_venue_is_audited(tapp: Flask) -> None:
    with tapp.app_context():
        venues_admin.set_override("binance", "closed", by="ops")
        [entry] = _entries("BINANCE")
    assert (entry.action, entry.by, entry.summary) == ("override", "ops", "auto → closed")


@pytest.mark.parametrize(
    "edit",
    [
        lambda: venues_admin.set_weekly_hours(
            "SIM", venues_admin.parse_hours_spec("mon 10:00-09:00")
        ),
        lambda: venues_admin.set_weekly_hours(
            "BINANCE", venues_admin.parse_hours_spec("mon 09:00-10:00")
        ),
        lambda: venues_admin.reset_weekly_hours("BINANCE"),
        lambda: venues_admin.add_holiday("SIM", "2030-12-23", "Eve", "08:00"),
        lambda: venues_admin.add_holiday("SIM", "2030-12-24", "Again"),  # duplicate
        lambda: venues_admin.update_holiday("SIM", "2030-12-24", early_close="17:00"),
        lambda: venues_admin.update_holiday("SIM", "2030-12-24", name=" "),
        lambda: venues_admin.update_holiday("SIM", "2030-12-23", name="Eve"),  # no holiday
        lambda: venues_admin.update_holiday("SIM", "2030-12-24"),  # nothing to change
        lambda: venues_admin.remove_holiday("SIM", "2030-12-23"),
        lambda: venues_admin.set_override("SIM", "sideways"),
        lambda: venues_admin.set_override("NOPE", "open"),
    ],
)
def test_a_refused_edit_writes_no_row(tapp: Flask, edit: object) -> None:
    with tapp.app_context():
        venues_admin.add_holiday("SIM", "2030-12-24", "Christmas Eve", by="t")
        before = _count()
        with pytest.raises(DomainError):
            edit()  # type: ignore[operator]
        assert _count() == before
        [eve] = venues_admin.list_holidays("SIM", date(2030, 12, 23), date(2030, 12, 24))
        assert (eve.date, eve.name, eve.early_close) == (date(2030, 12, 24), "Christmas Eve", None)


def test_the_row_rolls_back_with_a_change_that_fails_late(tapp: Flask) -> None:
    """Written in the edit's transaction: a failure after it was added (a `hours_changed`
    receiver failing) removes it too."""

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("database went away")

    venues_admin.hours_changed.connect(broken)
    try:
        with tapp.app_context():
            with pytest.raises(RuntimeError):
                venues_admin.add_holiday("SIM", "2030-12-24", "Eve", by="t")
            assert _count() == 0
            assert venues_admin.list_holidays("SIM") == []
    finally:
        venues_admin.hours_changed.disconnect(broken)


def test_the_actor_is_kept_when_the_user_is_deleted(tapp: Flask) -> None:
    from tradedeck.accounts.models import User

    admin = create_user(tapp, "root", role="admin")
    with tapp.app_context():
        venues_admin.set_override("SIM", "open", **audit.by_user(admin))
        db.session.delete(db.session.get(User, admin.id))
        db.session.commit()
        db.session.expire_all()
        [entry] = _entries()
        [row] = db.session.query(AuditEntry).filter_by(action="venue.override").all()
    assert (entry.by, entry.user_id) == ("root", admin.id)  # the log outlives the user
    assert (row.target_type, row.target_label, row.after) == (
        "venue",
        "SIM",
        {"summary": "auto → open"},
    )


def test_unknown_actions_are_a_programming_error(tapp: Flask) -> None:
    with tapp.app_context(), pytest.raises(ValueError, match="unknown audit action"):
        audit.record(schedule.get_venue("SIM"), "hours.delete", "x", "t")
