"""Optimisation use cases: a parameter grid ranked by one statistic, shown as a heatmap, and
optionally walk-forward windows (best in-sample parameters traded out of sample).

Every field (grid values included) is checked when the optimisation is asked for, so a bad
one is a 400 naming it; the grid then runs as a huey job (`execute`, task
`backtests.optimise`) that reports progress after every backtest of the grid and the windows
and stores the ranked points, the heatmap and the windows as JSON. Grid values are written
`5,10,20` or as a range `5-30:5`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tradedeck.backtests.forms import METRICS
from tradedeck.backtests.models import BacktestOptimisation
from tradedeck.backtests.services import (
    RunRequest,
    _stage,
    clean,
    job_of,
    load_candles,
    parse_request,
    queue_job,
    run_job,
)
from tradedeck.core.backtest import STRATEGIES, BacktestError, Settings
from tradedeck.core.backtest.optimise import Grid, Window, grid_search, walk_forward
from tradedeck.core.backtest.run import resolve_params
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Instrument

TASK_KEY = "tradedeck.backtests.optimise_task"
OPTIMISE_MAX_POINTS = 400
MAX_RANGE_VALUES = 200
HEAT_LEVELS = 10


def _values(field: str, text: str) -> list[Any]:
    """`5,10,20` or `5-30:5` (inclusive, step 1 when left out) as a list of numbers/words."""
    text = text.strip()
    if "-" in text.lstrip("-") and "," not in text:
        bounds, _, step_text = text.partition(":")
        low_text, _, high_text = bounds.partition("-")
        try:
            low, high, step = int(low_text), int(high_text), int(step_text or "1")
        except ValueError:
            raise DomainError(f"{field}: write a range as 5-30:5", field=field) from None
        if step <= 0 or high < low or (high - low) // step + 1 > MAX_RANGE_VALUES:
            raise DomainError(
                f"{field}: a range needs low <= high, a positive step and at most "
                f"{MAX_RANGE_VALUES} values",
                field=field,
            )
        return list(range(low, high + 1, step))
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_grid(
    strategy: str, data: Mapping[str, Any], params: Mapping[str, Any] | None = None
) -> dict[str, list[Any]]:
    """`grid.<param>` fields of the chosen strategy; a blank one keeps the single value (of
    `params` when given, else of the `<strategy>.<param>` field). Each value is checked."""
    grid: dict[str, list[Any]] = {}
    for name, spec in STRATEGIES[strategy].params.items():
        raw = str(data.get(f"grid.{name}", "") or "")
        values = _values(f"grid.{name}", raw) if raw.strip() else []
        single = params[name] if params else data.get(f"{strategy}.{name}") or spec.default
        grid[name] = values or [single]
        for value in values:
            try:
                resolve_params(strategy, {**(params or {}), name: value})
            except BacktestError as error:
                raise DomainError(f"grid: {error.message}", field=f"grid.{name}") from None
    points = math.prod(len(values) for values in grid.values())
    if points > OPTIMISE_MAX_POINTS:
        raise DomainError(
            f"the grid has {points} points (at most {OPTIMISE_MAX_POINTS})", field="grid"
        )
    return grid


def _windows(data: Mapping[str, Any]) -> tuple[int, float]:
    try:
        count = int(str(data.get("windows") or "0"))
    except ValueError:
        raise DomainError("windows must be a whole number", field="windows") from None
    try:
        train = float(str(data.get("train_pct") or "70")) / 100
    except ValueError:
        raise DomainError("train_pct must be a number", field="train_pct") from None
    if not 0 <= count <= 50:
        raise DomainError("windows must be between 1 and 50 (0: none)", field="windows")
    if count and not 0.1 <= train <= 0.9:
        raise DomainError("train_pct must be between 10 and 90", field="train_pct")
    return count, train


def heat_levels(grid: Grid) -> list[list[int | None]]:
    """Each cell's rank among the filled cells, scaled to HEAT_LEVELS colours (best highest)."""
    values = sorted(
        {cell for row in grid.heatmap for cell in row if cell is not None and math.isfinite(cell)}
    )
    lower_better = grid.metric.endswith("duration")
    levels: list[list[int | None]] = []
    for row in grid.heatmap:
        out: list[int | None] = []
        for cell in row:
            if cell is None or not math.isfinite(cell) or not values:
                out.append(None)
                continue
            rank = values.index(cell) / max(len(values) - 1, 1)
            level = round(rank * (HEAT_LEVELS - 1))
            out.append(HEAT_LEVELS - 1 - level if lower_better else level)
        levels.append(out)
    return levels


@dataclass(frozen=True)
class OptimiseRequest:
    run: RunRequest
    metric: str
    grid: dict[str, list[Any]]
    windows: int
    train: float


def parse_optimise(data: Mapping[str, Any]) -> OptimiseRequest:
    """Validate the run fields, the metric, every grid value and the walk-forward fields."""
    request, _ = parse_request(data)
    metric = str(data.get("metric") or "sharpe")
    if metric not in METRICS:
        raise DomainError(f"metric must be one of {', '.join(METRICS)}", field="metric")
    grid = parse_grid(request.strategy, data, request.params)
    windows, train = _windows(data)
    return OptimiseRequest(request, metric, grid, windows, train)


def create_optimisation(user_id: int, data: Mapping[str, Any]) -> BacktestOptimisation:
    """Check the request, save it queued and enqueue its job (409 beyond BACKTEST_MAX_RUNS
    saved optimisations)."""
    spec = parse_optimise(data)
    return queue_job(
        BacktestOptimisation,
        user_id,
        spec.run,
        TASK_KEY,
        "grid",
        metric=spec.metric,
        grid=spec.grid,
        windows=spec.windows,
        train_fraction=spec.train,
        form={k: v for k, v in data.items() if k not in ("csrf_token", "submit")},
    )


def optimisations_of(user_id: int, limit: int = 20) -> list[BacktestOptimisation]:
    statement = (
        select(BacktestOptimisation)
        .where(BacktestOptimisation.user_id == user_id)
        .order_by(BacktestOptimisation.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def optimisation_of(user_id: int, optimisation_id: int) -> BacktestOptimisation:
    return job_of(BacktestOptimisation, user_id, optimisation_id, "optimisation")


def delete_optimisation(user_id: int, optimisation_id: int) -> None:
    db.session.delete(optimisation_of(user_id, optimisation_id))
    db.session.commit()


def execute(optimisation_id: int) -> None:
    """The job: load the candles once, run the grid and the windows, store the result."""
    run_job(BacktestOptimisation, optimisation_id, _execute, "optimisation")


class _Progress:
    """Counts the backtests of the job; commits the percentage (5..95) when it moves a step."""

    def __init__(self, row: BacktestOptimisation, total: int) -> None:
        self.row, self.total, self.done = row, total, 0

    def __call__(self) -> None:
        self.done += 1
        percent = 5 + 90 * self.done // self.total
        if percent >= self.row.progress + 5 or self.done == self.total:
            _stage(self.row, percent, f"{self.done} of {self.total} backtests")


def _execute(row: BacktestOptimisation) -> None:
    _stage(row, 2, "Loading candles")
    instrument = db.session.get(Instrument, row.instrument_id)
    if instrument is None:
        raise DomainError("the instrument no longer exists")
    candles = load_candles(instrument, row.interval, row.start_time, row.end_time)
    points = math.prod(len(values) for values in row.grid.values())
    tick = _Progress(row, points * (1 + row.windows) or 1)
    _stage(row, 5, f"{points} backtests on {len(candles)} bars")
    settings = Settings(**row.settings)
    try:
        grid = grid_search(candles, row.strategy, row.grid, settings, row.metric, tick)
        windows = (
            walk_forward(
                candles,
                row.strategy,
                row.grid,
                settings,
                row.windows,
                row.train_fraction,
                row.metric,
                tick,
            )
            if row.windows
            else []
        )
    except BacktestError as error:
        raise DomainError(error.message, field=error.field) from None
    row.result = result_json(grid, windows, len(candles))
    row.finished_at = utcnow()
    _stage(row, 100, f"{len(grid.points)} points on {len(candles)} bars", status="done")


def result_json(grid: Grid, windows: list[Window], bars: int) -> dict[str, Any]:
    """What the page and the API show: ranked points, heatmap (values and colour levels) and
    windows; NaN and infinities as null."""
    return clean(
        {
            "bars": bars,
            "grid": {
                "metric": grid.metric,
                "points": [{"params": p.params, "stats": p.stats} for p in grid.points],
                "axes": [[name, values] for name, values in grid.axes],
                "heatmap": grid.heatmap,
            },
            "cells": heat_levels(grid),
            "windows": [
                {
                    "train": list(w.train),
                    "test": list(w.test),
                    "params": w.params,
                    "in_sample": w.in_sample,
                    "out_of_sample": w.out_of_sample,
                }
                for w in windows
            ],
        }
    )
