"""What a strategy hands the engine: per-bar decisions known at that bar's close."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Signals:
    """`entry` +1 long / -1 short / 0 per bar, `exit` closes any position, `stop_level` is the
    strategy's own stop for an entry on that bar (NaN: none), `warmup` the first bar at which
    every input of the strategy has a value (buy & hold is measured from its close).

    Value i may depend on bars 0..i only; the engine acts on it at bar i's close or i+1's open.
    """

    entry: np.ndarray
    exit: np.ndarray
    stop_level: np.ndarray
    warmup: int = 0

    @classmethod
    def empty(cls, size: int) -> Signals:
        return cls(np.zeros(size, np.int64), np.zeros(size, np.bool_), np.full(size, np.nan))
