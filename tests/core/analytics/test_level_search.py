import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradedeck.core.analytics.level_search import (
    first_above,
    first_at_or_above,
    first_at_or_below,
    first_below,
)


def brute(values, start, test):
    return next((j for j in range(max(start, 0), len(values)) if test(values[j])), -1)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 6), max_size=70),
    st.lists(st.tuples(st.integers(-1, 75), st.integers(-1, 7)), max_size=20),
)
def test_equals_a_forward_scan(values, queries):
    v = np.array(values, np.float64)
    starts = np.array([q[0] for q in queries], np.int64)
    levels = np.array([q[1] for q in queries], np.float64)
    cases = [
        (first_below, lambda x, lv: x < lv),
        (first_at_or_below, lambda x, lv: x <= lv),
        (first_above, lambda x, lv: x > lv),
        (first_at_or_above, lambda x, lv: x >= lv),
    ]
    for search, test in cases:
        found = search(v, starts, levels).tolist()
        assert found == [
            brute(v, s, lambda x, lv=lv, t=test: t(x, lv)) if s >= 0 else -1
            for s, lv in zip(starts.tolist(), levels.tolist(), strict=True)
        ]
