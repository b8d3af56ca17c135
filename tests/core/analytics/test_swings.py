from hypothesis import given, settings

from tradedeck.core.analytics import swings

from . import oracle
from .builders import bars, highs_lows, walks


def kinds(events):
    return [(r["type"], r["index"], r["level"], r["confirmed_index"]) for r in events.to_records()]


def test_peak_and_trough_confirmed_length_bars_later():
    c = highs_lows([1, 2, 5, 2, 1, 2, 3], [0, 1, 4, 1, 0, 1, 2])
    assert kinds(swings(c, 2)) == [("high", 2, 5.0, 4), ("low", 4, 0.0, 6)]
    assert kinds(swings(c, 1)) == [("high", 2, 5.0, 3), ("low", 4, 0.0, 5)]


def test_flat_top_gives_its_first_bar_only():
    c = highs_lows([1, 2, 5, 5, 2, 1], [0, 0.5, 1, 1, 0.5, 0])
    assert [r["index"] for r in swings(c, 2).to_records() if r["type"] == "high"] == [2]


def test_outside_bar_is_both_high_and_low_high_first():
    c = highs_lows([2, 2, 9, 2, 2], [1, 1, -5, 1, 1])
    assert kinds(swings(c, 2)) == [("high", 2, 9.0, 4), ("low", 2, -5.0, 4)]


def test_only_bars_with_length_neighbours_on_both_sides():
    c = highs_lows([9, 1, 2, 1, 9], [0, 0, 0, 0, 0])
    assert [r["index"] for r in swings(c, 2).to_records()] == []
    assert [r["index"] for r in swings(c, 1).to_records() if r["type"] == "high"] == [2]


def test_empty_and_too_short_inputs_have_no_swings():
    assert len(swings(bars([]), 2)) == 0
    assert len(swings(highs_lows([1, 3, 1, 2], [0, 0, 0, 0]), 2)) == 0


def test_records_carry_times():
    c = highs_lows([1, 3, 1], [0, 0, 0])
    record = swings(c, 1).to_records()[0]
    assert record["time"] == int(c.time[1]) and record["confirmed_time"] == int(c.time[2])


@settings(max_examples=60, deadline=None)
@given(walks)
def test_equals_oracle_on_random_walks(c):
    for length in (1, 2, 3, 5):
        assert swings(c, length).to_records() == oracle.swings(c, length)
