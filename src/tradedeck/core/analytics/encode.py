"""Study results as pre-encoded JSON for the API: no Python object per event or per value.

`to_records()` builds a dict per event (a million events are some ten million Python objects)
only for orjson to turn them into text again. Here each column is encoded once as a whole by
orjson (the NumPy array: the same text as for the Python floats and ints, NaN as null), the
commas locate each value, and a compiled loop writes the rows `{"key":value,...}` from those
texts in the records' field order. Indicator arrays stay NumPy arrays, which orjson encodes
natively as it would the lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import orjson
from numba import njit

from .events import Events, time_name
from .previous_hl import PreviousHighLow

COMMA = ord(",")
NUMPY = orjson.OPT_SERIALIZE_NUMPY
NULL = b"null"


def study_json(name: str, params: Mapping[str, Any], result: Any, first: int = 0) -> dict:
    """`{"study", "params", "events" | "values"}` for orjson (OPT_SERIALIZE_NUMPY), equal
    once parsed to `registry.to_json`'s; event indexes counted from bar `first`."""
    if isinstance(result, Events):
        return {"study": name, "params": dict(params), "events": events_json(result, first)}
    if isinstance(result, np.ndarray):
        values: Any = np.ascontiguousarray(result)
    elif isinstance(result, PreviousHighLow):
        missing = np.isnan(result.previous_high)
        values = {
            field: np.ascontiguousarray(column)
            if column.dtype.kind == "f"
            else array_json(column, missing)
            for field, column in result._asdict().items()
        }
    else:
        values = {field: np.ascontiguousarray(c) for field, c in result._asdict().items()}
    return {"study": name, "params": dict(params), "values": values}


def events_json(events: Events, first: int = 0) -> orjson.Fragment:
    """The events' records (`to_records()`) as one JSON array; with `first`, index fields
    count from bar `first` while their `*_time` twins stay exact."""
    size = len(events)
    if size == 0:
        return orjson.Fragment(b"[]")
    keys: list[str] = []
    texts: list[tuple[bytes, np.ndarray, np.ndarray]] = []
    for name, column in events.columns.items():
        if column.dtype.kind in "iu":
            missing = column < 0
            times = events.time[np.where(missing, 0, column)]
            keys += [name, time_name(name)]
            texts.append(_texts(column - first if first else column, missing))
            texts.append(_texts(times, missing))
        else:
            keys.append(name)
            texts.append(_texts(column, None))
    pieces = [b"{" + orjson.dumps(keys[0]) + b":"]
    pieces += [b"," + orjson.dumps(key) + b":" for key in keys[1:]]
    return orjson.Fragment(_join(texts, [*pieces, b"},"], size))


def array_json(values: np.ndarray, missing: np.ndarray) -> orjson.Fragment:
    """A JSON array of `values` with null where `missing` (usually the first bars only)."""
    if values.size == 0:
        return orjson.Fragment(b"[]")
    lead = values.size if missing.all() else int(np.argmin(missing))
    if lead < values.size and not missing[lead:].any():
        rest = orjson.dumps(np.ascontiguousarray(values[lead:]), option=NUMPY)
        return orjson.Fragment(b"[" + b"null," * lead + rest[1:])
    return orjson.Fragment(_join([_texts(values, missing)], [b"", b","], values.size))


def _texts(values: np.ndarray, missing: np.ndarray | None) -> tuple[bytes, np.ndarray, np.ndarray]:
    """`(text, starts, lengths)`: value i is `text[starts[i]:][:lengths[i]]`, `null` where
    `missing`. One orjson call for the column; its commas split it unless a value holds a
    comma itself (a label), in which case the values are encoded one by one."""
    listed = values.tolist() if values.dtype.kind in "OUS" else np.ascontiguousarray(values)
    text = orjson.dumps(listed, option=NUMPY) + NULL
    view = np.frombuffer(text, np.uint8)
    commas = np.flatnonzero(view == COMMA)
    if commas.size != values.size - 1 + NULL.count(b","):
        parts = [orjson.dumps(value, option=NUMPY) for value in values.tolist()]
        text = b"".join([*parts, NULL])
        lengths = np.fromiter(map(len, parts), np.int64, len(parts))
        starts = np.cumsum(lengths) - lengths
    else:
        starts = np.empty(values.size, np.int64)
        starts[0] = 1
        starts[1:] = commas + 1
        lengths = np.empty(values.size, np.int64)
        lengths[:-1] = commas
        lengths[-1] = len(text) - len(NULL) - 1
        lengths -= starts
    if missing is not None:
        starts[missing] = len(text) - len(NULL)
        lengths[missing] = len(NULL)
    return text, starts, lengths


def _join(texts: list[tuple[bytes, np.ndarray, np.ndarray]], pieces: list[bytes], size: int):
    """`[rows]`: row i is pieces[0] value0[i] pieces[1] value1[i] ... pieces[-1], where the
    last byte of pieces[-1] separates rows (dropped after the last one)."""
    offsets = np.cumsum([0, *(len(text) for text, _, _ in texts)])
    text = np.frombuffer(b"".join(text for text, _, _ in texts), np.uint8)
    starts = np.stack([s + offset for (_, s, _), offset in zip(texts, offsets, strict=False)])
    lengths = np.stack([lengths for _, _, lengths in texts])
    constant = np.frombuffer(b"".join(pieces), np.uint8)
    bounds = np.cumsum([0, *map(len, pieces)])
    out = np.empty(2 + size * constant.size + int(lengths.sum()) - 1, np.uint8)
    _write_rows(out, text, starts, lengths, constant, bounds)
    return out.tobytes()


@njit(cache=True)
def _write_rows(out, text, starts, lengths, constant, bounds):  # pragma: no cover - compiled
    fields, size = starts.shape
    out[0] = 91  # [
    position = 1
    for i in range(size):
        for f in range(fields):
            length = bounds[f + 1] - bounds[f]
            out[position : position + length] = constant[bounds[f] : bounds[f + 1]]
            position += length
            start, length = starts[f, i], lengths[f, i]
            out[position : position + length] = text[start : start + length]
            position += length
        length = bounds[fields + 1] - bounds[fields]
        out[position : position + length] = constant[bounds[fields] :]
        position += length
    out[position - 1] = 93  # ] in place of the last row's separator
