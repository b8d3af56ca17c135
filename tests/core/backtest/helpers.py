"""Hand-written bars and signals for the backtest tests."""

from __future__ import annotations

import numpy as np

from tradedeck.core.analytics import Candles, to_arrays
from tradedeck.core.backtest import Result, Settings, Signals, simulate

START = 1_700_000_000
DAY = 86_400


def bars(rows: list[tuple[float, float, float, float]], step: int = DAY) -> Candles:
    """Candles from (open, high, low, close) rows, one `step` apart."""
    o, h, lo, c = (np.array(col, np.float64) for col in zip(*rows, strict=True))
    return to_arrays(
        {"time": START + step * np.arange(len(rows)), "open": o, "high": h, "low": lo, "close": c}
    )


def flat(price: float, size: int) -> list[tuple[float, float, float, float]]:
    return [(price, price, price, price)] * size


def signals(
    size: int,
    entries: dict[int, int],
    exits: tuple[int, ...] = (),
    stops: dict[int, float] | None = None,
) -> Signals:
    entry = np.zeros(size, np.int64)
    for bar, side in entries.items():
        entry[bar] = side
    exit_ = np.zeros(size, np.bool_)
    exit_[list(exits)] = True
    level = np.full(size, np.nan)
    for bar, price in (stops or {}).items():
        level[bar] = price
    return Signals(entry, exit_, level)


def simulate_rows(
    rows: list[tuple[float, float, float, float]],
    entries: dict[int, int],
    exits: tuple[int, ...] = (),
    stops: dict[int, float] | None = None,
    atr: np.ndarray | None = None,
    **settings: object,
) -> Result:
    c = bars(rows)
    return simulate(
        c.open,
        c.high,
        c.low,
        c.close,
        signals(len(rows), entries, exits, stops),
        Settings(**settings),
        atr,
    )


def only_trade(result: Result) -> dict[str, float]:
    """The single closed trade as plain numbers."""
    t = result.trades
    assert len(t) == 1
    return {
        "size": float(t.size[0]),
        "entry_bar": int(t.entry_bar[0]),
        "exit_bar": int(t.exit_bar[0]),
        "entry": float(t.entry_price[0]),
        "exit": float(t.exit_price[0]),
        "reason": int(t.reason[0]),
        "commission": float(t.commission[0]),
    }


def random_walk(seed: int, size: int, step: int = 3600) -> Candles:
    """A random walk with gaps between bars (so FVGs, blocks and sweeps occur)."""
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, size)))
    open_ = np.concatenate(([100.0], close[:-1])) * np.exp(rng.normal(0, 0.003, size))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.004, size)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.004, size)))
    return to_arrays(
        {
            "time": START + step * np.arange(size),
            "open": open_,
            "high": high,
            "low": low,
            "close": close,
            "volume": rng.random(size) * 100,
        }
    )


def perturbed_after(candles: Candles, cut: int, seed: int) -> Candles:
    """The same bars up to `cut - 1`, different bars from `cut` on."""
    other = random_walk(seed, len(candles))
    scale = candles.close[cut - 1] / other.open[cut]
    columns = {}
    for name in ("open", "high", "low", "close"):
        values = getattr(candles, name).copy()
        values[cut:] = getattr(other, name)[cut:] * scale
        columns[name] = values
    columns["time"] = candles.time
    columns["volume"] = candles.volume
    return to_arrays(columns)
