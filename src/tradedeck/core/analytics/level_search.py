"""First-bar-at-a-level searches (fills, mitigations, sweeps) in O(log N) each.

A scan forward from every zone would be quadratic on trending data where zones stay open; a
min segment tree over the series answers "first j >= start with value below level" by descent.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _build_min_tree(values: np.ndarray) -> tuple[np.ndarray, int]:
    size = 1
    while size < values.size:
        size *= 2
    tree = np.full(2 * size, np.inf)
    tree[size : size + values.size] = values
    for node in range(size - 1, 0, -1):
        tree[node] = min(tree[2 * node], tree[2 * node + 1])
    return tree, size


@njit(cache=True)
def _hits(value: float, level: float, strict: bool) -> bool:
    return value < level if strict else value <= level


@njit(cache=True)
def _first_below_batch(
    values: np.ndarray, starts: np.ndarray, levels: np.ndarray, strict: bool
) -> np.ndarray:
    tree, size = _build_min_tree(values)
    found = np.full(starts.size, -1, np.int64)
    for query in range(starts.size):
        start = starts[query]
        level = levels[query]
        if start < 0 or start >= values.size:
            continue
        node = start + size
        if not _hits(tree[node], level, strict):
            while True:
                while node & 1:
                    node >>= 1
                if node == 0:
                    break
                node += 1
                if _hits(tree[node], level, strict):
                    break
            if node == 0:
                continue
            while node < size:
                node *= 2
                if not _hits(tree[node], level, strict):
                    node += 1
        found[query] = node - size
    return found


def _search(values: np.ndarray, starts: np.ndarray, levels: np.ndarray, strict: bool) -> np.ndarray:
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    if starts.size == 0:
        return np.zeros(0, np.int64)
    levels = np.ascontiguousarray(levels, dtype=np.float64)
    return _first_below_batch(np.ascontiguousarray(values, np.float64), starts, levels, strict)


def first_below(values: np.ndarray, starts: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """For each query, the first j >= start with values[j] < level, else -1."""
    return _search(values, starts, levels, True)


def first_at_or_below(values: np.ndarray, starts: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """For each query, the first j >= start with values[j] <= level, else -1."""
    return _search(values, starts, levels, False)


def first_above(values: np.ndarray, starts: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """For each query, the first j >= start with values[j] > level, else -1."""
    return _search(-values, starts, -np.asarray(levels, np.float64), True)


def first_at_or_above(values: np.ndarray, starts: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """For each query, the first j >= start with values[j] >= level, else -1."""
    return _search(-values, starts, -np.asarray(levels, np.float64), False)
