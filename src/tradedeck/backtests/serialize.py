"""Runs and optimisations as JSON: a summary for lists, the full record for one."""

from __future__ import annotations

from typing import Any

from tradedeck.backtests.models import BacktestOptimisation, BacktestRun
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


def optimisation(row: BacktestOptimisation, full: bool = True) -> dict[str, Any]:
    """An optimisation's request and progress; with `full`, its result once done."""
    body = {
        "id": row.id,
        "symbol": row.symbol,
        "venue": row.venue,
        "interval": row.interval,
        "start": iso(row.start_time),
        "end": iso(row.end_time),
        "strategy": row.strategy,
        "metric": row.metric,
        "grid": row.grid,
        "windows": row.windows,
        "train_pct": round(row.train_fraction * 100, 6),
        "status": row.status,
        "progress": row.progress,
        "message": row.message,
        "created_at": row.created_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }
    return body | {"result": row.result} if full else body
