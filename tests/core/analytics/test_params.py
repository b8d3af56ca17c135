import pytest

from tradedeck.core.analytics import AnalyticsInputError
from tradedeck.core.analytics.params import BoolParam, ChoiceParam, FloatParam, IntParam, resolve

DECLARED = {
    "n": IntParam(2),
    "x": FloatParam(0.5),
    "mode": ChoiceParam("a", ("a", "b")),
    "on": BoolParam(False),
}


def test_defaults_and_string_values_from_a_query():
    assert resolve("s", DECLARED, {}) == {"n": 2, "x": 0.5, "mode": "a", "on": False}
    assert resolve("s", DECLARED, {"n": "5", "x": "0.25", "mode": "b", "on": "true"}) == {
        "n": 5,
        "x": 0.25,
        "mode": "b",
        "on": True,
    }
    assert resolve("s", DECLARED, {"n": 3.0})["n"] == 3


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        ({"n": 0}, "s.n", "between 1 and"),
        ({"n": 2.5}, "s.n", "whole number"),
        ({"n": True}, "s.n", "whole number"),
        ({"x": -1}, "s.x", "finite number"),
        ({"x": "inf"}, "s.x", "finite number"),
        ({"x": None}, "s.x", "a number"),
        ({"mode": "c"}, "s.mode", "one of a, b"),
        ({"on": "perhaps"}, "s.on", "true or false"),
        ({"other": 1}, "s.other", "unknown parameter 'other' for s"),
    ],
)
def test_invalid_values_name_the_field(given, field, words):
    with pytest.raises(AnalyticsInputError) as error:
        resolve("s", DECLARED, given)
    assert error.value.field == field and words in str(error.value)
    assert isinstance(error.value, ValueError)
