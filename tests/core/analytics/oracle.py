"""Plain loop implementations of ANALYTICS.md, written for obviousness, not speed.

Each returns records in the engine's JSON shape so tests can compare them directly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Any

import numpy as np

from tradedeck.core.analytics import Candles


def with_times(records: list[dict[str, Any]], time: np.ndarray) -> list[dict[str, Any]]:
    """Add the `*_time` twin after every `*_index`, and sort as the engine does."""
    out = []
    for record in records:
        row: dict[str, Any] = {}
        for name, value in record.items():
            row[name] = value
            if name.endswith("index"):
                twin = "time" if name == "index" else name[: -len("index")] + "time"
                row[twin] = None if value is None else int(time[value])
        out.append(row)
    return sorted(out, key=lambda r: (r["confirmed_index"], r["index"]))


def first(start: int, stop: int, test) -> int | None:
    for j in range(start, stop):
        if test(j):
            return j
    return None


def swing_list(c: Candles, n: int) -> list[tuple[str, int]]:
    h, lo = c.high.tolist(), c.low.tolist()
    found = []
    for i in range(n, len(c) - n):
        before, after = range(i - n, i), range(i + 1, i + n + 1)
        if all(h[i] > h[j] for j in before) and all(h[i] >= h[j] for j in after):
            found.append(("high", i))
        if all(lo[i] < lo[j] for j in before) and all(lo[i] <= lo[j] for j in after):
            found.append(("low", i))
    return found


def swings(c: Candles, length: int = 2) -> list[dict[str, Any]]:
    records = [
        {
            "type": kind,
            "index": i,
            "level": float(c.high[i] if kind == "high" else c.low[i]),
            "confirmed_index": i + length,
        }
        for kind, i in swing_list(c, length)
    ]
    return with_times(records, c.time)


def structure_list(c: Candles, length: int, break_on: str) -> list[dict[str, Any]]:
    confirmed_at: dict[int, list[tuple[str, int]]] = {}
    for kind, i in swing_list(c, length):
        confirmed_at.setdefault(i + length, []).append((kind, i))
    top = bottom = None
    trend = 0
    events = []
    for t in range(len(c)):
        up = c.close[t] if break_on == "close" else c.high[t]
        down = c.close[t] if break_on == "close" else c.low[t]
        if top is not None and not top["broken"] and up > top["level"]:
            events.append(("bullish", "CHoCH" if trend == -1 else "BOS", top, t))
            trend, top["broken"] = 1, True
        if bottom is not None and not bottom["broken"] and down < bottom["level"]:
            events.append(("bearish", "CHoCH" if trend == 1 else "BOS", bottom, t))
            trend, bottom["broken"] = -1, True
        for kind, i in confirmed_at.get(t, []):
            if kind == "high":
                top = {"index": i, "level": float(c.high[i]), "broken": False}
            else:
                bottom = {"index": i, "level": float(c.low[i]), "broken": False}
    return [
        {
            "kind": kind,
            "direction": direction,
            "level": swing["level"],
            "swing_index": swing["index"],
            "index": t,
            "confirmed_index": t,
        }
        for direction, kind, swing, t in events
    ]


def structure(c: Candles, length: int = 2, break_on: str = "close") -> list[dict[str, Any]]:
    return with_times(structure_list(c, length, break_on), c.time)


def gaps(c: Candles) -> list[dict[str, Any]]:
    h, lo, n = c.high, c.low, len(c)
    records = []
    for i in range(1, n):
        if lo[i] > h[i - 1]:
            fill = first(i + 1, n, lambda j, i=i: lo[j] <= h[i - 1])
            records.append(("up", float(lo[i]), float(h[i - 1]), i, fill))
        if h[i] < lo[i - 1]:
            fill = first(i + 1, n, lambda j, i=i: h[j] >= lo[i - 1])
            records.append(("down", float(lo[i - 1]), float(h[i]), i, fill))
    return with_times(
        [
            {
                "direction": d,
                "top": t,
                "bottom": b,
                "index": i,
                "confirmed_index": i,
                "filled_index": f,
            }
            for d, t, b, i, f in records
        ],
        c.time,
    )


def fvg(c: Candles, join_consecutive: bool = False, min_size: float = 0.0) -> list[dict[str, Any]]:
    o, h, lo, cl, n = c.open, c.high, c.low, c.close, len(c)
    found: dict[int, tuple[str, float, float]] = {}
    for i in range(1, n - 1):
        if cl[i] > o[i] and h[i - 1] < lo[i + 1]:
            found[i] = ("bullish", float(lo[i + 1]), float(h[i - 1]))
        elif cl[i] < o[i] and lo[i - 1] > h[i + 1]:
            found[i] = ("bearish", float(lo[i - 1]), float(h[i + 1]))
        if i in found and found[i][1] - found[i][2] < min_size:
            del found[i]
    zones = []
    if join_consecutive:
        for i in sorted(found):
            direction, top, bottom = found[i]
            if zones and zones[-1][3] == i - 1 and zones[-1][0] == direction:
                _, t, b, _ = zones.pop()
                top, bottom = max(top, t), min(bottom, b)
            zones.append((direction, top, bottom, i))
        confirmed = []
        for direction, _top, _bottom, i in zones:
            same_body = (cl[i + 1] > o[i + 1]) if direction == "bullish" else (cl[i + 1] < o[i + 1])
            confirmed.append(i + 2 if same_body else i + 1)
    else:
        zones = [(*found[i], i) for i in sorted(found)]
        confirmed = [i + 1 for *_, i in zones]
    records = []
    for (direction, top, bottom, i), conf in zip(zones, confirmed, strict=True):
        if conf >= n:
            continue
        if direction == "bullish":
            mitigated = first(i + 2, n, lambda j, top=top: lo[j] <= top)
            filled = first(i + 2, n, lambda j, bottom=bottom: lo[j] <= bottom)
        else:
            mitigated = first(i + 2, n, lambda j, bottom=bottom: h[j] >= bottom)
            filled = first(i + 2, n, lambda j, top=top: h[j] >= top)
        records.append(
            {
                "direction": direction,
                "top": top,
                "bottom": bottom,
                "index": i,
                "confirmed_index": conf,
                "mitigated_index": mitigated,
                "filled_index": filled,
            }
        )
    return with_times(records, c.time)


def order_blocks(c: Candles, length: int = 2, break_on: str = "close") -> list[dict[str, Any]]:
    h, lo, n = c.high, c.low, len(c)
    records = []
    for event in structure_list(c, length, break_on):
        s, t = event["swing_index"], event["index"]
        bullish = event["direction"] == "bullish"
        k = None
        for j in range(s + 1, t):
            if k is None or (lo[j] <= lo[k] if bullish else h[j] >= h[k]):
                k = j
        if k is None:
            continue
        top, bottom = float(h[k]), float(lo[k])
        if bullish:
            mitigated = first(t + 1, n, lambda j, b=bottom: lo[j] < b)
            invalid = (
                None if mitigated is None else first(mitigated + 1, n, lambda j, tp=top: h[j] > tp)
            )
        else:
            mitigated = first(t + 1, n, lambda j, tp=top: h[j] > tp)
            invalid = (
                None
                if mitigated is None
                else first(mitigated + 1, n, lambda j, b=bottom: lo[j] < b)
            )
        volume = 0.0
        for j in (t, t - 1, t - 2):
            if j >= 0:
                volume += float(c.volume[j])
        records.append(
            {
                "direction": event["direction"],
                "kind": event["kind"],
                "top": top,
                "bottom": bottom,
                "index": k,
                "swing_index": s,
                "break_index": t,
                "confirmed_index": t,
                "volume": volume,
                "mitigated_index": mitigated,
                "invalidated_index": invalid,
            }
        )
    return with_times(records, c.time)


def atr(c: Candles, length: int) -> list[float]:
    out = [math.nan] * len(c)
    if len(c) <= length:
        return out
    tr = [math.nan] + [
        max(c.high[i] - c.low[i], abs(c.close[i - 1] - c.high[i]), abs(c.close[i - 1] - c.low[i]))
        for i in range(1, len(c))
    ]
    total = 0.0
    for i in range(1, length + 1):
        total += tr[i]
    avg = total / length
    out[length] = avg
    for i in range(length + 1, len(c)):
        avg = (avg * (length - 1) + tr[i]) / length
        out[i] = avg
    return out


def liquidity(c: Candles, length: int = 2, atr_length: int = 14, tolerance: float = 0.1):
    ranges = atr(c, atr_length)
    swings_ = swing_list(c, length)
    records = []
    for kind in ("high", "low"):
        points = [i for k, i in swings_ if k == kind]
        for earlier, newer in itertools.pairwise(points):
            conf = newer + length
            if math.isnan(ranges[conf]):
                continue
            if kind == "high":
                a, b = float(c.high[earlier]), float(c.high[newer])
                if abs(b - a) > tolerance * ranges[conf]:
                    continue
                level = max(a, b)
                swept = first(conf + 1, len(c), lambda j, lv=level: c.high[j] > lv)
                rejected = swept is not None and c.close[swept] < level
            else:
                a, b = float(c.low[earlier]), float(c.low[newer])
                if abs(b - a) > tolerance * ranges[conf]:
                    continue
                level = min(a, b)
                swept = first(conf + 1, len(c), lambda j, lv=level: c.low[j] < lv)
                rejected = swept is not None and c.close[swept] > level
            records.append(
                {
                    "type": f"equal_{kind}s",
                    "level": level,
                    "index": earlier,
                    "second_index": newer,
                    "confirmed_index": conf,
                    "swept_index": swept,
                    "sweep": None if swept is None else ("rejection" if rejected else "break"),
                }
            )
    return with_times(records, c.time)


def period_key(epoch: int, period: str) -> tuple[int, ...]:
    day = dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    if period == "day":
        return (day.toordinal(),)
    if period == "week":
        return ((day - dt.timedelta(days=day.weekday())).toordinal(),)
    return (day.year, day.month)


def previous_hl(c: Candles, period: str = "day") -> dict[str, list[Any]]:
    keys = [period_key(t, period) for t in c.time]
    out: dict[str, list[Any]] = {
        name: [] for name in ("previous_high", "previous_low", "broken_high", "broken_low")
    }
    for i, key in enumerate(keys):
        earlier = [j for j in range(i) if keys[j] != key]
        if not earlier:
            for values in out.values():
                values.append(None)
            continue
        last_key = keys[earlier[-1]]
        members = [j for j in range(i) if keys[j] == last_key]
        ph = max(float(c.high[j]) for j in members)
        pl = min(float(c.low[j]) for j in members)
        current = [j for j in range(i + 1) if keys[j] == key]
        out["previous_high"].append(ph)
        out["previous_low"].append(pl)
        out["broken_high"].append(max(float(c.high[j]) for j in current) > ph)
        out["broken_low"].append(min(float(c.low[j]) for j in current) < pl)
    return out
