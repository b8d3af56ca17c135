import numpy as np
import pandas as pd
import pytest
import talib
from hypothesis import given, settings
from hypothesis import strategies as st

from tradedeck.core.analytics import AnalyticsInputError, atr, bollinger, ema, macd, rsi, sma

from .builders import random_walk


def same(ours, theirs):
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    assert np.allclose(ours, theirs, rtol=0, atol=1e-9, equal_nan=True)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 400), st.integers(2, 40))
def test_equal_to_talib_including_nan_pattern(seed, size, length):
    c = random_walk(seed, size)
    close = c.close
    same(sma(close, length), talib.SMA(close, length))
    same(rsi(close, length), talib.RSI(close, length))
    same(atr(c, length), talib.ATR(c.high, c.low, close, length))
    same(atr(c, length - 1), talib.ATR(c.high, c.low, close, length - 1))
    same(ema(close, length), talib.EMA(close, length))
    for ours, theirs in zip(
        bollinger(close, length), talib.BBANDS(close, length, 2, 2), strict=True
    ):
        same(ours, theirs)


def test_defaults_equal_talib_on_a_long_series():
    c = random_walk(7, 20_000, 0.01)
    close = c.close
    same(sma(close), talib.SMA(close))
    same(ema(close), talib.EMA(close))
    same(rsi(close), talib.RSI(close))
    same(atr(c), talib.ATR(c.high, c.low, close))
    for ours, theirs in zip(macd(close), talib.MACD(close), strict=True):
        same(ours, theirs)
    for ours, theirs in zip(bollinger(close), talib.BBANDS(close), strict=True):
        same(ours, theirs)
    for ours, theirs in zip(macd(close, 5, 13, 4), talib.MACD(close, 5, 13, 4), strict=True):
        same(ours, theirs)


def test_first_valid_indexes():
    values = np.arange(1.0, 41.0)
    assert np.isnan(sma(values, 5)[:4]).all() and sma(values, 5)[4] == 3.0
    assert ema(values, 5)[4] == 3.0 and ema(values, 5)[5] == 4.0
    assert np.isnan(rsi(values, 14)[13]) and rsi(values, 14)[14] == 100.0


def test_rsi_is_zero_on_a_flat_series():
    assert rsi(np.full(20, 5.0), 14)[14:].tolist() == [0.0] * 6


def test_candles_and_series_inputs():
    c = random_walk(1, 100)
    frame = pd.DataFrame(
        {"time": c.time, "open": c.open, "high": c.high, "low": c.low, "close": c.close}
    )
    same(rsi(frame), rsi(c.close))
    same(rsi(frame["close"]), rsi(c.close.tolist()))


def test_shorter_than_lookback_is_all_null():
    assert np.isnan(rsi(np.arange(14.0))).all()
    assert all(np.isnan(line).all() for line in macd(np.arange(33.0)))
    assert rsi(np.zeros(0)).size == 0


@pytest.mark.parametrize("length", [1, 0, -1, 1.5, "abc", True])
def test_bad_length(length):
    with pytest.raises(AnalyticsInputError) as error:
        sma(np.arange(10.0), length)
    assert error.value.field == "sma.length"


def test_non_finite_series():
    with pytest.raises(AnalyticsInputError):
        sma([1.0, float("nan"), 2.0], 2)
