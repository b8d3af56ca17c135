"""An existing database's Yahoo stocks move to their exchange's venue, with their orders,
positions and chart drawings, and its venue audit rows move into the audit log; both move
back on a downgrade."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.helpers import app_overrides
from tradedeck.app import MIGRATIONS_DIR, create_app
from tradedeck.extensions import db

REVISION = "c4e8a1f20b37"
AUDIT_REVISION = "e5b9d2c61a04"
PREVIOUS = "51cc2669bfbf"
OLD_DATA = """
INSERT INTO venues (id, code, name, kind, timezone, currency, always_open)
    VALUES (7, 'YAHOO', 'Yahoo Finance', 'yahoo', 'America/New_York', 'USD', 0);
INSERT INTO venue_sessions (venue_id, weekday, open_time, close_time)
    VALUES (7, 0, '09:30:00.000000', '16:00:00.000000');
INSERT INTO instruments (id, venue_id, symbol, name, asset_class, base, quote, tick_size,
    lot_size, min_qty, status)
    VALUES (11, 7, 'RELIANCE.NS', 'Reliance', 'equity', 'RELIANCE.NS', 'INR', 0.05, 1, 1,
        'active'),
    (12, 7, 'AAPL', 'Apple', 'equity', 'AAPL', 'USD', 0.01, 1, 1, 'active'),
    (13, 7, 'IBM', 'IBM', 'equity', 'IBM', 'USD', 0.01, 1, 1, 'active');
INSERT INTO users (id, username, username_key, email, password_hash, role, active, preferences)
    VALUES (1, 'alice', 'alice', 'alice@example.com', 'x', 'customer', 1, '{}');
INSERT INTO trading_accounts (id, user_id, currency, cash) VALUES (1, 1, 'USD', 1000);
INSERT INTO orders (id, user_id, account_id, instrument_id, side, type, time_in_force,
    quantity, status, triggered, reserved_cash, reserved_quantity)
    VALUES (21, 1, 1, 11, 'buy', 'market', 'day', 2, 'queued', 0, 5800, 0);
INSERT INTO positions (id, account_id, instrument_id, quantity, cost_basis, realized_pnl)
    VALUES (31, 1, 12, 3, 540, 0);
INSERT INTO chart_drawings (id, user_id, venue, symbol, kind, points)
    VALUES (41, 1, 'YAHOO', 'RELIANCE.NS', 'line', '[]');
"""
YAHOO_ONLY = """
INSERT INTO venues (id, code, name, kind, timezone, currency, always_open)
    VALUES (7, 'YAHOO', 'Yahoo Finance', 'yahoo', 'America/New_York', 'USD', 0);
INSERT INTO users (id, username, username_key, email, password_hash, role, active, preferences)
    VALUES (1, 'root', 'root', 'root@example.com', 'x', 'admin', 1, '{}');
INSERT INTO venue_audit_entries (venue_id, action, actor, user_id, summary, created_at)
    VALUES (7, 'override', 'root', 1, 'auto → closed', '2026-11-02 10:00:00.000000');
"""


def _venue_of(symbol: str) -> tuple[str, str]:
    code, timezone = db.session.execute(
        text(
            "SELECT v.code, v.timezone FROM instruments i JOIN venues v ON v.id = i.venue_id "
            "WHERE i.symbol = :symbol"
        ),
        {"symbol": symbol},
    ).one()
    return code, timezone


def _scalar(sql: str) -> object:
    return db.session.execute(text(sql)).scalar()


@contextmanager
def _old_database(tmp_path: Path, data: str) -> Iterator[Flask]:
    """An app on a database migrated to PREVIOUS holding `data` (SQL statements)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(app_overrides(tmp_path, DATABASE_URL=url), instance_path=tmp_path / "i")
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision=PREVIOUS)
        with db.engine.begin() as connection:
            for statement in data.split(";"):
                if statement.strip():
                    connection.execute(text(statement))
        yield app
        db.session.remove()
        db.engine.dispose()


def test_yahoo_stocks_move_to_their_exchange_and_back(tmp_path: Path) -> None:
    with _old_database(tmp_path, OLD_DATA):
        upgrade(directory=str(MIGRATIONS_DIR), revision=REVISION)
        assert _venue_of("RELIANCE.NS") == ("NSE", "Asia/Kolkata")
        assert _venue_of("AAPL") == ("NASDAQ", "America/New_York")
        assert _venue_of("IBM") == ("NYSE", "America/New_York")
        assert _scalar("SELECT instrument_id FROM orders WHERE id = 21") == 11
        assert _scalar("SELECT instrument_id FROM positions WHERE id = 31") == 12
        assert _scalar("SELECT venue FROM chart_drawings WHERE id = 41") == "NSE"
        assert _scalar("SELECT count(*) FROM venues WHERE code = 'YAHOO'") == 0
        assert _scalar("SELECT count(*) FROM venue_sessions WHERE venue_id = 7") == 0
        assert _scalar("SELECT kind FROM venues WHERE code = 'NSE'") == "yahoo"
        assert _scalar("SELECT always_open FROM venues WHERE code = 'NYSE'") == 0
        downgrade(directory=str(MIGRATIONS_DIR), revision=PREVIOUS)
        for symbol in ("RELIANCE.NS", "AAPL", "IBM"):
            assert _venue_of(symbol) == ("YAHOO", "America/New_York")
        assert _scalar("SELECT venue FROM chart_drawings WHERE id = 41") == "YAHOO"


def test_a_yahoo_venue_with_audit_history_is_kept_and_its_history_joins_the_log(
    tmp_path: Path,
) -> None:
    with _old_database(tmp_path, YAHOO_ONLY):
        upgrade(directory=str(MIGRATIONS_DIR), revision=REVISION)
        assert _scalar("SELECT count(*) FROM venue_audit_entries WHERE venue_id = 7") == 1
        assert _scalar("SELECT code FROM venues WHERE id = 7") == "YAHOO"
        upgrade(directory=str(MIGRATIONS_DIR), revision=AUDIT_REVISION)
        row = db.session.execute(
            text(
                "SELECT actor_id, actor, action, target_type, target_id, target_label, after, "
                "created_at FROM audit_entries WHERE action LIKE 'venue.%'"
            )
        ).one()
        assert tuple(row)[:6] == (1, "root", "venue.override", "venue", "7", "YAHOO")
        assert json.loads(row.after) == {"summary": "auto → closed"}
        assert row.created_at.startswith("2026-11-02 10:00:00")
        assert "venue_audit_entries" not in inspect(db.engine).get_table_names()
        downgrade(directory=str(MIGRATIONS_DIR), revision=REVISION)
        assert _scalar("SELECT summary FROM venue_audit_entries WHERE venue_id = 7") == (
            "auto → closed"
        )
