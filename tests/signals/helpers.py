"""Signals test helpers: the fixed "now" of the seeded candles and the watchlist API headers.

Instruments with candles come from `tests.charts.factories` (`seed_instrument`, `random_walk`).
"""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.helpers import csrf_token

NOW = 1_790_000_000
"""A fixed "now" (2026-09-21): candles end with the one forming at NOW."""


def headers(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token(client, "/watchlists")}
