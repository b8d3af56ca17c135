"""Same trades and statistics as backtesting.py 0.6 (the AGPL reference, a dev dependency used
only here and in bench/) for its SMA(10, 20) cross on GOOG with 0.2% commission."""

import warnings

import numpy as np
import pandas as pd
import pytest

from tradedeck.core.backtest import LABELS, Settings, run

backtesting = pytest.importorskip("backtesting")
from backtesting import Backtest  # noqa: E402
from backtesting.test import GOOG  # noqa: E402

from bench.backtest import SmaCross  # noqa: E402  (the one reference strategy)

OURS_ONLY = {"avg_r", "total_r", "best_r", "worst_r"}


@pytest.fixture(scope="module")
def both():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = Backtest(GOOG, SmaCross, cash=10_000, commission=0.002).run()
    frame = GOOG.reset_index(names="time").rename(columns=str.lower)
    ours = run(frame, "sma_cross", {"fast": 10, "slow": 20}, Settings(commission=0.002))
    return reference, ours


def as_number(value):
    if isinstance(value, pd.Timestamp):
        return value.tz_localize("UTC").timestamp()
    if isinstance(value, pd.Timedelta):
        return value.total_seconds()
    return float(value)


def test_every_statistic_matches_within_1e_9(both):
    reference, ours = both
    compared = 0
    for key, (label, _) in LABELS.items():
        if key in OURS_ONLY:
            continue
        expected, got = as_number(reference[label]), float(ours.stats[key])
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9, nan_ok=True), label
        compared += 1
    assert compared == len(LABELS) - len(OURS_ONLY)


def test_the_same_trades(both):
    reference, ours = both
    expected = reference["_trades"]
    t = ours.result.trades
    assert len(t) == len(expected) == 93
    assert np.array_equal(t.size, expected["Size"].to_numpy())
    assert np.array_equal(t.entry_bar, expected["EntryBar"].to_numpy())
    assert np.array_equal(t.exit_bar, expected["ExitBar"].to_numpy())
    assert np.array_equal(t.entry_price, expected["EntryPrice"].to_numpy())
    assert np.array_equal(t.exit_price, expected["ExitPrice"].to_numpy())
    assert np.allclose(t.pnl, expected["PnL"].to_numpy(), rtol=1e-9, atol=1e-9)
    assert np.allclose(t.commission, expected["Commission"].to_numpy(), rtol=1e-9, atol=1e-9)
    assert np.allclose(t.return_pct, expected["ReturnPct"].to_numpy(), rtol=1e-9, atol=1e-12)


def test_the_same_equity_curve(both):
    reference, ours = both
    expected = reference["_equity_curve"]["Equity"].to_numpy()
    assert np.allclose(ours.result.equity, expected, rtol=1e-9, atol=0)
    assert ours.result.open_trade is not None  # the last cross is still open, as in the reference
