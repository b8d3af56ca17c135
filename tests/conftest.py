"""Shared fixtures: one fresh app + database per test, on SQLite or on PostgreSQL/Redis.

The helpers they use live in tests/helpers.py; tests import them from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import create_user, make_app, web_login
from tradedeck.accounts.models import User
from tradedeck.extensions import db


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def user(app: Flask) -> User:
    return create_user(app)


@pytest.fixture
def admin(app: Flask) -> User:
    return create_user(app, "root", role="admin")


@pytest.fixture
def logged_in(client: FlaskClient, user: User) -> FlaskClient:
    """A test client with a browser session of `user` (alice)."""
    assert web_login(client).status_code == 302
    return client
