"""Property: at every bar, equity equals cash plus the position at the close, and equals the
starting cash plus the closed trades' profits plus the open trade's running profit."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradedeck.core.backtest import Settings, Signals, simulate

from .helpers import random_walk

configs = st.fixed_dictionaries(
    {
        "fill": st.sampled_from(["open", "close"]),
        "commission": st.floats(0, 0.01),
        "commission_fixed": st.floats(0, 5),
        "slippage": st.floats(0, 0.005),
        "whole_units": st.booleans(),
        "stop": st.sampled_from(["none", "percent"]),
        "target": st.sampled_from(["none", "percent"]),
    }
)


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(2, 300),
    density=st.floats(0.0, 0.5),
    config=configs,
)
def test_equity_is_cash_plus_positions_at_every_bar(seed, size, density, config):
    candles = random_walk(seed, size)
    rng = np.random.default_rng(seed + 1)
    entry = np.where(rng.random(size) < density, rng.choice([-1, 1], size), 0)
    exit_ = rng.random(size) < density / 3
    signals = Signals(entry.astype(np.int64), exit_, np.full(size, np.nan))
    result = simulate(
        candles.open,
        candles.high,
        candles.low,
        candles.close,
        signals,
        Settings(
            cash=10_000,
            stop_value=0.02 if config["stop"] == "percent" else 0.0,
            target_value=0.03 if config["target"] == "percent" else 0.0,
            **config,
        ),
    )
    close = candles.close
    assert np.allclose(result.equity, result.cash + result.units * close, rtol=1e-12)

    t = result.trades
    realised = np.zeros(size)
    np.add.at(realised, t.exit_bar, t.pnl)
    expected = 10_000 + np.cumsum(realised)
    bars = np.arange(size)
    for k in range(len(t)):
        entry_commission = (
            config["commission_fixed"] + abs(t.size[k]) * t.entry_price[k] * (config["commission"])
        )
        held = (bars >= t.entry_bar[k]) & (bars < t.exit_bar[k])
        running = t.size[k] * (close - t.entry_price[k]) - entry_commission
        expected = expected + np.where(held, running, 0.0)
    if result.open_trade is not None:
        o = result.open_trade
        held = bars >= o["entry_bar"]
        running = o["size"] * (close - o["entry_price"]) - o["commission"]
        expected = expected + np.where(held, running, 0.0)
    assert np.allclose(result.equity, expected, rtol=1e-9, atol=1e-6)
    assert np.all(t.entry_bar <= t.exit_bar)
    assert np.all(t.exit_bar[:-1] <= t.entry_bar[1:])  # one position at a time
