import numpy as np
import pytest

from tradedeck.core.analytics import (
    AnalyticsInputError,
    on_higher_timeframe,
    resample,
    rsi,
    swings,
    to_arrays,
)

from .builders import random_walk

QUARTER = 900
FOUR_HOURS = 4 * 3600


def quarter_hours(size, seed=3):
    c = random_walk(seed, size)
    return to_arrays(
        {
            "time": 1_700_006_400 + QUARTER * np.arange(size),
            "open": c.open,
            "high": c.high,
            "low": c.low,
            "close": c.close,
            "volume": c.volume,
        }
    )


def test_resample_aggregates_ohlcv_per_bucket():
    c = to_arrays(
        {
            "time": [0, 60, 120, 180, 300],
            "open": [1, 2, 3, 4, 5],
            "high": [2, 5, 4, 5, 6],
            "low": [0.5, 1, 2, 3, 4],
            "close": [1.5, 3, 3.5, 4.5, 5.5],
            "volume": [1, 2, 3, 4, 5],
        }
    )
    h = resample(c, 120)
    assert h.time.tolist() == [0, 120, 240]
    assert h.open.tolist() == [1, 3, 5] and h.close.tolist() == [3, 4.5, 5.5]
    assert h.high.tolist() == [5, 5, 6] and h.low.tolist() == [0.5, 2, 4]
    assert h.volume.tolist() == [3, 7, 5]


def test_higher_events_usable_only_after_the_confirming_higher_bar_closes():
    c = quarter_hours(2000)
    higher = resample(c, FOUR_HOURS)
    expected = swings(higher, 2).to_records()
    mapped = on_higher_timeframe(c, "swings", FOUR_HOURS, {"length": 2}).to_records()
    assert mapped and len(mapped) <= len(expected)
    for event, original in zip(mapped, expected, strict=False):
        higher_close = original["confirmed_time"] + FOUR_HOURS
        usable = event["confirmed_index"]
        assert c.time[usable] + QUARTER >= higher_close > c.time[usable - 1] + QUARTER
        assert event["time"] == original["time"] and event["level"] == original["level"]


def test_events_of_a_still_open_higher_bar_are_left_out():
    c = quarter_hours(2000)
    full = on_higher_timeframe(c, "swings", FOUR_HOURS).to_records()
    cut = on_higher_timeframe(c.slice(1990), "swings", FOUR_HOURS, lower_seconds=QUARTER)
    assert all(r["confirmed_index"] < 1990 for r in cut.to_records())
    assert cut.to_records() == [r for r in full if r["confirmed_index"] < 1990]


def test_indicator_values_come_from_the_last_closed_higher_bar():
    c = quarter_hours(1000)
    values = on_higher_timeframe(c, "rsi", FOUR_HOURS, {"length": 5})
    higher_values = rsi(resample(c, FOUR_HOURS), 5)
    bar = 500
    closed = np.flatnonzero(resample(c, FOUR_HOURS).time + FOUR_HOURS <= c.time[bar] + QUARTER)
    assert values[bar] == higher_values[closed[-1]]
    assert np.isnan(values[:16]).all()


def test_bad_interval():
    with pytest.raises(AnalyticsInputError):
        resample(quarter_hours(10), 0)
