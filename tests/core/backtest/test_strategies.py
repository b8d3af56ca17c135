"""The built-in strategies trade exactly the analytics' facts, from the bar they are known."""

import numpy as np
import pytest

from tradedeck.core import patterns
from tradedeck.core.analytics import fvg, liquidity, on_higher_timeframe, order_blocks, sma
from tradedeck.core.backtest import STRATEGIES, BacktestError, Settings, run
from tradedeck.core.backtest.run import build_signals

from .helpers import random_walk

CANDLES = random_walk(3, 3000)


def test_sma_cross_signals_are_strict_crossovers():
    s = build_signals(CANDLES, "sma_cross", {"fast": 5, "slow": 12, "direction": "both"})
    a, b = sma(CANDLES, 5), sma(CANDLES, 12)
    for i in np.flatnonzero(s.entry):
        above = a[i - 1] < b[i - 1] and a[i] > b[i]
        below = b[i - 1] < a[i - 1] and b[i] > a[i]
        assert (above and s.entry[i] == 1) or (below and s.entry[i] == -1)
    assert s.warmup == 11 and np.count_nonzero(s.entry) > 20


def test_long_only_turns_short_entries_into_exits():
    both = build_signals(CANDLES, "sma_cross", {"fast": 5, "slow": 12, "direction": "both"})
    long = build_signals(CANDLES, "sma_cross", {"fast": 5, "slow": 12, "direction": "long"})
    assert np.array_equal(long.entry, np.where(both.entry == 1, 1, 0))
    assert np.array_equal(long.exit, both.entry == -1)
    result = run(CANDLES, "sma_cross", {"fast": 5, "slow": 12, "direction": "long"})
    assert np.all(result.result.trades.size > 0)


def test_fvg_retrace_enters_on_the_first_touch_of_a_confirmed_gap_with_the_trend():
    s = build_signals(CANDLES, "fvg_retrace", {"htf_minutes": 240})
    events = fvg(CANDLES)
    structure = on_higher_timeframe(CANDLES, "structure", 240 * 60, {"length": 2})
    bars = np.flatnonzero(s.entry)
    assert bars.size > 5
    for i in bars:
        hits = np.flatnonzero(events["mitigated_index"] == i)
        side = "bullish" if s.entry[i] == 1 else "bearish"
        zone = next(k for k in hits if events["direction"][k] == side)
        assert events["confirmed_index"][zone] <= i
        known = np.flatnonzero(structure["confirmed_index"] <= i)
        assert structure["direction"][known[-1]] == side
        edge = events["bottom"][zone] if side == "bullish" else events["top"][zone]
        assert s.stop_level[i] == edge


def test_order_block_retest_enters_on_the_first_touch_after_the_break():
    s = build_signals(CANDLES, "order_block_retest", {})
    blocks = order_blocks(CANDLES)
    bars = np.flatnonzero(s.entry)
    assert bars.size > 5
    for i in bars:
        bullish = s.entry[i] == 1
        k = np.flatnonzero(
            (blocks["direction"] == ("bullish" if bullish else "bearish"))
            & (blocks["confirmed_index"] < i)
            & ((blocks["bottom"] if bullish else blocks["top"]) == s.stop_level[i])
        )
        assert k.size
        block = k[0]
        between = slice(blocks["confirmed_index"][block] + 1, i)
        if bullish:
            assert CANDLES.low[i] <= blocks["top"][block]
            assert np.all(CANDLES.low[between] > blocks["top"][block])
            assert CANDLES.close[i] > blocks["bottom"][block]
        else:
            assert CANDLES.high[i] >= blocks["bottom"][block]
            assert np.all(CANDLES.high[between] < blocks["bottom"][block])


def test_sweep_reversal_fades_rejected_sweeps():
    s = build_signals(CANDLES, "sweep_reversal", {})
    pools = liquidity(CANDLES)
    rejected = pools["sweep"] == "rejection"
    bars = np.flatnonzero(s.entry)
    assert bars.size > 5
    assert set(bars) == set(pools["swept_index"][rejected])
    for i in bars:
        if s.entry[i] == 1:
            assert s.stop_level[i] == CANDLES.low[i]
        else:
            assert s.stop_level[i] == CANDLES.high[i]


def test_scanner_patterns_trade_each_pattern_at_its_confirmation():
    s = build_signals(CANDLES, "scanner_patterns", {"kind": "fvg"})
    found = patterns.detect(CANDLES, "1h")
    fvgs = found.kind == patterns.KINDS.index("fvg")
    bars = np.flatnonzero(s.entry)
    assert bars.size > 5 and set(bars) <= set(found.confirmed_index[fvgs])
    for i in bars[:50]:
        k = np.flatnonzero(fvgs & (found.confirmed_index == i))
        assert s.stop_level[i] in found.stop[k] and s.entry[i] in found.direction[k]


@pytest.mark.parametrize("name", STRATEGIES)
def test_every_strategy_runs_with_its_default_stop(name):
    stop = STRATEGIES[name].stop
    settings = Settings(stop=stop, target="r" if stop == "level" else "none", target_value=2)
    backtest = run(CANDLES, name, {}, settings)
    assert backtest.stats["trades"] > 0
    assert backtest.trade_records()[0]["reason"] in ("signal", "stop", "target")


def test_bad_strategy_or_parameters_name_the_field():
    with pytest.raises(BacktestError) as error:
        run(CANDLES, "nope")
    assert error.value.field == "strategy"
    with pytest.raises(BacktestError) as error:
        run(CANDLES, "sma_cross", {"fast": 1})
    assert error.value.field == "params.fast"
    with pytest.raises(BacktestError) as error:
        run(CANDLES, "sma_cross", {"colour": 1})
    assert error.value.field == "params.colour"
    with pytest.raises(BacktestError) as error:
        run({"time": [1], "open": [1], "high": [1], "low": [1], "close": [1]}, "sma_cross")
    assert error.value.field == "candles"
