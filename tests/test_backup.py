"""`tradedeck db backup` / `restore`: a round trip into an empty database keeps every row."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Column, MetaData, Table, create_engine, select, text

from tests.helpers import TEST_DATABASE_URL, app_overrides
from tradedeck.accounts.models import User
from tradedeck.app import create_app
from tradedeck.backup import PG_SUFFIX, SQLITE_SUFFIX, list_backups, prune_backups
from tradedeck.cli import main
from tradedeck.demo import seed_demo
from tradedeck.extensions import db
from tradedeck.trading import orders

BOOKS = ("users", "orders", "cash_transactions", "trading_accounts")


def _pg_database(name: str) -> str:
    """A fresh database on the test server beside TEST_DATABASE_URL's (which others truncate)."""
    base = TEST_DATABASE_URL.rsplit("/", 1)[0]
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{base}/{name}"


def _urls(backend: str, tmp_path: Path) -> tuple[str, str]:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'live.db'}", f"sqlite:///{tmp_path / 'restored.db'}"
    if not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump/pg_restore not installed")
    return _pg_database("tradedeck_backup_live"), _pg_database("tradedeck_backup_restored")


def _invoke(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, *args: str) -> str:
    for name, value in app_overrides(tmp_path, DATABASE_URL=url, CANDLE_BACKFILL_DAYS="1").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    result = CliRunner().invoke(main, list(args))
    if result.exit_code != 0:
        raise AssertionError(result.output or repr(result.exception))
    return result.output


def _seed(tmp_path: Path, url: str) -> None:
    """Schema of the current models, the demo users and ledger, a market and a limit order
    (filled or queued, as the SIM venue's hours say)."""
    app = create_app(
        app_overrides(tmp_path, DATABASE_URL=url, REDIS_URL="", CANDLE_BACKFILL_DAYS="1"),
        instance_path=tmp_path / "instance",
    )
    with app.app_context():
        db.create_all()
        assert seed_demo()
        customer = db.session.scalar(select(User).where(User.role == "customer"))
        orders.place(customer.id, orders.OrderRequest("ACME", "buy", quantity="3"))
        limit = orders.OrderRequest("ACME", "buy", "limit", quantity="1", limit_price="1.00")
        orders.place(customer.id, limit)
        db.session.remove()
        db.engine.dispose()


def _key(table: Table) -> list[Column]:
    return list(table.primary_key.columns) or list(table.c)


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table the database has (reflected: migrations decide the tables)."""
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(bind=engine)
    with engine.connect() as conn:
        rows = {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*_key(table)))]
            for table in tables.sorted_tables
        }
    engine.dispose()
    return rows


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_backup_restores_into_an_empty_database_with_every_row(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    live, restored = _urls(backend, tmp_path)
    _seed(tmp_path, live)
    before = _rows(live)
    assert all(before[name] for name in BOOKS), {n: len(before[n]) for n in BOOKS}

    out = _invoke(monkeypatch, tmp_path, live, "db", "backup", "--dir", "bk")
    backups = list_backups(tmp_path / "bk")
    assert len(backups) == 1 and backups[0].name in out
    suffix = SQLITE_SUFFIX if backend == "sqlite" else PG_SUFFIX
    assert backups[0].suffix == suffix

    out = _invoke(monkeypatch, tmp_path, restored, "db", "restore", str(backups[0]))
    assert "Restored" in out
    assert _rows(restored) == before

    for name, value in app_overrides(tmp_path, DATABASE_URL=restored).items():
        monkeypatch.setenv(name, value)
    again = CliRunner().invoke(main, ["db", "restore", str(backups[0])])
    assert again.exit_code == 1 and "not empty" in again.output
    _invoke(monkeypatch, tmp_path, restored, "db", "restore", "--replace", str(backups[0]))
    assert _rows(restored) == before


def test_backup_retention_keeps_the_newest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    live = f"sqlite:///{tmp_path / 'live.db'}"
    _seed(tmp_path, live)
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "kept"))
    monkeypatch.setenv("BACKUP_KEEP", "2")
    for _ in range(3):
        _invoke(monkeypatch, tmp_path, live, "db", "backup")
    kept = list_backups(tmp_path / "kept")
    assert len(kept) == 2
    (tmp_path / "kept" / "notes.txt").write_text("not a backup")
    out = _invoke(monkeypatch, tmp_path, live, "db", "backup", "--keep", "1")
    assert f"Deleted old backup {kept[0].name}" in out and kept[1].name in out
    assert len(list_backups(tmp_path / "kept")) == 1
    assert (tmp_path / "kept" / "notes.txt").exists()
    assert prune_backups(tmp_path / "missing", 1) == []


def test_restore_refuses_wrong_or_missing_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = f"sqlite:///{tmp_path / 'target.db'}"
    for name, value in app_overrides(tmp_path, DATABASE_URL=target).items():
        monkeypatch.setenv(name, value)
    fake = tmp_path / "tradedeck-20260101T000000Z.pgdump"
    fake.write_bytes(b"PGDMP not for sqlite")
    wrong = CliRunner().invoke(main, ["db", "restore", str(fake)])
    assert wrong.exit_code == 1 and "not a SQLite backup" in wrong.output
    missing = CliRunner().invoke(main, ["db", "restore", str(tmp_path / "nope.sqlite3")])
    assert missing.exit_code == 1 and "no backup file" in missing.output
    assert not os.path.exists(tmp_path / "target.db")
