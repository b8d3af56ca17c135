"""Grid search with its heatmap, and walk-forward windows."""

import math

import pytest

from tradedeck.core.backtest import BacktestError, Settings
from tradedeck.core.backtest.optimise import MAX_GRID_POINTS, grid_search, run_point, walk_forward

from .helpers import perturbed_after, random_walk

CANDLES = random_walk(11, 1500)
SETTINGS = Settings(commission=0.001)
GRID = {"fast": [3, 5, 8], "slow": [20, 30]}


def test_grid_runs_every_point_ranks_them_and_fills_the_heatmap():
    grid = grid_search(CANDLES, "sma_cross", GRID, SETTINGS, metric="return_pct")
    assert len(grid.points) == 6
    returns = [p.stats["return_pct"] for p in grid.points]
    assert returns == sorted(returns, reverse=True)
    assert grid.axes == (("fast", [3, 5, 8]), ("slow", [20, 30]))
    for point in grid.points:
        row = [3, 5, 8].index(point.params["fast"])
        column = [20, 30].index(point.params["slow"])
        assert grid.heatmap[row][column] == point.stats["return_pct"]
        alone = run_point(CANDLES, "sma_cross", point.params, SETTINGS)
        assert alone["return_pct"] == point.stats["return_pct"]


def test_grid_with_one_varied_parameter_has_one_column():
    grid = grid_search(CANDLES, "sma_cross", {"fast": [3, 5], "slow": [25]}, SETTINGS)
    assert [name for name, _ in grid.axes] == ["fast"]
    assert len(grid.heatmap) == 2 and all(len(row) == 1 for row in grid.heatmap)


def test_drawdown_durations_rank_lowest_first():
    grid = grid_search(CANDLES, "sma_cross", GRID, SETTINGS, metric="max_drawdown_duration")
    values = [p.stats["max_drawdown_duration"] for p in grid.points]
    finite = [v for v in values if not math.isnan(v)]
    assert finite == sorted(finite)


@pytest.mark.parametrize(
    ("grid", "metric", "field"),
    [
        ({}, "sharpe", "grid"),
        ({"fast": []}, "sharpe", "fast"),
        ({"fast": "5"}, "sharpe", "fast"),
        ({"fast": [1]}, "sharpe", "params.fast"),
        ({"fast": list(range(2, 100)), "slow": list(range(2, 100))}, "sharpe", "grid"),
        (GRID, "start", "metric"),
        (GRID, "nope", "metric"),
    ],
)
def test_bad_grids_name_the_field(grid, metric, field):
    with pytest.raises(BacktestError) as error:
        grid_search(CANDLES, "sma_cross", grid, SETTINGS, metric=metric)
    assert error.value.field == field
    assert MAX_GRID_POINTS == 2000


def test_walk_forward_windows_are_consecutive_and_out_of_sample_is_unseen():
    windows = walk_forward(CANDLES, "sma_cross", GRID, SETTINGS, windows=3, train_fraction=0.6)
    assert [w.train for w in windows] == [(0, 300), (500, 800), (1000, 1300)]
    assert [w.test for w in windows] == [(300, 500), (800, 1000), (1300, 1500)]
    for w in windows:
        assert w.params in [{**p, "direction": "both"} for p in _points()]
        assert w.out_of_sample["start"] == CANDLES.time[w.test[0]]
        assert w.out_of_sample["end"] == CANDLES.time[w.test[1] - 1]
    # a window's choice and result do not depend on bars after it
    later = walk_forward(
        perturbed_after(CANDLES, 1000, seed=5), "sma_cross", GRID, SETTINGS, 3, 0.6
    )
    for before, after in zip(windows[:2], later[:2], strict=True):
        assert before.params == after.params
        assert before.out_of_sample == after.out_of_sample


def _points():
    return [{"fast": f, "slow": s} for f in GRID["fast"] for s in GRID["slow"]]


def test_walk_forward_rejects_bad_windows():
    for kwargs, field in (
        ({"windows": 0}, "windows"),
        ({"train_fraction": 0.95}, "train_fraction"),
        ({"windows": 40}, "windows"),  # 60 bars: 1 per window
    ):
        with pytest.raises(BacktestError) as error:
            walk_forward(random_walk(1, 60), "sma_cross", GRID, SETTINGS, **kwargs)
        assert error.value.field == field
