"""Fixtures of the admin-core tests: an admin `root` with a browser session, a customer."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import PASSWORD, create_user, web_login
from tradedeck.accounts.models import User


@pytest.fixture
def root(app: Flask) -> User:
    return create_user(app, "root", role="admin")


@pytest.fixture
def alice(app: Flask) -> User:
    return create_user(app, "alice")


@pytest.fixture
def root_web(app: Flask, root: User) -> FlaskClient:
    """A browser session of the admin `root`."""
    client = app.test_client()
    assert web_login(client, "root", PASSWORD).status_code == 302
    return client
