"""Columnar event tables and their JSON form.

Studies keep events as NumPy columns (fast to build, filter and test); `to_records` makes the
JSON-ready dicts of ANALYTICS.md, adding a `*_time` twin after every `*_index`.
"""

from __future__ import annotations

from dataclasses import dataclass
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
        """One dict per event, field order as declared, indexes and times null when -1."""
        names: list[str] = []
        lists: list[list[Any]] = []
        for name, column in self.columns.items():
            names.append(name)
            if column.dtype.kind in "iu":
                indexes = column.astype(object)
                missing = column < 0
                indexes[missing] = None
                times = self.time[np.where(missing, 0, column)].astype(object)
                times[missing] = None
                lists.append(indexes.tolist())
                names.append(_time_name(name))
                lists.append(times.tolist())
            else:
                lists.append(column.tolist())
        return [dict(zip(names, row, strict=True)) for row in zip(*lists, strict=True)]

    def to_json(self) -> dict[str, Any]:
        return {"study": self.study, "params": dict(self.params), "events": self.to_records()}


def _time_name(index_name: str) -> str:
    return "time" if index_name == "index" else index_name.removesuffix("_index") + "_time"


def make_events(
    study: str, params: dict[str, Any], time: np.ndarray, columns: dict[str, np.ndarray]
) -> Events:
    """Sort the columns into event order (stable, so detection order breaks remaining ties)."""
    order = np.lexsort((columns["index"], columns["confirmed_index"]))
    ordered = {name: np.ascontiguousarray(column[order]) for name, column in columns.items()}
    return Events(study, params, ordered, time)
