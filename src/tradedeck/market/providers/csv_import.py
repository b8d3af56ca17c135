"""Parse user-supplied OHLCV CSV files into sorted, de-duplicated arrays.

Files come from spreadsheets, exchanges and brokers, so headers and timestamps vary:
column names are matched case-insensitively against common spellings, and timestamps
may be epoch seconds, epoch milliseconds, ISO-8601 (with or without zone; none = UTC),
``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS``. Every rejected value names its line and
column so the user can fix the file. The volume column is optional (0 when absent:
forex and index exports often have none); other columns such as "Adj Close" are ignored.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from tradedeck.core.candles import OHLCV
from tradedeck.market.providers.base import ProviderError

PROVIDER = "CSV"
_ALIASES = {
    "time": {"time", "timestamp", "date", "datetime", "open_time", "opentime", "date_time", "ts"},
    "open": {"open", "o"},
    "high": {"high", "h"},
    "low": {"low", "l"},
    "close": {"close", "c"},
    "volume": {"volume", "v", "vol"},
}
_REQUIRED = ("time", "open", "high", "low", "close")
# Epoch values above this are milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 100_000_000_000


class CsvImportError(ProviderError):
    """A CSV file that cannot be imported; `line` and `column` locate the problem."""

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None):
        where = ", ".join(
            part
            for part in (f"line {line}" if line else "", f"column {column!r}" if column else "")
            if part
        )
        super().__init__(f"{where}: {message}" if where else message, provider=PROVIDER)
        self.line = line
        self.column = column


def _normalize(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _map_columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _normalize(name)
        for field, aliases in _ALIASES.items():
            if key in aliases:
                if field in found:
                    raise CsvImportError(f"more than one {field} column", line=1, column=name)
                found[field] = index
    missing = [f for f in _REQUIRED if f not in found]
    if missing:
        raise CsvImportError(
            f"missing column(s) {', '.join(missing)}; header was {', '.join(header)}", line=1
        )
    return found


def parse_timestamp(text: str) -> int:
    """UTC epoch seconds from any supported timestamp spelling; ValueError otherwise."""
    value = text.strip()
    try:
        number = float(value)
    except ValueError:
        when = datetime.fromisoformat(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return int(when.timestamp())
    if not math.isfinite(number):
        raise ValueError(value)
    return int(number // 1000 if abs(number) >= _MS_THRESHOLD else number)


def _number(text: str, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CsvImportError(f"{text!r} is not a number", line=line, column=column) from None
    if not math.isfinite(value):
        raise CsvImportError(f"{text!r} is not a finite number", line=line, column=column)
    return value


def parse_ohlcv_csv(text: str) -> OHLCV:
    """Candles from CSV text; raises CsvImportError on the first bad value."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        raise CsvImportError("the file is empty")
    try:
        delimiter = csv.Sniffer().sniff(lines[0], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    rows = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = next(rows)
    cols = _map_columns(header)
    names = {field: header[index].strip() for field, index in cols.items()}
    out: dict[str, list[float]] = {f: [] for f in _ALIASES}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise CsvImportError(f"expected {len(header)} fields, found {len(row)}", line=line)
        try:
            out["time"].append(parse_timestamp(row[cols["time"]]))
        except ValueError:
            raise CsvImportError(
                f"{row[cols['time']]!r} is not a timestamp (epoch s/ms or ISO-8601)",
                line=line,
                column=names["time"],
            ) from None
        o, h, lo, c = (
            _number(row[cols[f]], line, names[f]) for f in ("open", "high", "low", "close")
        )
        v = _number(row[cols["volume"]], line, names["volume"]) if "volume" in cols else 0.0
        if min(o, h, lo, c) <= 0:
            raise CsvImportError("prices must be positive", line=line)
        if h < max(o, c, lo):
            raise CsvImportError(
                "high is below open, low or close", line=line, column=names["high"]
            )
        if lo > min(o, c):
            raise CsvImportError("low is above open or close", line=line, column=names["low"])
        if v < 0:
            raise CsvImportError("volume is negative", line=line, column=names["volume"])
        for field, value in zip(
            ("open", "high", "low", "close", "volume"), (o, h, lo, c, v), strict=True
        ):
            out[field].append(value)
    if not out["time"]:
        raise CsvImportError("the file has a header but no rows")
    return OHLCV.from_columns(
        np.array(out["time"], dtype=np.int64),
        out["open"],
        out["high"],
        out["low"],
        out["close"],
        out["volume"],
    ).normalized()


def read_ohlcv_csv(path: str | Path) -> OHLCV:
    """Candles from a CSV file (UTF-8, optional BOM)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CsvImportError(f"cannot read {path}: {exc}") from None
    return parse_ohlcv_csv(text)
