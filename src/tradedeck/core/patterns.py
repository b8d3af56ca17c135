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
    """Columns of the patterns of one series, in confirmation order."""

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


def _status(first: np.ndarray, *outcomes: tuple[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The latest outcome reached (later arguments win when both happened), and its bar."""
    status = np.zeros(first.size, np.int64)
    at = np.full(first.size, -1, np.int64)
    for code, index in outcomes:
        hit = index >= 0
        status = np.where(hit, code, status)
        at = np.where(hit, index, at)
    return status, at


def _fvgs(c: Candles) -> dict[str, np.ndarray]:
    e = fvg(c)
    direction = np.where(e["direction"] == "bullish", _BULL, _BEAR)
    status, at = _status(e["index"], (1, e["mitigated_index"]), (2, e["filled_index"]))
    entry = np.where(direction == _BULL, e["top"], e["bottom"])
    return _part(
        0,
        direction,
        e["index"],
        e["confirmed_index"],
        e["top"],
        e["bottom"],
        entry,
        status,
        at,
        e["index"],
    )


def _blocks(c: Candles) -> dict[str, np.ndarray]:
    e = order_blocks(c)
    direction = np.where(e["direction"] == "bullish", _BULL, _BEAR)
    status, at = _status(e["index"], (1, e["mitigated_index"]), (3, e["invalidated_index"]))
    entry = np.where(direction == _BULL, e["top"], e["bottom"])
    return _part(
        1,
        direction,
        e["index"],
        e["confirmed_index"],
        e["top"],
        e["bottom"],
        entry,
        status,
        at,
        e["break_index"],
    )


def _sweeps(c: Candles) -> dict[str, np.ndarray]:
    """Rejected sweeps of equal highs/lows: stops taken, price refused. Confirmed on the
    sweeping bar's close; invalidated when a later close passes the sweep's extreme."""
    e = liquidity(c)
    keep = e["sweep"] == "rejection"
    bar = e["swept_index"][keep]
    level = e["level"][keep]
    direction = np.where(e["type"][keep] == "equal_lows", _BULL, _BEAR)
    bull = direction == _BULL
    top = np.where(bull, level, c.high[bar])
    bottom = np.where(bull, c.low[bar], level)
    invalid = np.full(bar.size, -1, np.int64)
    invalid[bull] = first_below(c.close, bar[bull] + 1, bottom[bull])
    invalid[~bull] = first_above(c.close, bar[~bull] + 1, top[~bull])
    status, at = _status(bar, (3, invalid))
    order = np.argsort(bar, kind="stable")
    return _part(
        2,
        direction[order],
        bar[order],
        bar[order],
        top[order],
        bottom[order],
        c.close[bar][order],
        status[order],
        at[order],
        e["second_index"][keep][order],
    )


def _breaks(c: Candles) -> dict[str, np.ndarray]:
    """BOS/CHoCH at the broken level; invalidated when a later close is back beyond it."""
    e = structure(c)
    direction = np.where(e["direction"] == "bullish", _BULL, _BEAR)
    bull = direction == _BULL
    level = e["level"]
    invalid = np.full(level.size, -1, np.int64)
    invalid[bull] = first_below(c.close, e["index"][bull] + 1, level[bull])
    invalid[~bull] = first_above(c.close, e["index"][~bull] + 1, level[~bull])
    status, at = _status(e["index"], (3, invalid))
    kind = np.where(e["kind"] == "CHoCH", 4, 3)
    return _part(
        kind, direction, e["index"], e["index"], level, level, level, status, at, e["index"]
    )


def _part(
    kind: int | np.ndarray,
    direction: np.ndarray,
    index: np.ndarray,
    confirmed: np.ndarray,
    top: np.ndarray,
    bottom: np.ndarray,
    entry: np.ndarray,
    status: np.ndarray,
    at: np.ndarray,
    anchor: np.ndarray,
) -> dict[str, np.ndarray]:
    """One study's patterns; `anchor` is the bar that tells two patterns of the same kind and
    direction apart (the FVG bar, the block's break, the pool's second swing, the break)."""
    return {
        "kind": np.broadcast_to(np.asarray(kind, np.int64), index.shape),
        "direction": direction.astype(np.int64),
        "index": index,
        "confirmed_index": confirmed,
        "top": top.astype(np.float64),
        "bottom": bottom.astype(np.float64),
        "entry": entry.astype(np.float64),
        "status": status,
        "status_index": at,
        "anchor": anchor,
    }


def detect(candles: Any, interval: str) -> Patterns:
    """Every pattern of the closed bars `candles`, with its status as of the last bar."""
    c = to_arrays(candles)
    parts = [_fvgs(c), _blocks(c), _sweeps(c), _breaks(c)]
    cols = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    last = len(c) - 1
    atr = atr_of(c, ATR_LENGTH) if len(c) else np.zeros(0)
    at_confirm = atr[cols["confirmed_index"]] if len(c) else np.zeros(0)
    bar_range = c.high[cols["confirmed_index"]] - c.low[cols["confirmed_index"]] if len(c) else 0
    at_confirm = np.where(np.isnan(at_confirm), bar_range, at_confirm)
    stop, target = _levels(
        cols["direction"], cols["top"], cols["bottom"], cols["entry"], at_confirm
    )
    status, status_index = _expire(cols, c, atr, last, EXPIRY_BARS.get(interval, 100))
    order = np.lexsort((cols["index"], cols["confirmed_index"]))
    return Patterns(
        kind=cols["kind"][order],
        direction=cols["direction"][order],
        index=cols["index"][order],
        confirmed_index=cols["confirmed_index"][order],
        top=cols["top"][order],
        bottom=cols["bottom"][order],
        entry=cols["entry"][order],
        stop=stop[order],
        target=target[order],
        atr=at_confirm[order],
        status=status[order],
        status_index=status_index[order],
        anchor=cols["anchor"][order],
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
