"""Database backups: `tradedeck db backup` / `tradedeck db restore`, with retention.

PostgreSQL goes through `pg_dump --format=custom` / `pg_restore` (consistent snapshot while
the site runs, restorable into another server version); SQLite through its online backup API,
which copies a consistent image page by page while the web and worker processes keep writing
(a plain file copy of a WAL database can miss committed pages). A backup is written under a
temporary name and renamed when complete, so retention never counts a half-written file.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

PREFIX = "tradedeck-"
SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".pgdump"
_NAME = re.compile(rf"^{PREFIX}\d{{8}}T\d{{6}}(\d{{6}})?Z(\.sqlite3|\.pgdump)$")
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
PG_TIMEOUT_SECS = 3600


class BackupError(RuntimeError):
    """A backup or restore that cannot be done (missing tool, wrong file, non-empty target)."""


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return path


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq connection flags, with the password in the environment (not in `ps`)."""
    args = ["--no-password"]
    for flag, value in (("-h", url.host), ("-p", url.port), ("-U", url.username)):
        if value:
            args += [flag, str(value)]
    args += ["-d", url.database or "postgres"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_SECS, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def backup_name(now: datetime, suffix: str) -> str:
    return f"{PREFIX}{now.astimezone(UTC):%Y%m%dT%H%M%S%fZ}{suffix}"


def create_backup(database_url: str, directory: Path, now: datetime | None = None) -> Path:
    """Write a complete backup of the database into `directory`; returns its path."""
    url = make_url(database_url)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = SQLITE_SUFFIX if _is_sqlite(url) else PG_SUFFIX
    target = directory / backup_name(now or datetime.now(UTC), suffix)
    partial = target.with_name(target.name + ".partial")
    try:
        if _is_sqlite(url):
            source = _sqlite_path(url)
            if not source.exists():
                raise BackupError(f"no SQLite database at {source}")
            with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
                src.backup(dst)
            dst.close()
        else:
            args, env = _pg_args(url)
            _run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "-f", str(partial), *args],
                env,
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def list_backups(directory: Path) -> list[Path]:
    """This deployment's backups in `directory`, oldest first (names sort by time)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if _NAME.match(p.name))


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns the deleted paths."""
    backups = list_backups(directory)
    doomed = backups[: max(0, len(backups) - keep)]
    for path in doomed:
        path.unlink()
    return doomed


def _has_tables(database_url: str) -> bool:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return bool(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _check_kind(path: Path, sqlite: bool) -> None:
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    expected, kind = (SQLITE_MAGIC, "SQLite") if sqlite else (PG_MAGIC, "pg_dump custom-format")
    if not head.startswith(expected):
        raise BackupError(f"{path.name} is not a {kind} backup for this database")


def restore_backup(database_url: str, path: Path, *, replace: bool = False) -> None:
    """Restore `path` into the database; refuses a database that has tables unless `replace`."""
    url = make_url(database_url)
    sqlite = _is_sqlite(url)
    _check_kind(path, sqlite)
    if sqlite:
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
    if (not sqlite or target.exists()) and _has_tables(database_url) and not replace:
        raise BackupError("the database is not empty: pass --replace to overwrite it")
    if sqlite:
        with sqlite3.connect(path) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        dst.close()
        return
    args, env = _pg_args(url)
    command = [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction"]
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, *args, str(path)], env)
