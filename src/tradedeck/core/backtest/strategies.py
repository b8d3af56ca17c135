"""Built-in strategies: entry/exit rules over the analytics, as look-ahead-free `Signals`.

Each strategy reads only facts known at a bar's close: indicator values up to that bar and
study events from their `confirmed_index` on (an FVG is traded when price first comes back
into it after it was confirmed; an order block when price first retests it after the break;
a liquidity pool when a bar sweeps it and closes back inside). Pattern strategies put their
stop beyond the zone they traded (`stop_level`), used with `Settings(stop="level")`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tradedeck.core import patterns
from tradedeck.core.analytics import Candles, fvg, liquidity, on_higher_timeframe, order_blocks
from tradedeck.core.analytics.indicators import sma
from tradedeck.core.analytics.level_search import first_at_or_above, first_at_or_below
from tradedeck.core.analytics.params import ChoiceParam, IntParam, Param, resolve

from .signals import Signals

DIRECTIONS = ("both", "long", "short")


@dataclass(frozen=True)
class Strategy:
    """A named rule set: its parameters (validated like study parameters) and signal builder."""

    name: str
    label: str
    params: Mapping[str, Param]
    build: Callable[..., Signals]
    stop: str = "none"
    """The stop kind the strategy is designed around (the UI's default)."""

    def signals(self, candles: Candles, given: Mapping[str, Any]) -> Signals:
        return self.build(candles, **self.resolve(given))

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        return resolve(self.name, self.params, given)


def _direction_filter(signals: Signals, direction: str) -> Signals:
    """Keep one side's entries; the other side's entries become exits of the kept side."""
    if direction == "both":
        return signals
    keep = 1 if direction == "long" else -1
    entry = np.where(signals.entry == keep, keep, 0)
    exit_ = signals.exit | (signals.entry == -keep)
    return Signals(entry, exit_, signals.stop_level, signals.warmup)


def _first_valid(*series: np.ndarray) -> int:
    """First bar where every series has a value (as backtesting.py's indicator warm-up)."""
    return max((int(np.isnan(values).argmin()) for values in series), default=0)


def sma_cross(candles: Candles, fast: int, slow: int, direction: str) -> Signals:
    """Long when SMA(fast) crosses above SMA(slow), short when it crosses below (strictly:
    below on the previous bar and above on this one, as backtesting.py's `crossover`)."""
    a, b = sma(candles, fast), sma(candles, slow)
    n = len(candles)
    entry = np.zeros(n, np.int64)
    with np.errstate(invalid="ignore"):
        up = (a[:-1] < b[:-1]) & (a[1:] > b[1:])
        down = (b[:-1] < a[:-1]) & (b[1:] > a[1:])
    entry[1:] = np.where(up, 1, np.where(down, -1, 0))
    signals = Signals(entry, np.zeros(n, np.bool_), np.full(n, np.nan), _first_valid(a, b))
    return _direction_filter(signals, direction)


def _trend_at_bars(candles: Candles, seconds: int, length: int) -> np.ndarray:
    """Direction (+1/-1/0) of the last higher-timeframe structure break usable at each bar."""
    n = len(candles)
    events = on_higher_timeframe(candles, "structure", seconds, {"length": length})
    trend = np.zeros(n, np.int64)
    if len(events) == 0:
        return trend
    confirmed = events["confirmed_index"]
    direction = np.where(events["direction"] == "bullish", 1, -1)
    last = np.searchsorted(confirmed, np.arange(n), side="right") - 1
    return np.where(last >= 0, direction[np.maximum(last, 0)], 0)


def _zone_signals(
    n: int, bars: np.ndarray, sides: np.ndarray, stops: np.ndarray, direction: str
) -> Signals:
    """Entries with their stop levels at `bars`; where several zones trigger on one bar the
    first given (the earliest confirmed) wins."""
    entry = np.zeros(n, np.int64)
    stop_level = np.full(n, np.nan)
    entry[bars[::-1]] = sides[::-1]
    stop_level[bars[::-1]] = stops[::-1]
    return _direction_filter(Signals(entry, np.zeros(n, np.bool_), stop_level, 0), direction)


def fvg_retrace(
    candles: Candles, htf_minutes: int, structure_length: int, direction: str
) -> Signals:
    """Enter on the first retrace into a confirmed FVG that points with the higher-timeframe
    structure (the last BOS/CHoCH on `htf_minutes` bars, usable at that bar); stop beyond the
    gap's far side."""
    n = len(candles)
    events = fvg(candles)
    trend = _trend_at_bars(candles, htf_minutes * 60, structure_length)
    touch = events["mitigated_index"]
    bullish = events["direction"] == "bullish"
    side = np.where(bullish, 1, -1)
    ok = (touch >= 0) & (events["confirmed_index"] <= touch)
    ok &= trend[np.maximum(touch, 0)] == side
    picked = np.flatnonzero(ok)
    stops = np.where(bullish, events["bottom"], events["top"])
    return _zone_signals(n, touch[picked], side[picked], stops[picked], direction)


def order_block_retest(candles: Candles, length: int, break_on: str, direction: str) -> Signals:
    """Enter when price first trades back into an order block after its break (confirmation)
    and closes still on the block's side of it; stop beyond the block."""
    n = len(candles)
    events = order_blocks(candles, length=length, break_on=break_on)
    bullish = events["direction"] == "bullish"
    start = events["confirmed_index"] + 1
    top, bottom = events["top"], events["bottom"]
    touch = np.full(len(events), -1, np.int64)
    touch[bullish] = first_at_or_below(candles.low, start[bullish], top[bullish])
    touch[~bullish] = first_at_or_above(candles.high, start[~bullish], bottom[~bullish])
    close = candles.close[np.maximum(touch, 0)]
    held = np.where(bullish, close > bottom, close < top)
    picked = np.flatnonzero((touch >= 0) & held)
    side = np.where(bullish, 1, -1)
    stops = np.where(bullish, bottom, top)
    return _zone_signals(n, touch[picked], side[picked], stops[picked], direction)


def sweep_reversal(candles: Candles, length: int, atr_length: int, direction: str) -> Signals:
    """Fade a rejected liquidity sweep: short when equal highs are swept and the bar closes
    back below them, long for equal lows; stop beyond the sweeping bar's wick."""
    n = len(candles)
    events = liquidity(candles, length=length, atr_length=atr_length)
    swept = events["swept_index"]
    picked = np.flatnonzero(events["sweep"] == "rejection")
    bars = swept[picked]
    lows = events["type"][picked] == "equal_lows"
    side = np.where(lows, 1, -1)
    stops = np.where(lows, candles.low[bars], candles.high[bars])
    return _zone_signals(n, bars, side, stops, direction)


def scanner_patterns(candles: Candles, kind: str, direction: str) -> Signals:
    """Trade the scanner's patterns (core.patterns) at the bar they are confirmed, in their
    direction, with the scanner's stop (a quarter ATR beyond the zone). Only the causal facts
    of a pattern are used: its status and expiry describe the last bar, so they are not."""
    n = len(candles)
    found = patterns.detect(candles, "1h")
    keep = np.ones(len(found), np.bool_)
    if kind != "all":
        keep = found.kind == patterns.KINDS.index(kind)
    rows = np.flatnonzero(keep)
    rows = rows[np.argsort(found.confirmed_index[rows], kind="stable")]
    return _zone_signals(
        n, found.confirmed_index[rows], found.direction[rows], found.stop[rows], direction
    )


_DIRECTION = ChoiceParam("both", DIRECTIONS)
_SWING_LENGTH = IntParam(2, minimum=1, maximum=50)

STRATEGIES: dict[str, Strategy] = {
    "sma_cross": Strategy(
        "sma_cross",
        "SMA cross",
        {
            "fast": IntParam(10, minimum=2, maximum=1000),
            "slow": IntParam(20, minimum=2, maximum=1000),
            "direction": _DIRECTION,
        },
        sma_cross,
    ),
    "fvg_retrace": Strategy(
        "fvg_retrace",
        "FVG retrace with higher-timeframe structure",
        {
            "htf_minutes": IntParam(240, minimum=1, maximum=10_080),
            "structure_length": _SWING_LENGTH,
            "direction": _DIRECTION,
        },
        fvg_retrace,
        stop="level",
    ),
    "order_block_retest": Strategy(
        "order_block_retest",
        "Order block retest",
        {
            "length": _SWING_LENGTH,
            "break_on": ChoiceParam("close", ("close", "wick")),
            "direction": _DIRECTION,
        },
        order_block_retest,
        stop="level",
    ),
    "sweep_reversal": Strategy(
        "sweep_reversal",
        "Liquidity sweep reversal",
        {
            "length": _SWING_LENGTH,
            "atr_length": IntParam(14, minimum=1, maximum=500),
            "direction": _DIRECTION,
        },
        sweep_reversal,
        stop="level",
    ),
    "scanner_patterns": Strategy(
        "scanner_patterns",
        "Scanner patterns (at confirmation)",
        {"kind": ChoiceParam("all", ("all", *patterns.KINDS)), "direction": _DIRECTION},
        scanner_patterns,
        stop="level",
    ),
}
