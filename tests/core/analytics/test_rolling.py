import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradedeck.core.analytics.rolling import window_max


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-5, 5), max_size=60), st.integers(1, 8))
def test_equals_max_of_each_window(values, width):
    v = np.array(values, np.float64)
    expected = [max(values[i : i + width]) for i in range(len(values) - width + 1)]
    assert window_max(v, width).tolist() == expected
