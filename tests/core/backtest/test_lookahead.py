"""No look-ahead by construction: changing the bars after a cut changes nothing before it."""

import numpy as np
import pytest

from tradedeck.core.backtest import STRATEGIES, Settings, run

from .helpers import perturbed_after, random_walk

PARAMS = {
    "sma_cross": {"fast": 5, "slow": 15},
    "fvg_retrace": {"htf_minutes": 240},
    "order_block_retest": {},
    "sweep_reversal": {},
    "scanner_patterns": {"kind": "all"},
}
SETTINGS = [
    Settings(commission=0.001, stop="atr", stop_value=2, target="r", target_value=2),
    Settings(fill="close", slippage=0.001, stop="percent", stop_value=0.02),
]


def trades_before(backtest, cut):
    """Closed trades that ended before the cut, as tuples."""
    t = backtest.result.trades
    done = t.exit_bar < cut
    return list(
        zip(
            t.size[done],
            t.entry_bar[done],
            t.exit_bar[done],
            t.entry_price[done],
            t.exit_price[done],
            t.reason[done],
            strict=True,
        )
    )


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("settings", SETTINGS, ids=["next-open", "on-close"])
@pytest.mark.parametrize("cut", [400, 900, 1500])
def test_future_bars_do_not_change_past_trades(strategy, settings, cut):
    candles = random_walk(7, 2000)
    settings = (
        Settings(**{**settings.__dict__, "stop": "level"})
        if STRATEGIES[strategy].stop == "level"
        else settings
    )
    before = run(candles, strategy, PARAMS[strategy], settings)
    after = run(perturbed_after(candles, cut, seed=99), strategy, PARAMS[strategy], settings)
    assert len(before.result.trades) > 3, "the strategy should trade on this series"
    assert trades_before(before, cut) == trades_before(after, cut)
    assert np.array_equal(before.result.equity[:cut], after.result.equity[:cut])
    # the future did change the later trades, so the test compares different runs
    assert not np.array_equal(before.result.equity, after.result.equity)
