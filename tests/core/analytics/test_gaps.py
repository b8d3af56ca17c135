from hypothesis import given, settings

from tradedeck.core.analytics import gaps

from . import oracle
from .builders import bars, walks


def test_up_gap_filled_on_the_next_bar_at_equality():
    c = bars([(10, 11, 9, 10.5), (12, 13, 12, 12.5), (12, 12.5, 11, 11.5)])
    assert gaps(c).to_records() == [
        {
            "direction": "up",
            "top": 12.0,
            "bottom": 11.0,
            "index": 1,
            "time": int(c.time[1]),
            "confirmed_index": 1,
            "confirmed_time": int(c.time[1]),
            "filled_index": 2,
            "filled_time": int(c.time[2]),
        }
    ]


def test_down_gap_open_until_the_high_reaches_the_previous_low():
    c = bars([(10, 11, 9, 10), (8, 8.5, 7, 7.5), (8, 8.9, 7.5, 8.5), (8.5, 9, 8, 8.8)])
    (record,) = gaps(c).to_records()
    assert (record["direction"], record["top"], record["bottom"]) == ("down", 9.0, 8.5)
    assert record["filled_index"] == 3


def test_unfilled_gap_has_null_fill_and_touching_bars_are_no_gap():
    c = bars([(10, 11, 9, 10), (12, 13, 12, 12.5), (13, 14, 13, 13.5), (14, 14, 13, 13)])
    (record,) = gaps(c).to_records()
    assert record["index"] == 1 and record["filled_index"] is None and record["filled_time"] is None


def test_empty_and_single_bar():
    assert len(gaps(bars([]))) == 0
    assert len(gaps(bars([(1, 2, 0, 1)]))) == 0


@settings(max_examples=60, deadline=None)
@given(walks)
def test_equals_oracle_on_random_walks(c):
    assert gaps(c).to_records() == oracle.gaps(c)
