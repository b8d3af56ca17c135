"""Tradable patterns from the analytics studies: zones with status and precomputed levels.

A scan sees only closed bars `0 .. n-1`. Every pattern comes from a study event whose
`confirmed_index` is at most `n-1` (the studies are causal), and its status is what bars up to
`n-1` say: `active`, then `mitigated` / `filled` / `invalidated` (from the study's own outcome
indexes) or `expired` (too many bars since confirmation, or price left more than
`ATR_EXPIRY` ATRs away while it stayed active). Pure NumPy, columnar: a scan of thousands of
series builds Python objects only for the patterns it stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tradedeck.core.analytics import Candles, fvg, liquidity, order_blocks, structure, to_arrays
from tradedeck.core.analytics.indicators import atr_of
from tradedeck.core.analytics.level_search import first_above, first_below

KINDS = ("fvg", "order_block", "liquidity_sweep", "bos", "choch")
STATUSES = ("active", "mitigated", "filled", "invalidated", "expired")
TERMINAL = frozenset(STATUSES) - {"active"}
ATR_LENGTH = 14
ATR_EXPIRY = 6.0
"""An active zone this many ATRs away from the last close is stale: price left it behind."""
STOP_BUFFER_ATR = 0.25
REWARD_RISK = 2.0
EXPIRY_BARS = {
    "1m": 240,
    "5m": 144,
    "15m": 96,
    "30m": 96,
    "1h": 72,
    "4h": 60,
    "1d": 30,
    "1w": 12,
}
"""Bars after confirmation an unresolved pattern stays active, per timeframe (seed 003)."""

_BULL, _BEAR = 1, -1


@dataclass(frozen=True)
class Patterns:
    """Columns of the patterns of one series (grouped by study, not sorted)."""

    kind: np.ndarray
    direction: np.ndarray
    index: np.ndarray
    confirmed_index: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    entry: np.ndarray
    stop: np.ndarray
    target: np.ndarray
    atr: np.ndarray
    status: np.ndarray
    status_index: np.ndarray
    anchor: np.ndarray
    time: np.ndarray

    def __len__(self) -> int:
        return int(self.index.size)

    def records(self, mask: np.ndarray | None = None) -> list[dict[str, Any]]:
        """Dicts of the selected patterns with bar times (epoch s) next to bar indexes."""
        rows = np.flatnonzero(mask) if mask is not None else np.arange(len(self))
        time = self.time
        out = []
        for i in rows.tolist():
            status_index = int(self.status_index[i])
            out.append(
                {
                    "kind": KINDS[self.kind[i]],
                    "direction": "bullish" if self.direction[i] == _BULL else "bearish",
                    "index": int(self.index[i]),
                    "confirmed_index": int(self.confirmed_index[i]),
                    "time": int(time[self.index[i]]),
                    "confirmed_time": int(time[self.confirmed_index[i]]),
                    "top": float(self.top[i]),
                    "bottom": float(self.bottom[i]),
                    "entry": float(self.entry[i]),
                    "stop": float(self.stop[i]),
                    "target": float(self.target[i]),
                    "atr": float(self.atr[i]),
                    "status": STATUSES[self.status[i]],
                    "status_time": int(time[status_index]) if status_index >= 0 else None,
                    "anchor_time": int(time[self.anchor[i]]),
                }
            )
        return out


def _levels(
    direction: np.ndarray, top: np.ndarray, bottom: np.ndarray, entry: np.ndarray, atr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Stop beyond the far edge by a quarter ATR; target at REWARD_RISK times the risk."""
    bull = direction == _BULL
    stop = np.where(bull, bottom - STOP_BUFFER_ATR * atr, top + STOP_BUFFER_ATR * atr)
    return stop, entry + REWARD_RISK * (entry - stop)


def _zones(
    kind: int, e: Any, status: np.ndarray, status_index: np.ndarray, anchor: np.ndarray
) -> dict[str, np.ndarray]:
    """Columns of a zone study (FVGs, order blocks): entry at the edge price comes back to."""
    bull = e["direction"] == "bullish"
    return {
        "kind": np.full(len(e), kind, np.int64),
        "direction": np.where(bull, _BULL, _BEAR),
        "index": e["index"],
        "confirmed_index": e["confirmed_index"],
        "top": e["top"],
        "bottom": e["bottom"],
        "entry": np.where(bull, e["top"], e["bottom"]),
        "status": status,
        "status_index": status_index,
        "anchor": anchor,
    }


def _fvgs(c: Candles) -> dict[str, np.ndarray]:
    """A fill always follows (or is) the mitigation: status 1 (mitigated) or 2 (filled)."""
    e = fvg(c)
    mitigated, filled = e["mitigated_index"], e["filled_index"]
    status = (mitigated >= 0) + (filled >= 0).astype(np.int64)
    return _zones(0, e, status, np.where(filled >= 0, filled, mitigated), e["index"])


def _blocks(c: Candles) -> dict[str, np.ndarray]:
    """Invalidation is only searched after the mitigation: status 1 or 3 (invalidated)."""
    e = order_blocks(c)
    mitigated, invalidated = e["mitigated_index"], e["invalidated_index"]
    status = (mitigated >= 0) + 2 * (invalidated >= 0)
    at = np.where(invalidated >= 0, invalidated, mitigated)
    return _zones(1, e, status, at, e["break_index"])


def _sweeps(c: Candles) -> dict[str, np.ndarray]:
    """Rejected sweeps of equal highs/lows: stops taken, price refused; confirmed on the
    sweeping bar's close. Status comes from `_invalidate`."""
    e = liquidity(c)
    keep = e["sweep"] == "rejection"
    bar = e["swept_index"][keep]
    level = e["level"][keep]
    bull = e["type"][keep] == "equal_lows"
    return {
        "kind": np.full(bar.size, 2, np.int64),
        "direction": np.where(bull, _BULL, _BEAR),
        "index": bar,
        "confirmed_index": bar,
        "top": np.where(bull, level, c.high[bar]),
        "bottom": np.where(bull, c.low[bar], level),
        "entry": c.close[bar],
        "status": np.zeros(bar.size, np.int64),
        "status_index": np.full(bar.size, -1, np.int64),
        "anchor": e["second_index"][keep],
    }


def _breaks(c: Candles) -> dict[str, np.ndarray]:
    """BOS/CHoCH at the broken level. Status comes from `_invalidate`."""
    e = structure(c)
    level = e["level"]
    return {
        "kind": np.where(e["kind"] == "CHoCH", 4, 3),
        "direction": np.where(e["direction"] == "bullish", _BULL, _BEAR),
        "index": e["index"],
        "confirmed_index": e["index"],
        "top": level,
        "bottom": level,
        "entry": level,
        "status": np.zeros(level.size, np.int64),
        "status_index": np.full(level.size, -1, np.int64),
        "anchor": e["index"],
    }


def _invalidate(cols: dict[str, np.ndarray], c: Candles) -> None:
    """Sweeps and breaks fail when a later close passes the zone's far side (below the bottom
    for bullish ones, above the top for bearish ones): one search per side for both kinds."""
    rows = np.flatnonzero(cols["kind"] >= 2)
    bull = cols["direction"][rows] == _BULL
    start = cols["confirmed_index"][rows] + 1
    found = np.full(rows.size, -1, np.int64)
    found[bull] = first_below(c.close, start[bull], cols["bottom"][rows][bull])
    found[~bull] = first_above(c.close, start[~bull], cols["top"][rows][~bull])
    cols["status"][rows] = np.where(found >= 0, 3, 0)
    cols["status_index"][rows] = found


def detect(candles: Any, interval: str) -> Patterns:
    """Every pattern of the closed bars `candles`, with its status as of the last bar."""
    c = to_arrays(candles)
    parts = [_fvgs(c), _blocks(c), _sweeps(c), _breaks(c)]
    cols = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    _invalidate(cols, c)
    last = len(c) - 1
    confirmed = cols["confirmed_index"]
    if last >= 0:
        atr = atr_of(c, ATR_LENGTH)
        at_confirm = atr[confirmed]
        at_confirm = np.where(
            np.isnan(at_confirm), c.high[confirmed] - c.low[confirmed], at_confirm
        )
    else:
        atr = at_confirm = np.zeros(0)
    stop, target = _levels(
        cols["direction"], cols["top"], cols["bottom"], cols["entry"], at_confirm
    )
    status, status_index = _expire(cols, c, atr, last, EXPIRY_BARS.get(interval, 100))
    return Patterns(
        kind=cols["kind"],
        direction=cols["direction"],
        index=cols["index"],
        confirmed_index=confirmed,
        top=cols["top"],
        bottom=cols["bottom"],
        entry=cols["entry"],
        stop=stop,
        target=target,
        atr=at_confirm,
        status=status,
        status_index=status_index,
        anchor=cols["anchor"],
        time=c.time,
    )


def _expire(
    cols: dict[str, np.ndarray], c: Candles, atr: np.ndarray, last: int, bars: int
) -> tuple[np.ndarray, np.ndarray]:
    """Active patterns past their bar budget, or ATR_EXPIRY ATRs away from the last close."""
    status, at = cols["status"].copy(), cols["status_index"].copy()
    if last < 0:
        return status, at
    deadline = cols["confirmed_index"] + bars
    timed_out = (status == 0) & (deadline <= last)
    status[timed_out] = 4
    at[timed_out] = deadline[timed_out]
    current_atr = atr[last]
    if np.isfinite(current_atr) and current_atr > 0:
        close = c.close[last]
        distance = np.maximum(cols["bottom"] - close, close - cols["top"])
        far = (status == 0) & (distance > ATR_EXPIRY * current_atr)
        status[far] = 4
        at[far] = last
    return status, at


def pattern_key(record: dict[str, Any]) -> str:
    """Stable identity of a pattern (a `records()` dict) within one instrument and timeframe:
    a rescan of the same bars, another process or a restart finds the same key, so it is
    stored once. BOS and CHoCH share a family: the label depends on how much history a scan
    saw, the break does not."""
    kind = record["kind"]
    family = "structure" if kind in ("bos", "choch") else kind
    return f"{family}:{record['direction']}:{record['time']}:{record['anchor_time']}"
