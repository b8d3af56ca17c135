import numpy as np
import pandas as pd
import pytest

from tradedeck.core.analytics import MAX_CANDLES, AnalyticsInputError, Candles, to_arrays

ROW = {"time": 1_700_000_000, "open": 1, "high": 2, "low": 0.5, "close": 1.5, "volume": 3}


def rows(count=3, **changes):
    data = [dict(ROW, time=ROW["time"] + 60 * i) for i in range(count)]
    for key, (index, value) in changes.items():
        data[index][key] = value
    return data


def error_of(data, **kwargs):
    with pytest.raises(AnalyticsInputError) as error:
        to_arrays(data, **kwargs)
    return error.value


def test_records_mapping_and_frame_agree():
    c = to_arrays(rows())
    assert isinstance(c, Candles) and len(c) == 3 and c.time.dtype == np.int64
    mapping = {key: [r[key] for r in rows()] for key in ROW}
    frame = pd.DataFrame(rows())
    for other in (to_arrays(mapping), to_arrays(frame)):
        assert all(np.array_equal(getattr(c, k), getattr(other, k)) for k in ROW)


def test_iso_strings_and_datetime_index_parse_as_utc_epoch():
    data = rows(2)
    data[0]["time"], data[1]["time"] = "2023-11-14T22:13:20Z", "2023-11-14T23:14:20+01:00"
    assert to_arrays(data).time.tolist() == [1_700_000_000, 1_700_000_060]
    data[1]["time"] = "2023-11-14T22:14:20"
    assert to_arrays(data).time.tolist() == [1_700_000_000, 1_700_000_060]
    frame = pd.DataFrame(rows(2)).drop(columns="time")
    frame.index = pd.to_datetime(["2023-11-14 22:13:20", "2023-11-14 22:14:20"])
    assert to_arrays(frame).time.tolist() == [1_700_000_000, 1_700_000_060]


def test_volume_is_optional():
    data = [{k: v for k, v in r.items() if k != "volume"} for r in rows()]
    assert to_arrays(data).volume.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (rows(close=(1, float("nan"))), "close", "NaN"),
        (rows(close=(1, None)), "close", "null"),
        (rows(high=(2, "abc")), "high", "numeric"),
        (rows(open=(0, True)), "open", "numeric"),
        (rows(high=(1, 0.1)), "high", "high < low at row 1"),
        (rows(time=(2, ROW["time"])), "time", "not sorted at row 2"),
        (rows(time=(1, ROW["time"])), "time", "duplicate time at row 1"),
        (rows(time=(0, "yesterday")), "time", "ISO-8601"),
        (rows(time=(0, 1.5)), "time", "whole epoch seconds"),
        (rows(open=(0, [])), "open", "list of numbers"),
        (rows(low=(1, [1, 2])), "low", "list of numbers"),
        (
            {"time": [[1], [2, 3]], "open": [1, 1], "high": [1, 1], "low": [1, 1], "close": [1, 1]},
            "time",
            "list of times",
        ),
        ([{"time": 1, "open": 1, "high": 2, "low": 0}], "close", "no 'close'"),
        ([1, 2], "data", "not an object"),
        ("candles", "data", "DataFrame"),
        ({"time": [1], "open": [1], "high": [1], "low": [1]}, "close", "missing column"),
        (
            {"time": [1, 2], "open": [1], "high": [1, 1], "low": [1, 1], "close": [1, 1]},
            "open",
            "1 rows",
        ),
    ],
)
def test_bad_input_names_the_problem(data, field, words):
    error = error_of(data)
    assert error.field == field and words in str(error)


def test_row_limit():
    assert MAX_CANDLES == 200_000
    error = error_of(rows(5), max_rows=4)
    assert error.field == "data" and "too many candles: 5 (limit 4)" in str(error)
    assert len(to_arrays(rows(4), max_rows=4)) == 4


def test_empty_input_is_valid():
    assert len(to_arrays([])) == 0
    assert len(to_arrays({k: [] for k in ROW})) == 0


def test_slice_is_a_prefix():
    c = to_arrays(rows(3))
    assert c.slice(2).close.tolist() == [1.5, 1.5] and len(c.slice(2)) == 2
