"""Signals fixtures: a SIM instrument with candles, a logged-in member and API headers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.charts.factories import random_walk, seed_instrument  # noqa: E402
from tests.helpers import csrf_token  # noqa: E402

NOW = 1_790_000_000
"""A fixed "now" (2026-09-21): candles end with the one forming at NOW."""

__all__ = ["NOW", "random_walk", "seed_instrument"]


@pytest.fixture
def acme(app: Flask) -> dict:
    """ACME on SIM with 300 candles of 15m, 1h and 4h up to NOW."""
    return seed_instrument(app, "ACME", intervals=("15m", "1h", "4h"), n=300, end=NOW)


def headers(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token(client, "/watchlists")}
