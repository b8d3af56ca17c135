import pytest
from hypothesis import given, settings

from tradedeck.core.analytics import AnalyticsInputError, liquidity

from . import oracle
from .builders import bars, walks

# Highs at bars 1, 3, 5 of 10.0, 10.05, 10.0 with swing length 1; ATR(1) = true range.
ROWS = [
    (9, 9.5, 8.5, 9),
    (9.5, 10.0, 9.0, 9.5),
    (9.2, 9.4, 8.9, 9.1),
    (9.5, 10.05, 9.1, 9.6),
    (9.3, 9.5, 8.95, 9.2),
    (9.6, 10.0, 9.2, 9.7),
    (9.5, 9.6, 9.0, 9.4),
    (9.8, 10.2, 9.5, 9.9),
]


def test_three_equal_highs_give_two_pools_and_a_rejection_sweep():
    records = [
        r for r in liquidity(bars(ROWS), 1, 1, 0.1).to_records() if r["type"] == "equal_highs"
    ]
    assert [(r["index"], r["second_index"], r["confirmed_index"], r["level"]) for r in records] == [
        (1, 3, 4, 10.05),
        (3, 5, 6, 10.05),
    ]
    assert [(r["swept_index"], r["sweep"]) for r in records] == [(7, "rejection"), (7, "rejection")]


def test_pools_need_levels_within_tolerance_of_atr():
    assert not [
        r for r in liquidity(bars(ROWS), 1, 1, 0.05).to_records() if r["type"] == "equal_highs"
    ]


def test_no_pool_while_atr_is_null():
    # ATR(7) first exists at bar 7: the high pools (confirmed at 4 and 6) are not formed
    records = liquidity(bars(ROWS), 1, 7, 100.0).to_records()
    assert [(r["type"], r["confirmed_index"]) for r in records] == [("equal_lows", 7)]


def test_break_sweep_closes_beyond_and_unswept_is_null():
    rows = [*ROWS[:7], (9.8, 10.4, 9.5, 10.3)]
    records = liquidity(bars(rows), 1, 1, 0.1).to_records()
    assert {r["sweep"] for r in records if r["type"] == "equal_highs"} == {"break"}
    records = liquidity(bars(ROWS[:7]), 1, 1, 0.1).to_records()
    assert {(r["swept_index"], r["sweep"]) for r in records if r["type"] == "equal_highs"} == {
        (None, None)
    }


@pytest.mark.parametrize(
    ("name", "value"), [("tolerance", -0.1), ("atr_length", 0), ("length", "x")]
)
def test_bad_parameters(name, value):
    with pytest.raises(AnalyticsInputError) as error:
        liquidity(bars(ROWS), **{name: value})
    assert error.value.field == f"liquidity.{name}"


@settings(max_examples=60, deadline=None)
@given(walks)
def test_equals_oracle_on_random_walks(c):
    for length, atr_length, tolerance in ((1, 3, 0.2), (2, 14, 0.1), (3, 5, 0.0)):
        assert liquidity(c, length, atr_length, tolerance).to_records() == oracle.liquidity(
            c, length, atr_length, tolerance
        )
