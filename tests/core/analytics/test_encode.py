"""Pre-encoded answers (the API's path) equal the record dicts once encoded, byte for byte."""

from __future__ import annotations

import json

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.analytics.builders import START, random_walk, walks
from tradedeck.core.analytics import STUDIES, Events, analyze
from tradedeck.core.analytics.analyze import analyze_json
from tradedeck.core.analytics.encode import array_json, events_json
from tradedeck.json_provider import encode

PARAMS = {"swings": {"length": 2}, "structure": {"length": 2}, "order_blocks": {"length": 2}}


def assert_same(encoded: object, records: object) -> None:
    """Same bytes from the app's encoder, and the same values for a stdlib parser."""
    assert encode(encoded) == encode(records)
    assert json.loads(encode(encoded)) == json.loads(encode(records))


@settings(max_examples=40, deadline=None)
@given(walks)
def test_every_study_equals_the_records_on_random_walks(c):
    names = list(STUDIES)
    assert_same(analyze_json(c, names, PARAMS), analyze(c, names, PARAMS))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 300), first=st.integers(0, 320))
def test_rebased_indexes_equal_records_shifted_by_first(seed, size, first):
    """Windowed answers: indexes count from `first` (negative before it), times stay exact,
    missing outcomes stay null."""
    for name in ("swings", "structure", "gaps", "fvg", "order_blocks", "liquidity"):
        events = STUDIES[name].function(random_walk(seed, size), **PARAMS.get(name, {}))
        expected = events.to_records()
        for record in expected:
            for key in events.columns:
                if events[key].dtype.kind in "iu" and record[key] is not None:
                    record[key] -= first
        assert_same(events_json(events, first), expected)


def handmade(columns: dict[str, np.ndarray]) -> Events:
    size = len(columns["index"])
    return Events("test", {}, columns, START + 60 * np.arange(max(size, 1), dtype=np.int64))


def test_nan_infinities_nulls_and_labels_that_need_escaping():
    events = handmade(
        {
            "kind": np.array(['a"b', "c,d", "ü", "back\\slash", "tab\t", ""]),
            "level": np.array([np.nan, np.inf, -np.inf, 0.1, 1e16, -2.5e-7]),
            "index": np.array([0, 1, 2, 3, 4, 5]),
            "filled_index": np.array([-1, 3, -1, 5, -1, -1]),
            "flag": np.array([True, False, True, False, True, False]),
            "sweep": np.array([None, "break", "rejection", None, 1.5, 7], dtype=object),
        }
    )
    assert_same(events_json(events), events.to_records())
    assert json.loads(encode(events_json(events)))[0]["level"] is None


def test_no_events_and_single_event():
    empty = handmade({"index": np.zeros(0, np.int64), "level": np.zeros(0)})
    assert encode(events_json(empty)) == b"[]"
    one = handmade({"index": np.array([0]), "level": np.array([100.25])})
    assert_same(events_json(one), one.to_records())


def test_prices_keep_their_shortest_text():
    """Floats are written as Python's repr writes them (what the records gave before)."""
    levels = np.array(
        [0.1, 100.00000000000001, 1 / 3, 123456789.123, 5e-324, 1.7976931348623157e308]
    )
    events = handmade({"index": np.arange(levels.size), "level": levels})
    got = json.loads(encode(events_json(events)))
    assert [repr(r["level"]) for r in got] == [repr(v) for v in levels.tolist()]


def test_boolean_arrays_with_nulls_anywhere():
    values = np.array([True, False, True, True, False])
    for missing in ([1, 1, 0, 0, 0], [0, 1, 0, 1, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]):
        mask = np.array(missing, bool)
        expected = [None if m else bool(v) for v, m in zip(values, mask, strict=True)]
        assert orjson.loads(encode(array_json(values, mask))) == expected
    assert encode(array_json(np.zeros(0, bool), np.zeros(0, bool))) == b"[]"


def test_tiny_series_all_warm_up():
    """0-2 bars: indicators all null, previous_hl without a previous period, no events."""
    for size in (0, 1, 2):
        c = random_walk(3, size)
        assert_same(analyze_json(c, list(STUDIES)), analyze(c, list(STUDIES)))


def test_integers_of_every_width_and_sign():
    """Indexes and times are written digit by digit: every width, 8-digit word edges, int64."""
    times = [0, 1, 9, 10, 99, 100, 101, 99_999_999, 100_000_000, 123_456_789_012]
    times += [10**16 - 1, 10**16, 2**63 - 1, -5, -1, -(10**8), -(2**62)]
    events = Events("t", {}, {"index": np.arange(len(times))}, np.array(times, np.int64))
    assert_same(events_json(events), events.to_records())
    assert [r["time"] for r in json.loads(encode(events_json(events)))] == times
