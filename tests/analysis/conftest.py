"""Analysis fixtures: the helpers' candle series, stored under a simulated symbol."""

from __future__ import annotations

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.analysis.helpers import BARS, store_series, walk
from tests.helpers import api_login
from tradedeck.accounts.models import User


@pytest.fixture(scope="session")
def series() -> dict[str, np.ndarray]:
    return walk(BARS)


@pytest.fixture
def stored(app: Flask, series: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    store_series(app, "ACME", series)
    return series


@pytest.fixture
def auth(client: FlaskClient, user: User) -> dict[str, str]:
    """Bearer header of alice (JWT: no CSRF token needed)."""
    return {"Authorization": f"Bearer {api_login(client)}"}
