"""The optimise page's use case: a parameter grid ranked by one statistic, shown as a heatmap,
and optionally walk-forward windows (best in-sample parameters traded out of sample).

It runs inside the request: a grid is at most OPTIMISE_MAX_POINTS points on at most
BACKTEST_MAX_BARS bars, a few seconds at worst (bench/backtest.py: 100 points on 10,000 bars
in about 0.1 s). Grid values are written `5,10,20` or as a range `5-30:5`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tradedeck.backtests.forms import METRICS
from tradedeck.backtests.services import load_candles, parse_request
from tradedeck.core.backtest import STRATEGIES, BacktestError
from tradedeck.core.backtest.optimise import Grid, Window, grid_search, walk_forward
from tradedeck.core.errors import DomainError

OPTIMISE_MAX_POINTS = 400
MAX_RANGE_VALUES = 200
HEAT_LEVELS = 10


@dataclass(frozen=True)
class Optimisation:
    grid: Grid
    windows: list[Window]
    cells: list[list[int | None]]
    """Heatmap colour level (0 worst … HEAT_LEVELS-1 best) of each cell, None when empty."""


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


def parse_grid(strategy: str, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`grid.<param>` fields of the chosen strategy; a blank one keeps the single value."""
    grid: dict[str, list[Any]] = {}
    for name, spec in STRATEGIES[strategy].params.items():
        raw = str(data.get(f"grid.{name}", "") or "")
        values = _values(f"grid.{name}", raw) if raw.strip() else []
        grid[name] = values or [data.get(f"{strategy}.{name}") or spec.default]
    points = math.prod(len(values) for values in grid.values())
    if points > OPTIMISE_MAX_POINTS:
        raise DomainError(
            f"the grid has {points} points (at most {OPTIMISE_MAX_POINTS})", field="grid"
        )
    return grid


def _windows(data: Mapping[str, Any]) -> tuple[int, float]:
    try:
        count = int(str(data.get("windows") or "0"))
        train = float(str(data.get("train_pct") or "70")) / 100
    except ValueError:
        raise DomainError("windows and train % must be numbers", field="windows") from None
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


def optimise(data: Mapping[str, Any]) -> Optimisation:
    """Validate the form, load the candles once, run the grid (and walk-forward windows)."""
    request, _ = parse_request(data)
    metric = str(data.get("metric") or "sharpe")
    if metric not in METRICS:
        raise DomainError(f"metric must be one of {', '.join(METRICS)}", field="metric")
    grid_spec = parse_grid(request.strategy, data)
    windows, train = _windows(data)
    candles = load_candles(request.instrument, request.interval, request.start, request.end)
    try:
        grid = grid_search(candles, request.strategy, grid_spec, request.settings, metric)
        steps = (
            walk_forward(
                candles, request.strategy, grid_spec, request.settings, windows, train, metric
            )
            if windows
            else []
        )
    except BacktestError as error:
        raise DomainError(error.message, field=error.field) from None
    return Optimisation(grid, steps, heat_levels(grid))
