"""Study results as pre-encoded JSON for the API: no Python object per event or per value.

`to_records()` builds a dict per event (a million events are some ten million Python objects)
only for orjson to turn them into text again. Here a compiled loop writes the rows
`{"key":value,...}` straight from the columns, in the records' field order: indexes and times
formatted in the loop, floats (and other values) cut from one orjson text per column (the
same text orjson writes for the Python floats, NaN as null). The output is byte for byte what
orjson makes of the records. Indicator arrays stay NumPy arrays, which orjson encodes natively
as it would the lists. Words are little-endian, as on every platform the app runs on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import orjson
from numba import njit

from .events import Events, time_name
from .previous_hl import PreviousHighLow

COMMA = ord(",")
NUMPY = orjson.OPT_SERIALIZE_NUMPY
NULL = b"null"
NULL_WORD = np.uint64(int.from_bytes(NULL, "little"))


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
    rows = _Rows(size, events.time, first)
    for name, column in events.columns.items():
        if column.dtype.kind in "iu":
            rows.index(name, time_name(name), column)
        elif column.dtype.kind == "U":
            rows.text(name, _labels(column))
        else:
            rows.text(name, _texts(column, None))
    return orjson.Fragment(rows.encode(b"}"))


def array_json(values: np.ndarray, missing: np.ndarray) -> orjson.Fragment:
    """A JSON array of `values` with null where `missing` (usually the first bars only)."""
    if values.size == 0:
        return orjson.Fragment(b"[]")
    lead = values.size if missing.all() else int(np.argmin(missing))
    if lead < values.size and not missing[lead:].any():
        rest = orjson.dumps(np.ascontiguousarray(values[lead:]), option=NUMPY)
        return orjson.Fragment(b"[" + b"null," * lead + rest[1:])
    rows = _Rows(values.size, opening=b"")
    rows.text(None, _texts(values, missing))
    return orjson.Fragment(rows.encode(b""))


def _labels(values: np.ndarray) -> Encoded:
    """Printable ASCII labels (`high`, `bullish` ...) quoted straight from the array's code
    points; labels that would need escaping go through orjson."""
    size, chars = values.size, values.dtype.itemsize // 4
    if chars == 0:
        return _texts(values, None)
    codes = values.view(np.uint32).reshape(size, chars)
    lengths = np.strings.str_len(values).astype(np.int64)
    inside = np.arange(chars) < lengths[:, None]
    plain = (codes >= 32) & (codes < 127) & (codes != ord('"')) & (codes != ord("\\"))
    if not (plain | ~inside).all():
        return _texts(values, None)
    quoted = np.zeros((size, chars + 2), np.uint8)
    quoted[:, 0] = ord('"')
    quoted[:, 1:-1] = codes
    quoted[np.arange(size), lengths + 1] = ord('"')
    return Encoded(quoted.ravel(), np.arange(size, dtype=np.int64) * (chars + 2), lengths + 2)


class Encoded(NamedTuple):
    """Encoded values of one field: value i is `text[starts[i]:][:lengths[i]]`, or null where
    `missing`."""

    text: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    missing: np.ndarray | None = None


def _texts(values: np.ndarray, missing: np.ndarray | None) -> Encoded:
    """One orjson call for the column; its commas split it unless a value holds a comma
    itself (a label), in which case the values are encoded one by one."""
    listed = values.tolist() if values.dtype.kind in "OUS" else np.ascontiguousarray(values)
    text = np.frombuffer(orjson.dumps(listed, option=NUMPY), np.uint8)
    commas = np.flatnonzero(text == COMMA)
    if commas.size != values.size - 1:
        parts = [orjson.dumps(value, option=NUMPY) for value in values.tolist()]
        lengths = np.fromiter(map(len, parts), np.int64, len(parts))
        return Encoded(
            np.frombuffer(b"".join(parts), np.uint8), np.cumsum(lengths) - lengths, lengths, missing
        )
    starts = np.empty(values.size, np.int64)
    starts[0] = 1
    starts[1:] = commas + 1
    lengths = np.empty(values.size, np.int64)
    lengths[:-1] = commas
    lengths[-1] = text.size - 1
    lengths -= starts
    return Encoded(text, starts, lengths, missing)


class _Rows:
    """The fields of one JSON row per item, in order, for the compiled writer: index fields
    (and their time twins) as the index columns, everything else as encoded text slices."""

    def __init__(
        self, size: int, time: np.ndarray | None = None, first: int = 0, opening: bytes = b"{"
    ) -> None:
        self.size = size
        self.time = np.zeros(1, np.int64) if time is None else time.astype(np.int64, copy=False)
        self.first = first
        self.pieces: list[bytes] = []
        self.plan: list[tuple[int, int]] = []
        self.ints: list[np.ndarray] = []
        self.texts: list[Encoded] = []
        self.opening = opening

    def _key(self, name: str | None) -> None:
        separator = b"," if self.pieces else self.opening
        self.pieces.append(separator + (orjson.dumps(name) + b":" if name is not None else b""))

    def index(self, name: str, time_name: str, column: np.ndarray) -> None:
        """An index field counted from `first` and its time twin; null where negative."""
        self._key(name)
        self.plan.append((INDEX, len(self.ints)))
        self._key(time_name)
        self.plan.append((TIME, len(self.ints)))
        self.ints.append(column.astype(np.int64, copy=False))

    def text(self, name: str | None, encoded: Encoded) -> None:
        self._key(name)
        self.plan.append((TEXT, len(self.texts)))
        self.texts.append(encoded)

    def encode(self, closing: bytes) -> bytes:
        """`[row,row,...]`, each row the pieces and values in order, then `closing`."""
        constant, counts, bounds = _chunks([*self.pieces, closing + b","])
        text, starts, lengths = _text_slices(self.texts, self.size)
        empty = np.zeros((0, self.size), np.int64)
        ints = np.stack(self.ints) if self.ints else empty
        row = int(counts.sum()) + 2 * MAX_INT * len(self.ints)
        bound = 2 + self.size * row + int(lengths.sum())
        out = np.empty(bound // 8 + 2, np.uint64)
        plan = np.array(self.plan, np.int64)
        end = _write_rows(
            out, plan, constant, counts, bounds, ints, self.time, self.first, text, starts, lengths
        )
        return out.view(np.uint8)[:end].tobytes()


def _text_slices(texts: list[Encoded], size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All fields' texts in one word buffer (`null` first), and each value's slice of it."""
    pieces = [np.frombuffer(NULL, np.uint8), *(encoded.text for encoded in texts)]
    offsets = np.cumsum([0, *(piece.size for piece in pieces)])
    total = int(offsets[-1])
    buffer = np.zeros(total + 16 + -total % 8, np.uint8)
    starts = np.empty((len(texts), size), np.int64)
    lengths = np.empty((len(texts), size), np.int64)
    for i, encoded in enumerate(texts):
        buffer[offsets[i + 1] : offsets[i + 2]] = encoded.text
        np.add(encoded.starts, offsets[i + 1], out=starts[i])
        lengths[i] = encoded.lengths
        if encoded.missing is not None:
            starts[i, encoded.missing] = 0
            lengths[i, encoded.missing] = len(NULL)
    buffer[: len(NULL)] = np.frombuffer(NULL, np.uint8)
    return buffer.view("<u8"), starts, lengths


def _chunks(pieces: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The constant pieces of a row as 8-byte little-endian words and their byte counts;
    piece p is chunks `bounds[p]:bounds[p + 1]`."""
    chunks = [[piece[k : k + 8] for k in range(0, len(piece), 8)] for piece in pieces]
    flat = [chunk for piece in chunks for chunk in piece]
    words = np.array([int.from_bytes(chunk, "little") for chunk in flat], np.uint64)
    counts = np.array([len(chunk) for chunk in flat], np.int64)
    return words, counts, np.cumsum([0, *map(len, chunks)])


MAX_INT = 20
"""Characters of the longest int64, sign included."""
TEXT, INDEX, TIME = 0, 1, 2
EIGHT_DIGITS = 10**8
PAIRS = np.array([48 + p // 10 | (48 + p % 10) << 8 for p in range(100)], np.uint64)
""""00".."99" as 2-byte little-endian words: the tens digit first."""


@njit(cache=True)
def _write_rows(
    out, plan, constant, counts, bounds, ints, time, first, text, starts, lengths
):  # pragma: no cover
    """Write `[row,row,...]` into `out` (8-byte words, little-endian) and return its length
    in bytes. Bytes are gathered into a word and stored 8 at a time (`word`, `pending`
    bytes in it, `stored` words so far)."""
    fields = plan.shape[0]
    size = ints.shape[1] if ints.shape[0] else starts.shape[1]
    word, pending, stored = _append(out, np.uint64(0), 0, 0, np.uint64(91), 1)  # [
    for i in range(size):
        for f in range(fields + 1):
            for c in range(bounds[f], bounds[f + 1]):
                word, pending, stored = _append(out, word, pending, stored, constant[c], counts[c])
            if f == fields:
                break
            row = plan[f, 1]
            if plan[f, 0] == TEXT:
                start, length = starts[row, i], lengths[row, i]
                word, pending, stored = _append_text(
                    out, word, pending, stored, text, start, length
                )
                continue
            index = ints[row, i]
            if index < 0:
                word, pending, stored = _append(out, word, pending, stored, NULL_WORD, 4)
            else:
                number = index - first if plan[f, 0] == INDEX else time[index]
                word, pending, stored = _append_int(out, word, pending, stored, number)
    if pending:
        out[stored] = word
    end = stored * 8 + pending
    last, shift = (end - 1) // 8, np.uint64(8 * ((end - 1) % 8))
    out[last] = (out[last] & ~(np.uint64(255) << shift)) | (np.uint64(93) << shift)  # ]
    return end


@njit(cache=True, inline="always")
def _append(out, word, pending, stored, value, count):  # pragma: no cover
    """Append the low `count` (1..8) bytes of `value` (its other bytes zero)."""
    word |= value << np.uint64(8 * pending)
    if pending + count < 8:
        return word, pending + count, stored
    out[stored] = word
    used = 8 - pending
    rest = value >> np.uint64(8 * used) if used < 8 else np.uint64(0)
    return rest, pending + count - 8, stored + 1


@njit(cache=True, inline="always")
def _append_text(out, word, pending, stored, words, start, length):  # pragma: no cover
    """Append `length` bytes of the word buffer `words` from byte `start`."""
    while length > 0:
        index, offset = start >> 3, start & 7
        value = words[index]
        if offset:
            value = (value >> np.uint64(8 * offset)) | (
                words[index + 1] << np.uint64(64 - 8 * offset)
            )
        count = min(length, 8)
        if count < 8:
            value &= (np.uint64(1) << np.uint64(8 * count)) - np.uint64(1)
        word, pending, stored = _append(out, word, pending, stored, value, count)
        start += 8
        length -= 8
    return word, pending, stored


@njit(cache=True, inline="always")
def _append_int(out, word, pending, stored, number):  # pragma: no cover
    """Append the decimal text of an int64, up to 8 digits per word."""
    if number < 0:
        word, pending, stored = _append(out, word, pending, stored, np.uint64(45), 1)  # -
        number = -number
    if number < EIGHT_DIGITS:
        value, count = _digits(number)
        return _append(out, word, pending, stored, value, count)
    if number < EIGHT_DIGITS * EIGHT_DIGITS:
        value, count = _digits(number // EIGHT_DIGITS)
        word, pending, stored = _append(out, word, pending, stored, value, count)
    else:
        value, count = _digits(number // (EIGHT_DIGITS * EIGHT_DIGITS))
        word, pending, stored = _append(out, word, pending, stored, value, count)
        value = _eight_digits(number // EIGHT_DIGITS % EIGHT_DIGITS)
        word, pending, stored = _append(out, word, pending, stored, value, 8)
    value = _eight_digits(number % EIGHT_DIGITS)
    return _append(out, word, pending, stored, value, 8)


@njit(cache=True, inline="always")
def _digits(number):  # pragma: no cover
    """(word, count): the digits of 0 <= number < 10**8, the first in the lowest byte; two
    digits per step from the pair table."""
    rest = np.uint64(number)
    value = np.uint64(0)
    count = 0
    while rest >= np.uint64(100):
        value = (value << np.uint64(16)) | PAIRS[rest % np.uint64(100)]
        rest //= np.uint64(100)
        count += 2
    if rest >= np.uint64(10):
        return (value << np.uint64(16)) | PAIRS[rest], count + 2
    return (value << np.uint64(8)) | (np.uint64(48) + rest), count + 1


@njit(cache=True, inline="always")
def _eight_digits(number):  # pragma: no cover
    """The 8 digits of 0 <= number < 10**8, zero-padded, the first in the lowest byte."""
    rest = np.uint64(number)
    value = np.uint64(0)
    for _ in range(4):
        value = (value << np.uint64(16)) | PAIRS[rest % np.uint64(100)]
        rest //= np.uint64(100)
    return value
