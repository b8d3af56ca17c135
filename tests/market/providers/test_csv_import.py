import numpy as np
import pytest

from tradedeck.market.providers.base import ProviderError
from tradedeck.market.providers.csv_import import CsvImportError, parse_ohlcv_csv, read_ohlcv_csv

T0 = 1_704_067_200  # 2024-01-01T00:00:00Z


@pytest.mark.parametrize(
    ("header", "stamps"),
    [
        ("time,open,high,low,close,volume", [str(T0), str(T0 + 3600)]),
        ("timestamp,o,h,l,c,v", [str(T0 * 1000), str((T0 + 3600) * 1000)]),
        (
            "Date,Open,High,Low,Close,Adj Close,Volume",
            ["2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z"],
        ),
        (
            "datetime;Open;High;Low;Close;Volume",
            ["2024-01-01 05:30:00+05:30", "2024-01-01T06:30:00+05:30"],
        ),
        (
            "Open Time\tOpen\tHigh\tLow\tClose\tVolume",
            ["2024-01-01 00:00:00", "2024-01-01T01:00:00"],
        ),
        ("open_time,open,high,low,close,volume", ["2024-01-01", "2024-01-01T01:00"]),
    ],
)
def test_each_column_spelling_and_timestamp_format(header, stamps):
    sep = next(s for s in (";", "\t", ",") if s in header)
    extra = header.count(",") == 6  # Adj Close column
    rows = [
        sep.join([stamps[1], "11", "13", "10", "12", *(["99"] if extra else []), "7"]),
        sep.join([stamps[0], "10", "12", "9", "11", *(["99"] if extra else []), "5"]),
    ]
    c = parse_ohlcv_csv("\n".join([header, *rows]) + "\n")
    assert c.time.tolist() == [T0, T0 + 3600]
    assert c.open.tolist() == [10, 11]
    assert c.close.tolist() == [11, 12]
    assert c.volume.tolist() == [5, 7]


def test_duplicates_removed_keeping_last_and_volume_optional(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        f"\ufefftime,open,high,low,close\n{T0},1,2,1,2\n{T0},3,4,3,4\n\n{T0 - 60},1,1,1,1\n"
    )
    c = read_ohlcv_csv(path)
    assert c.time.tolist() == [T0 - 60, T0]
    assert c.close.tolist() == [1, 4]
    assert np.all(c.volume == 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        (
            "time,open,high,low\n1,1,1,1\n",
            "missing column(s) close; header was time, open, high, low",
        ),
        ("time,date,open,high,low,close\n", "line 1, column 'date': more than one time column"),
        ("time,open,high,low,close\n", "the file has a header but no rows"),
        ("time,open,high,low,close\n1,1,1\n", "line 2: expected 5 fields, found 3"),
        (
            "time,open,high,low,close\nyesterday,1,1,1,1\n",
            "line 2, column 'time': 'yesterday' is not a timestamp",
        ),
        (
            "time,open,high,low,close\n1,1,1,1,1\n2,1,x,1,1\n",
            "line 3, column 'high': 'x' is not a number",
        ),
        (
            "time,open,high,low,close\n1,1,1,1,nan\n",
            "line 2, column 'close': 'nan' is not a finite number",
        ),
        ("time,open,high,low,close\n1,1,1,0,1\n", "line 2: prices must be positive"),
        (
            "time,open,high,low,close\n1,2,1.5,1,1\n",
            "line 2, column 'high': high is below open, low or close",
        ),
        (
            "time,open,high,low,close\n1,1,2,1.5,2\n",
            "line 2, column 'low': low is above open or close",
        ),
        (
            "time,open,high,low,close,Vol\n1,1,2,1,2,-1\n",
            "line 2, column 'Vol': volume is negative",
        ),
    ],
)
def test_bad_input_errors_name_line_and_column(text, message):
    with pytest.raises(CsvImportError) as info:
        parse_ohlcv_csv(text)
    assert message in str(info.value)
    assert isinstance(info.value, ProviderError)


def test_unreadable_file(tmp_path):
    with pytest.raises(CsvImportError, match="cannot read"):
        read_ohlcv_csv(tmp_path / "missing.csv")
