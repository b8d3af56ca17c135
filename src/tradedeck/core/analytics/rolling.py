"""Sliding-window maximum in O(N) without a Python loop (van Herk / Gil-Werman)."""

from __future__ import annotations

import numpy as np


def window_max(values: np.ndarray, width: int) -> np.ndarray:
    """max(values[i : i + width]) for every i in 0 .. len(values) - width.

    Blocks of `width` get prefix and suffix running maxima; any window spans at most two
    blocks, so its maximum is the suffix of one and the prefix of the next.
    """
    size = values.size
    if size < width:
        return np.zeros(0, np.float64)
    blocks = -(-size // width)
    padded = np.full(blocks * width, -np.inf)
    padded[:size] = values
    grid = padded.reshape(blocks, width)
    prefix = np.maximum.accumulate(grid, axis=1).ravel()
    suffix = np.maximum.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.maximum(suffix[: size - width + 1], prefix[width - 1 : size])
