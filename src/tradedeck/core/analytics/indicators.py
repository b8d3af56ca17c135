"""SMA, EMA, RSI, ATR, MACD and Bollinger bands, equal to TA-Lib's defaults.

Each is a recurrence (running sums, exponential and Wilder smoothing), so they are compiled
loops that follow TA-Lib's own order of floating-point operations: that is what keeps the
results within 1e-9 of TA-Lib (0.8) even on long series where running sums drift.
Values before the first valid index are NaN (null in JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numba import njit

from .candles import Candles, to_arrays
from .errors import AnalyticsInputError
from .params import FloatParam, IntParam, resolve

SMA_PARAMS = {"length": IntParam(30, minimum=2)}
EMA_PARAMS = {"length": IntParam(30, minimum=2)}
RSI_PARAMS = {"length": IntParam(14, minimum=2)}
ATR_PARAMS = {"length": IntParam(14)}
MACD_PARAMS = {
    "fast": IntParam(12, minimum=2),
    "slow": IntParam(26, minimum=2),
    "signal": IntParam(9),
}
BOLLINGER_PARAMS = {"length": IntParam(20, minimum=2), "deviations": FloatParam(2.0)}


class Macd(NamedTuple):
    macd: np.ndarray
    signal: np.ndarray
    hist: np.ndarray


class Bollinger(NamedTuple):
    upper: np.ndarray
    middle: np.ndarray
    lower: np.ndarray


@njit(cache=True)
def _sma(values: np.ndarray, length: int) -> np.ndarray:
    out = np.full(values.size, np.nan)
    if values.size < length:
        return out
    total = 0.0
    for i in range(length - 1):
        total += values[i]
    for i in range(length - 1, values.size):
        total += values[i]
        out[i] = total / length
        total -= values[i - length + 1]
    return out


@njit(cache=True)
def _ema_from(values: np.ndarray, start: int, length: int, seed_start: int) -> np.ndarray:
    """EMA whose first value, at `start`, is the mean of values[seed_start..start]."""
    out = np.full(values.size, np.nan)
    if start >= values.size:
        return out
    k = 2.0 / (length + 1)
    total = 0.0
    for i in range(seed_start, start + 1):
        total += values[i]
    previous = total / length
    out[start] = previous
    for i in range(start + 1, values.size):
        previous = (values[i] - previous) * k + previous
        out[i] = previous
    return out


@njit(cache=True)
def _rsi(close: np.ndarray, length: int) -> np.ndarray:
    out = np.full(close.size, np.nan)
    if close.size <= length:
        return out
    gain = 0.0
    loss = 0.0
    for i in range(1, length + 1):
        change = close[i] - close[i - 1]
        if change < 0:
            loss -= change
        else:
            gain += change
    gain /= length
    loss /= length
    out[length] = 100.0 * (gain / (gain + loss)) if gain + loss != 0 else 0.0
    for i in range(length + 1, close.size):
        change = close[i] - close[i - 1]
        loss *= length - 1
        gain *= length - 1
        if change < 0:
            loss -= change
        else:
            gain += change
        loss /= length
        gain /= length
        out[i] = 100.0 * (gain / (gain + loss)) if gain + loss != 0 else 0.0
    return out


@njit(cache=True)
def _atr(high: np.ndarray, low: np.ndarray, close: np.ndarray, length: int) -> np.ndarray:
    out = np.full(close.size, np.nan)
    if close.size <= length:
        return out
    true_range = np.empty(close.size)
    true_range[0] = np.nan
    for i in range(1, close.size):
        true_range[i] = max(
            high[i] - low[i], abs(close[i - 1] - high[i]), abs(close[i - 1] - low[i])
        )
    total = 0.0
    for i in range(1, length + 1):
        total += true_range[i]
    average = total / length
    out[length] = average
    for i in range(length + 1, close.size):
        average *= length - 1
        average += true_range[i]
        average /= length
        out[i] = average
    return out


@njit(cache=True)
def _stddev(values: np.ndarray, mean: np.ndarray, length: int) -> np.ndarray:
    """Population deviation around the window's mean, summed per window (as TA-Lib 0.8 does):
    a running sum of squares would lose digits to cancellation on long series."""
    out = np.full(values.size, np.nan)
    for i in range(length - 1, values.size):
        total = 0.0
        for j in range(i - length + 1, i + 1):
            deviation = values[j] - mean[i]
            total += deviation * deviation
        out[i] = np.sqrt(total / length)
    return out


def _source(data: Any) -> np.ndarray:
    """Candle closes, or the given 1-D series itself (a Series, array or list of numbers)."""
    if isinstance(data, Candles | pd.DataFrame | Mapping) or (
        isinstance(data, list) and data and isinstance(data[0], Mapping)
    ):
        return to_arrays(data).close
    try:
        values = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise AnalyticsInputError("values must be numbers", "values") from None
    if values.ndim != 1 or not np.isfinite(values).all():
        raise AnalyticsInputError("values must be a 1-D series of finite numbers", "values")
    return values


def sma(data: Any, length: int = 30) -> np.ndarray:
    """Simple moving average of a series (or of candle closes); first value at length-1."""
    p = resolve("sma", SMA_PARAMS, {"length": length})
    return _sma(_source(data), p["length"])


def ema(data: Any, length: int = 30) -> np.ndarray:
    """EMA with k = 2/(length+1), seeded at length-1 with the SMA of the first values."""
    p = resolve("ema", EMA_PARAMS, {"length": length})
    n = p["length"]
    return _ema_from(_source(data), n - 1, n, 0)


def rsi(data: Any, length: int = 14) -> np.ndarray:
    """Wilder's RSI of a series (or of candle closes); first value at `length`."""
    p = resolve("rsi", RSI_PARAMS, {"length": length})
    return _rsi(_source(data), p["length"])


def atr(candles: Any, length: int = 14) -> np.ndarray:
    """Wilder's average true range; first value at `length`."""
    p = resolve("atr", ATR_PARAMS, {"length": length})
    return atr_of(to_arrays(candles), p["length"])


def atr_of(candles: Candles, length: int) -> np.ndarray:
    """ATR of already validated candles and length, for studies built on it."""
    return _atr(candles.high, candles.low, candles.close, length)


def macd(data: Any, fast: int = 12, slow: int = 26, signal: int = 9) -> Macd:
    """MACD line, signal and histogram as TA-Lib computes them.

    TA-Lib starts both EMAs on the slow EMA's first bar, seeding the fast one with the mean of
    the `fast` values ending there, and seeds the signal EMA on the first `signal` MACD values.
    """
    p = resolve("macd", MACD_PARAMS, {"fast": fast, "slow": slow, "signal": signal})
    fast, slow = sorted((p["fast"], p["slow"]))
    signal = p["signal"]
    values = _source(data)
    start = slow - 1
    nan = np.full(values.size, np.nan)
    if values.size <= start + signal - 1:
        return Macd(nan, nan.copy(), nan.copy())
    line = _ema_from(values, start, fast, start - fast + 1) - _ema_from(values, start, slow, 0)
    first = start + signal - 1
    signal_line = _ema_from(line, first, signal, start)
    line[:first] = np.nan
    return Macd(line, signal_line, line - signal_line)


def bollinger(data: Any, length: int = 20, deviations: float = 2.0) -> Bollinger:
    """SMA middle band plus/minus `deviations` population standard deviations."""
    p = resolve("bollinger", BOLLINGER_PARAMS, {"length": length, "deviations": deviations})
    values = _source(data)
    middle = _sma(values, p["length"])
    spread = _stddev(values, middle, p["length"]) * p["deviations"]
    return Bollinger(middle + spread, middle, middle - spread)
