"""Backtest feature test data: the chart factories' SIM instrument and a valid form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from tests.charts.factories import seed_instrument


def seed(app: Flask) -> None:
    seed_instrument(app, "ACME", intervals=("1h",), n=600)


def form(**changes: Any) -> dict[str, Any]:
    """A run request over the last 40 days of ACME 1h bars: SMA(5, 20) cross, 0.1% commission."""
    today = datetime.now(UTC).date()
    data: dict[str, Any] = {
        "symbol": "ACME",
        "venue": "SIM",
        "interval": "1h",
        "start": (today - timedelta(days=40)).isoformat(),
        "end": today.isoformat(),
        "strategy": "sma_cross",
        "sma_cross.fast": "5",
        "sma_cross.slow": "20",
        "sma_cross.direction": "both",
        "cash": "10000",
        "commission_pct": "0.1",
        "slippage_pct": "0",
        "fill": "open",
        "sizing": "equity",
        "size": "100",
        "stop": "none",
        "stop_value": "2",
        "target": "none",
        "target_value": "2",
    }
    data.update(changes)
    return data
