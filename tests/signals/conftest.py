"""Signals fixtures: a SIM instrument with candles up to the helpers' NOW."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.charts.factories import seed_instrument
from tests.signals.helpers import NOW


@pytest.fixture
def acme(app: Flask) -> dict:
    """ACME on SIM with 300 candles of 15m, 1h and 4h up to NOW."""
    return seed_instrument(app, "ACME", intervals=("15m", "1h", "4h"), n=300, end=NOW)
