"""Test helpers every feature's tests import: test apps, users, logins, recorded SQL.

Set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) and
TEST_REDIS_URL (redis://127.0.0.1:6379/15) to run the same suite against those servers.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from tradedeck.accounts.models import User
from tradedeck.accounts.passwords import hash_password
from tradedeck.app import create_app
from tradedeck.extensions import db, limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
PASSWORD = "s3cret-pass"
_pg_schema_ready = False


def app_overrides(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Settings of a test app: its own database (or a cleaned shared one) and key prefix."""
    overrides = {
        "TRADEDECK_ENV": "development",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "REDIS_URL": TEST_REDIS_URL,
        "LOG_LEVEL": "WARNING",
    }
    overrides.update(extra)
    return overrides


def prepare_database(app: Flask) -> None:
    """SQLite: create the schema in the fresh file. PostgreSQL: create once, then truncate."""
    global _pg_schema_ready
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            db.create_all()
            return
        if not _pg_schema_ready:
            db.drop_all()
            db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
            db.create_all()
            _pg_schema_ready = True
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()


def restart_app(tmp_path: Path, **extra: Any) -> Flask:
    """A new app on the same database, as a process restart sees it (no schema reset)."""
    app = create_app(app_overrides(tmp_path, **extra), instance_path=tmp_path / "instance")
    app.config.update(TESTING=True, HUEY_IMMEDIATE=True)
    return app


def make_app(tmp_path: Path, **extra: Any) -> Flask:
    app = create_app(app_overrides(tmp_path, **extra), instance_path=tmp_path / "instance")
    app.config.update(TESTING=True, HUEY_IMMEDIATE=True)
    prepare_database(app)
    with app.app_context():
        limiter.reset()  # counters live in Redis when configured; each test starts at zero
    return app


def create_user(
    app: Flask,
    username: str = "alice",
    email: str | None = None,
    password: str = PASSWORD,
    role: str = "customer",
    active: bool = True,
) -> User:
    with app.app_context():
        user = User(
            username=username,
            username_key=username.lower(),
            email=email or f"{username.lower()}@example.com",
            password_hash=hash_password(password),
            role=role,
            active=active,
            preferences={"theme": "dark"},
        )
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Fetch a page and read the CSRF token from its meta tag, as a browser would."""
    html = client.get(path).get_data(as_text=True)
    marker = '<meta name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def web_login(client: FlaskClient, identifier: str = "alice", password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"identifier": identifier, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def api_login(client: FlaskClient, username: str = "alice", password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements `app` sends to its database while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for servers a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tool_missing(reason: str) -> None:
    """Skip on a developer's machine that lacks a tool; fail in CI (`.ci/run` sets CI), which
    installs every tool, so a skip there would hide a gap."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)
