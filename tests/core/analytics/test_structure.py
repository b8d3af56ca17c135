from hypothesis import given, settings

from tradedeck.core.analytics import structure

from . import oracle
from .builders import bars, walks


def around(closes):
    """Bars with high/low half a point around the close."""
    return bars([(c, c + 0.5, c - 0.5, c) for c in closes])


def summary(events):
    return [
        (r["kind"], r["direction"], r["level"], r["swing_index"], r["index"])
        for r in events.to_records()
    ]


def test_bos_then_choch_both_ways():
    c = around([1, 3, 2, 4, 1, 5, 6])
    assert summary(structure(c, 1)) == [
        ("BOS", "bullish", 3.5, 1, 3),
        ("CHoCH", "bearish", 1.5, 2, 4),
        ("CHoCH", "bullish", 4.5, 3, 5),
    ]


def test_swing_confirmed_on_the_breaking_bar_is_used_from_the_next_bar():
    # bar 3 confirms the swing low of bar 2 (level 1.5); bar 3's own close does not test it,
    # and the swing high confirmed at bar 4 (bar 3, 4.5) is not broken by bar 4 itself.
    c = around([1, 3, 2, 4, 1, 5, 6])
    events = structure(c, 1).to_records()
    assert all(r["index"] > r["swing_index"] + 1 for r in events)


def test_a_broken_level_is_not_broken_twice():
    c = around([1, 3, 2, 4, 5, 6, 7])
    assert summary(structure(c, 1)) == [("BOS", "bullish", 3.5, 1, 3)]


def test_wick_break_versus_close_break():
    rows = [(1, 1.5, 0.5, 1), (3, 3.5, 2.5, 3), (2, 2.5, 1.5, 2), (2, 3.7, 1.8, 3)]
    assert structure(bars(rows), 1).to_records() == []
    assert summary(structure(bars(rows), 1, "wick")) == [("BOS", "bullish", 3.5, 1, 3)]


def test_both_breaks_on_one_bar_bullish_first_then_choch():
    rows = [(1.5, 2, 1, 1.5), (2, 3, 1.5, 2), (1, 2.5, 0.8, 1), (2, 2.6, 1.2, 2), (2, 4, 0, 2)]
    assert summary(structure(bars(rows), 1, "wick")) == [
        ("BOS", "bullish", 3.0, 1, 4),
        ("CHoCH", "bearish", 0.8, 2, 4),
    ]
    assert structure(bars(rows), 1).to_records() == []


def test_empty_input():
    assert len(structure(bars([]))) == 0


@settings(max_examples=60, deadline=None)
@given(walks)
def test_equals_oracle_on_random_walks(c):
    for length in (1, 2, 4):
        for break_on in ("close", "wick"):
            assert structure(c, length, break_on).to_records() == oracle.structure(
                c, length, break_on
            )
