import json

import pandas as pd
import pytest

from tradedeck.core.analytics import STUDIES, AnalyticsInputError, analyze, fvg, rsi

from .builders import random_walk


def frame(size=300):
    c = random_walk(5, size)
    return pd.DataFrame(
        {
            "time": c.time,
            "open": c.open,
            "high": c.high,
            "low": c.low,
            "close": c.close,
            "volume": c.volume,
        }
    ), c


def test_every_study_json_ready_and_equal_to_the_study_function():
    data, c = frame()
    answer = analyze(data, list(STUDIES), {"swings": {"length": "3"}})
    assert list(answer) == list(STUDIES)
    json.dumps(answer, allow_nan=False)
    assert answer["swings"]["params"] == {"length": 3}
    assert answer["fvg"] == {
        "study": "fvg",
        "params": {"join_consecutive": False, "min_size": 0.0},
        "events": fvg(c).to_records(),
    }
    values = answer["rsi"]["values"]
    assert values[:14] == [None] * 14 and values[14:] == rsi(c.close)[14:].tolist()
    assert set(answer["macd"]["values"]) == {"macd", "signal", "hist"}
    assert set(answer["bollinger"]["values"]) == {"upper", "middle", "lower"}
    assert set(answer["previous_hl"]["values"]) == {
        "previous_high",
        "previous_low",
        "broken_high",
        "broken_low",
    }
    for study in ("swings", "structure", "gaps", "fvg", "order_blocks", "liquidity"):
        order = [(e["confirmed_index"], e["index"]) for e in answer[study]["events"]]
        assert order == sorted(order)


def test_comma_string_and_aliases():
    data, _ = frame(50)
    answer = analyze(data, "bos, ob,swings")
    assert list(answer) == ["bos", "ob", "swings"]
    assert answer["bos"]["study"] == "structure" and answer["ob"]["study"] == "order_blocks"


@pytest.mark.parametrize(
    ("studies", "params", "field"),
    [
        ("nope", None, "studies"),
        ("swings", {"swings": {"length": 0}}, "swings.length"),
        ("swings", {"swings": {"width": 2}}, "swings.width"),
        ("structure", {"structure": {"break_on": "body"}}, "structure.break_on"),
        ("fvg", {"fvg": {"join_consecutive": "maybe"}}, "fvg.join_consecutive"),
        ("liquidity", {"liquidity": {"tolerance": "nan"}}, "liquidity.tolerance"),
        ("rsi", {"swings": {"length": 2}}, "params.swings"),
        ("rsi", {"rsi": 14}, "params.rsi"),
    ],
)
def test_bad_studies_and_parameters_name_the_field(studies, params, field):
    data, _ = frame(50)
    with pytest.raises(AnalyticsInputError) as error:
        analyze(data, studies, params)
    assert error.value.field == field


def test_empty_candles_give_empty_results():
    answer = analyze([], list(STUDIES))
    assert answer["swings"]["events"] == [] and answer["rsi"]["values"] == []
