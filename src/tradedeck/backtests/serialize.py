"""Runs as JSON: a summary for lists and the full record (request, results) for one run."""

from __future__ import annotations

from typing import Any

from tradedeck.backtests.models import BacktestRun
from tradedeck.backtests.services import iso


def summary(run: BacktestRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "symbol": run.symbol,
        "venue": run.venue,
        "interval": run.interval,
        "strategy": run.strategy,
        "status": run.status,
        "progress": run.progress,
        "message": run.message,
        "created_at": run.created_at.isoformat(),
    }


def detail(run: BacktestRun) -> dict[str, Any]:
    """Everything about a run; times of the series and trades are epoch seconds (chart time)."""
    return {
        **summary(run),
        "start": iso(run.start_time),
        "end": iso(run.end_time),
        "params": run.params,
        "settings": run.settings,
        "cash": str(run.cash),
        "bars": run.bars,
        "stats": run.stats,
        "series": run.series,
        "trades": run.trades,
        "open_trade": run.open_trade,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }
