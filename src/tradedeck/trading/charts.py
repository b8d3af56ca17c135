"""Server-side chart helpers: sparkline points and allocation slices as plain numbers for SVG."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from tradedeck.extensions import db
from tradedeck.market.models import Candle

SPARK_WIDTH, SPARK_HEIGHT = 120, 32
SPARK_INTERVALS = ("1h", "15m", "1d", "5m", "1m")
SPARK_POINTS = 48
PALETTE = (
    "#2f80ed",
    "#27ae60",
    "#f2994a",
    "#9b51e0",
    "#eb5757",
    "#56ccf2",
    "#f2c94c",
    "#6fcf97",
    "#bb6bd9",
    "#828282",
)


def recent_closes(instrument_id: int, points: int = SPARK_POINTS) -> list[float]:
    """Closes of the newest candles of the finest interval that has enough history."""
    for interval in SPARK_INTERVALS:
        closes = db.session.scalars(
            select(Candle.close)
            .where(Candle.instrument_id == instrument_id, Candle.interval == interval)
            .order_by(Candle.open_time.desc())
            .limit(points)
        ).all()
        if len(closes) >= 2:
            return list(reversed(closes))
    return []


def sparkline(closes: list[float], width: int = SPARK_WIDTH, height: int = SPARK_HEIGHT) -> str:
    """SVG polyline `points` for closes scaled into width x height (1px padding)."""
    if len(closes) < 2:
        return ""
    low, high = min(closes), max(closes)
    span = (high - low) or 1.0
    step = width / (len(closes) - 1)
    return " ".join(
        f"{i * step:.1f},{1 + (height - 2) * (1 - (c - low) / span):.1f}"
        for i, c in enumerate(closes)
    )


@dataclass(frozen=True)
class Slice:
    label: str
    value: Decimal
    share: float
    path: str
    color: str


def allocation(parts: list[tuple[str, Decimal]], radius: float = 80.0) -> list[Slice]:
    """Donut slices (SVG arc paths around 0,0) of the positive parts, largest first."""
    positive = sorted(((k, v) for k, v in parts if v > 0), key=lambda p: p[1], reverse=True)
    total = sum((v for _, v in positive), Decimal(0))
    if not total:
        return []
    slices, angle = [], -math.pi / 2
    for index, (label, value) in enumerate(positive):
        share = float(value / total)
        sweep = min(share * 2 * math.pi, 2 * math.pi - 1e-4)
        end = angle + sweep
        large = 1 if sweep > math.pi else 0
        x1, y1 = radius * math.cos(angle), radius * math.sin(angle)
        x2, y2 = radius * math.cos(end), radius * math.sin(end)
        path = f"M {x1:.2f} {y1:.2f} A {radius} {radius} 0 {large} 1 {x2:.2f} {y2:.2f}"
        slices.append(Slice(label, value, share, path, PALETTE[index % len(PALETTE)]))
        angle = end
    return slices
