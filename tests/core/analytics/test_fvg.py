import pytest
from hypothesis import given, settings

from tradedeck.core.analytics import AnalyticsInputError, fvg

from . import oracle
from .builders import bars, walks

BULLISH = [(10, 11, 9, 10.5), (10.5, 14, 10.5, 13.5), (13, 15, 12, 14.5)]


def fields(events, *names):
    return [tuple(r[n] for n in names) for r in events.to_records()]


def test_bullish_fvg_zone_and_confirmation():
    (r,) = fvg(bars(BULLISH)).to_records()
    assert (r["direction"], r["top"], r["bottom"], r["index"], r["confirmed_index"]) == (
        "bullish",
        12.0,
        11.0,
        1,
        2,
    )
    assert r["mitigated_index"] is None and r["filled_index"] is None


def test_bearish_fvg_zone():
    rows = [(10, 11, 9, 9.5), (9.5, 9.5, 6, 6.5), (7, 8, 5, 6)]
    assert fields(fvg(bars(rows)), "direction", "top", "bottom") == [("bearish", 9.0, 8.0)]


def test_doji_middle_bar_is_never_an_fvg():
    rows = [*BULLISH]
    rows[1] = (12, 14, 10.5, 12)
    assert len(fvg(bars(rows))) == 0


def test_mitigation_touches_fill_trades_through_and_start_two_bars_after():
    rows = [*BULLISH, (14, 15, 12.0, 14), (14, 15, 11.5, 12), (12, 13, 11.0, 12)]
    assert fields(fvg(bars(rows)), "mitigated_index", "filled_index") == [(3, 5)]


def test_min_size_drops_small_gaps():
    assert len(fvg(bars(BULLISH), min_size=1.0)) == 1
    assert len(fvg(bars(BULLISH), min_size=1.5)) == 0


def test_join_merges_adjacent_same_direction_gaps_on_the_last_bar():
    rows = [
        (10, 11, 9, 10.5),
        (10.5, 14, 10.5, 13.5),
        (13, 16, 12, 15.5),
        (15.5, 18, 15, 17),
        (17, 17.5, 16, 16.2),
        (16, 16.5, 14, 15),
    ]
    assert fields(fvg(bars(rows)), "index", "top", "bottom") == [(1, 12.0, 11.0), (2, 15.0, 14.0)]
    (r,) = fvg(bars(rows), join_consecutive=True).to_records()
    assert (r["index"], r["top"], r["bottom"]) == (2, 15.0, 11.0)
    # bar 3 is bullish too, so only bar 4 (no gap above bar 2) shows the run has ended
    assert r["confirmed_index"] == 4
    assert r["mitigated_index"] == 5 and r["filled_index"] is None


def test_join_confirms_on_the_next_bar_when_its_body_turns():
    rows = [(10, 11, 9, 10.5), (10.5, 14, 10.5, 13.5), (13, 15, 12, 12.5), (12.5, 13, 11.5, 12)]
    (r,) = fvg(bars(rows), join_consecutive=True).to_records()
    assert (r["index"], r["confirmed_index"]) == (1, 2)


def test_join_drops_a_run_whose_end_is_not_known_yet():
    assert len(fvg(bars(BULLISH), join_consecutive=True)) == 0


def test_bad_min_size():
    with pytest.raises(AnalyticsInputError) as error:
        fvg(bars(BULLISH), min_size=-1)
    assert error.value.field == "fvg.min_size"


def test_empty_and_short():
    assert len(fvg(bars([]))) == 0
    assert len(fvg(bars(BULLISH[:2]))) == 0


@settings(max_examples=60, deadline=None)
@given(walks)
def test_equals_oracle_on_random_walks(c):
    for join in (False, True):
        for min_size in (0.0, 0.5):
            assert fvg(c, join, min_size).to_records() == oracle.fvg(c, join, min_size)
