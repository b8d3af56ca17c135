"""Columnar event tables and their JSON form.

Studies keep events as NumPy columns (fast to build, filter and test); `to_records` makes the
JSON-ready dicts of ANALYTICS.md, adding a `*_time` twin after every `*_index`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

NO_INDEX = -1
"""Index columns use -1 for "has not happened"; it becomes null in records."""


@dataclass(frozen=True, eq=False)
class Events:
    """Events of one study, sorted by `confirmed_index`, then `index`, then detection order."""

    study: str
    params: dict[str, Any]
    columns: dict[str, np.ndarray]
    time: np.ndarray

    def __len__(self) -> int:
        return int(self.columns["index"].size)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per event, field order as declared, indexes and times null when -1.

        Columns become lists once (`tolist`, then None written at the few missing places)
        and rows become dicts through a dict display compiled for these field names: a
        million events cost a fraction of what per-row conversions would.
        """
        names: list[str] = []
        lists: list[list[Any]] = []
        for name, column in self.columns.items():
            names.append(name)
            if column.dtype.kind in "iu":
                missing = np.flatnonzero(column < 0)
                indexes = column.tolist()
                times = self.time[np.where(column < 0, 0, column)].tolist()
                for i in missing.tolist():
                    indexes[i] = None
                    times[i] = None
                lists.append(indexes)
                names.append(time_name(name))
                lists.append(times)
            else:
                lists.append(column.tolist())
        with _collector_paused():
            return _row_maker(tuple(names))(zip(*lists, strict=True))

    def to_json(self) -> dict[str, Any]:
        return {"study": self.study, "params": dict(self.params), "events": self.to_records()}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic GC passes while a million acyclic dicts are built (each pass would walk all
    of them again); restored afterwards unless someone else had it off already."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@lru_cache(maxsize=64)
def _row_maker(names: tuple[str, ...]) -> Callable[[Iterable[tuple[Any, ...]]], list[dict]]:
    """`rows -> [{names[0]: row[0], ...}]` as one compiled comprehension (a dict display per
    row is several times faster than `dict(zip(names, row))`). Names are the study's own
    column names, never user input; they are embedded as string literals via repr."""
    args = ", ".join(f"v{i}" for i in range(len(names)))
    body = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names))
    source = f"lambda rows: [{{{body}}} for ({args},) in rows]"
    return eval(compile(source, "<events.to_records>", "eval"))


def time_name(index_name: str) -> str:
    return "time" if index_name == "index" else index_name.removesuffix("_index") + "_time"


def make_events(
    study: str, params: dict[str, Any], time: np.ndarray, columns: dict[str, np.ndarray]
) -> Events:
    """Sort the columns into event order (stable, so detection order breaks remaining ties)."""
    order = np.lexsort((columns["index"], columns["confirmed_index"]))
    ordered = {name: np.ascontiguousarray(column[order]) for name, column in columns.items()}
    return Events(study, params, ordered, time)
