import numpy as np
from hypothesis import given, settings

from tradedeck.core.analytics import previous_hl, to_arrays

from . import oracle
from .builders import walks

DAY = 86_400
MONDAY = 1_699_833_600  # 2023-11-13 00:00 UTC


def candles(times, highs, lows):
    return to_arrays({"time": times, "open": lows, "high": highs, "low": lows, "close": highs})


def test_previous_day_high_low_and_break_flags():
    times = [MONDAY, MONDAY + 3600, MONDAY + DAY, MONDAY + DAY + 3600, MONDAY + DAY + 7200]
    result = previous_hl(candles(times, [5, 6, 5.5, 6.5, 6.0], [1, 2, 1.5, 0.5, 1]), "day")
    assert result.to_json() == {
        "previous_high": [None, None, 6.0, 6.0, 6.0],
        "previous_low": [None, None, 1.0, 1.0, 1.0],
        "broken_high": [None, None, False, True, True],
        "broken_low": [None, None, False, True, True],
    }


def test_weeks_start_on_monday_and_missing_weekend_is_skipped():
    sunday, next_monday = MONDAY + 6 * DAY, MONDAY + 7 * DAY
    result = previous_hl(candles([MONDAY, sunday, next_monday], [3, 4, 2], [1, 1, 0.5]), "week")
    assert np.isnan(result.previous_high[1]) and result.previous_high[2] == 4.0


def test_month_boundary():
    dec_31, jan_1 = 1_704_067_200 - 3600, 1_704_067_200
    result = previous_hl(candles([dec_31, jan_1], [3, 2], [1, 1]), "month")
    assert result.previous_high.tolist()[1] == 3.0


def test_empty():
    assert previous_hl(candles([], [], []), "week").previous_high.size == 0


@settings(max_examples=40, deadline=None)
@given(walks)
def test_equals_oracle_on_random_walks(c):
    for period in ("day", "week", "month"):
        assert previous_hl(c, period).to_json() == oracle.previous_hl(c, period)
