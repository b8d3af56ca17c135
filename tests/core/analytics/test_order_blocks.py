from hypothesis import given, settings

from tradedeck.core.analytics import order_blocks

from . import oracle
from .builders import bars, walks


def around(closes):
    return bars(
        [(c, c + 0.5, c - 0.5, c) for c in closes],
        volume=[1, 2, 3, 4, 5, 6, 7, 8, 9][: len(closes)],
    )


def test_one_block_per_break_from_the_bars_between_swing_and_break():
    records = order_blocks(around([1, 3, 2, 4, 1, 5, 6]), 1).to_records()
    assert [
        (r["direction"], r["kind"], r["index"], r["swing_index"], r["break_index"]) for r in records
    ] == [
        ("bullish", "BOS", 2, 1, 3),
        ("bearish", "CHoCH", 3, 2, 4),
        ("bullish", "CHoCH", 4, 3, 5),
    ]
    first = records[0]
    assert (first["top"], first["bottom"], first["volume"]) == (2.5, 1.5, 4 + 3 + 2)
    assert first["confirmed_index"] == first["break_index"] == 3


def test_lowest_low_last_on_ties_and_breaker_then_invalidation():
    rows = [
        (1, 1.5, 0.5, 1),
        (3, 3.5, 2.5, 3),
        (2, 2.5, 1.0, 2),
        (2.2, 2.6, 1.0, 2.2),
        (2.4, 2.8, 1.8, 2.4),
        (4, 4.5, 3.5, 4),
        (1, 1.2, 0.9, 1),
        (2, 2.7, 1.5, 2),
    ]
    (block, *_) = order_blocks(bars(rows), 1).to_records()
    assert (block["direction"], block["index"], block["swing_index"], block["break_index"]) == (
        "bullish",
        3,
        1,
        5,
    )
    assert (block["top"], block["bottom"]) == (2.6, 1.0)
    assert block["mitigated_index"] == 6 and block["invalidated_index"] == 7


def test_no_block_when_break_is_right_after_the_swing():
    rows = [(1, 1.5, 0.5, 1), (3, 3.5, 2.5, 3), (3.6, 4, 3.2, 3.8)]
    assert len(order_blocks(bars(rows), 1, "wick")) == 0


def test_empty_input():
    assert len(order_blocks(bars([]))) == 0


@settings(max_examples=60, deadline=None)
@given(walks)
def test_equals_oracle_on_random_walks(c):
    for length in (1, 2, 3):
        for break_on in ("close", "wick"):
            assert order_blocks(c, length, break_on).to_records() == oracle.order_blocks(
                c, length, break_on
            )
