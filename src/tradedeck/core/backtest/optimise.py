"""Parameter search: a grid with a heatmap, and walk-forward windows that expose over-fitting.

A grid runs every combination and ranks it by one statistic. Walk-forward splits the series
into consecutive windows; in each, the grid picks the best parameters on the in-sample part
and those parameters are then traded on the following out-of-sample part, which they have not
seen. In-sample figures far above out-of-sample ones mean the grid fitted noise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tradedeck.core.analytics import Candles

from .engine import BacktestError, Settings
from .run import build_signals, resolve_params, simulate_bars
from .signals import Signals
from .stats import LABELS, compute_stats

MAX_GRID_POINTS = 2_000
LOWER_IS_BETTER = frozenset({"max_drawdown_duration", "avg_drawdown_duration"})


@dataclass(frozen=True)
class GridPoint:
    params: dict[str, Any]
    stats: dict[str, Any]


@dataclass(frozen=True)
class Grid:
    """Every point, best first, and the metric's heatmap over the first two varied params."""

    metric: str
    points: list[GridPoint]
    axes: tuple[tuple[str, list[Any]], ...]
    heatmap: list[list[float | None]]

    @property
    def best(self) -> GridPoint:
        return self.points[0]


def combinations(strategy: str, grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Validated parameter sets of the grid (every name checked, at most MAX_GRID_POINTS)."""
    if not grid:
        raise BacktestError("the grid needs at least one parameter", field="grid")
    for name, values in grid.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            raise BacktestError(f"grid values of {name} must be a non-empty list", field=name)
    total = math.prod(len(values) for values in grid.values())
    if total > MAX_GRID_POINTS:
        raise BacktestError(
            f"the grid has {total} points (at most {MAX_GRID_POINTS})", field="grid"
        )
    names = list(grid)
    return [
        resolve_params(strategy, dict(zip(names, values, strict=True)))
        for values in itertools.product(*(grid[name] for name in names))
    ]


def _score(stats: Mapping[str, Any], metric: str) -> float:
    value = float(stats[metric])
    if math.isnan(value):
        return -math.inf
    return -value if metric in LOWER_IS_BETTER else value


def _check_metric(metric: str) -> None:
    if metric not in LABELS or LABELS[metric][1] == "time":
        raise BacktestError(f"unknown metric '{metric}'", field="metric")


def run_point(
    candles: Candles, strategy: str, params: dict[str, Any], settings: Settings
) -> dict[str, Any]:
    """Statistics of one parameter set (the grid's unit of work)."""
    signals = build_signals(candles, strategy, params)
    result = simulate_bars(candles, signals, settings)
    return compute_stats(candles.time, candles.close, result)


def grid_search(
    candles: Candles,
    strategy: str,
    grid: Mapping[str, Sequence[Any]],
    settings: Settings,
    metric: str = "sharpe",
    progress: Callable[[], None] | None = None,
) -> Grid:
    """Run every combination; points sorted best first (NaN last); heatmap rows follow the
    first varied parameter's values, columns the second's (one column if only one varies).
    `progress` is called after each point (a background job reports how far it is)."""
    _check_metric(metric)
    sets = combinations(strategy, grid)
    points = []
    for params in sets:
        points.append(GridPoint(params, run_point(candles, strategy, params, settings)))
        if progress is not None:
            progress()
    varied = [name for name, values in grid.items() if len(values) > 1][:2] or list(grid)[:1]
    axes = tuple((name, sorted({p[name] for p in sets}, key=_order)) for name in varied)
    heat: dict[tuple[Any, ...], float | None] = {}
    for point in points:
        value = float(point.stats[metric])
        key = tuple(point.params[name] for name in varied)
        if key not in heat or _better(value, heat[key], metric):
            heat[key] = None if math.isnan(value) else value
    rows = axes[0][1]
    columns = axes[1][1] if len(axes) > 1 else [None]
    heatmap = [
        [heat.get((row,) if len(axes) == 1 else (row, column)) for column in columns]
        for row in rows
    ]
    ranked = sorted(points, key=lambda point: _score(point.stats, metric), reverse=True)
    return Grid(metric, ranked, axes, heatmap)


def _order(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int | float) else (1, str(value))


def _better(value: float, current: float | None, metric: str) -> bool:
    if math.isnan(value):
        return False
    return current is None or _score({metric: value}, metric) > _score({metric: current}, metric)


@dataclass(frozen=True)
class Window:
    """One walk-forward step: bar ranges, chosen parameters and both sides' figures."""

    train: tuple[int, int]
    test: tuple[int, int]
    params: dict[str, Any]
    in_sample: dict[str, Any]
    out_of_sample: dict[str, Any]


def _slice(candles: Candles, start: int, stop: int) -> Candles:
    return Candles(*(getattr(candles, name)[start:stop] for name in candles.__dataclass_fields__))


def _tail(signals: Signals, start: int) -> Signals:
    return Signals(
        signals.entry[start:],
        signals.exit[start:],
        signals.stop_level[start:],
        max(signals.warmup - start, 0),
    )


def walk_forward(
    candles: Candles,
    strategy: str,
    grid: Mapping[str, Sequence[Any]],
    settings: Settings,
    windows: int = 4,
    train_fraction: float = 0.7,
    metric: str = "sharpe",
    progress: Callable[[], None] | None = None,
) -> list[Window]:
    """`windows` consecutive, non-overlapping windows; the first `train_fraction` of each is
    in-sample. The out-of-sample run computes signals with the in-sample bars before it as
    history (indicators need it; signals are causal) but trades only its own bars. `progress`
    is called after each in-sample point."""
    _check_metric(metric)
    if not 1 <= windows <= 50:
        raise BacktestError("windows must be between 1 and 50", field="windows")
    if not 0.1 <= train_fraction <= 0.9:
        raise BacktestError("train_fraction must be between 0.1 and 0.9", field="train_fraction")
    size = len(candles) // windows
    out: list[Window] = []
    for k in range(windows):
        start = k * size
        stop = len(candles) if k == windows - 1 else start + size
        split = start + int((stop - start) * train_fraction)
        if split - start < 2 or stop - split < 2:
            raise BacktestError("too few bars for that many windows", field="windows")
        train = _slice(candles, start, split)
        best = grid_search(train, strategy, grid, settings, metric, progress).best
        history = _slice(candles, start, stop)
        signals = _tail(build_signals(history, strategy, best.params), split - start)
        test = _slice(candles, split, stop)
        result = simulate_bars(test, signals, settings)
        out.append(
            Window(
                (start, split),
                (split, stop),
                best.params,
                best.stats,
                compute_stats(test.time, test.close, result),
            )
        )
    return out
