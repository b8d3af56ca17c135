"""The portfolio page's allocation donut: each holding's (and cash's) share as an SVG arc,
computed on the server so the page needs no chart script."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

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


@dataclass(frozen=True)
class Slice:
    """One part of the donut: its share of the total and the arc that draws it."""

    label: str
    value: Decimal
    share: float
    path: str
    color: str


def slices(parts: list[tuple[str, Decimal]], radius: float = 80.0) -> list[Slice]:
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
