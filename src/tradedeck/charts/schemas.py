"""Request and response models of the chart API (drawings and chart preferences)."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from tradedeck.api.schemas import QueryModel
from tradedeck.charts.models import ChartDrawing
from tradedeck.core.candles import INTERVALS
from tradedeck.database import ID_MAX

OVERLAYS = (
    "swings",
    "structure",
    "gaps",
    "fvg",
    "order_blocks",
    "liquidity",
    "rsi",
    "sma",
    "ema",
)
"""Overlay keys of the toolbar; each is an analytics study of the same name."""

MAX_EPOCH = 7_258_118_400
"""2200-01-01: the latest time a drawing point may carry (as the market queries accept)."""
ParamValue = int | float | bool | Annotated[str, StringConstraints(max_length=64)]
ParamName = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class Point(BaseModel):
    time: int = Field(ge=0, le=MAX_EPOCH, description="UTC epoch seconds.")
    price: float = Field(ge=-1e15, le=1e15)

    @field_validator("price")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


def _check_points(kind: str, points: list[Point]) -> None:
    wanted = 2 if kind == "trend" else 1
    if len(points) != wanted:
        raise ValueError(f"a {kind} drawing takes {wanted} point(s), got {len(points)}")


class InstrumentRef(QueryModel):
    symbol: str = Field(min_length=1, max_length=60)
    venue: str = Field(min_length=1, max_length=32)


class DrawingIn(InstrumentRef):
    kind: Literal["trend", "hline"]
    points: list[Point] = Field(min_length=1, max_length=2)

    @field_validator("points")
    @classmethod
    def _points_fit_kind(cls, points: list[Point], info: ValidationInfo) -> list[Point]:
        if "kind" in info.data:  # a bad kind is reported on its own field
            _check_points(info.data["kind"], points)
        return points


class DrawingPatch(BaseModel):
    points: list[Point] = Field(min_length=1, max_length=2)


class DrawingPath(BaseModel):
    drawing_id: int = Field(ge=1, le=ID_MAX)


class DrawingOut(BaseModel):
    id: int
    symbol: str
    venue: str
    kind: str
    points: list[Point]
    updated_at: str

    @classmethod
    def of(cls, d: ChartDrawing) -> DrawingOut:
        return cls(
            id=d.id,
            symbol=d.symbol,
            venue=d.venue,
            kind=d.kind,
            points=[Point(**p) for p in d.points],
            updated_at=d.updated_at.isoformat(),
        )


class DrawingList(BaseModel):
    drawings: list[DrawingOut]


class Cleared(BaseModel):
    deleted: int


class OverlayPref(BaseModel):
    on: bool = False
    params: dict[ParamName, ParamValue] = Field(default_factory=dict, max_length=8)


class ChartPrefs(BaseModel):
    """What the chart remembers per user: last instrument, interval, overlays, time zone."""

    symbol: str | None = Field(None, max_length=60)
    venue: str | None = Field(None, max_length=32)
    interval: str | None = None
    timezone: Literal["utc", "local"] = "local"
    overlays: dict[str, OverlayPref] = Field(default_factory=dict)

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: str | None) -> str | None:
        if value is not None and value not in INTERVALS:
            raise ValueError(f"expected one of {', '.join(INTERVALS)}")
        return value

    @field_validator("overlays")
    @classmethod
    def _known_overlays(cls, value: dict[str, OverlayPref]) -> dict[str, OverlayPref]:
        unknown = sorted(set(value) - set(OVERLAYS))
        if unknown:
            known = ", ".join(OVERLAYS)
            raise ValueError(f"unknown overlay {unknown[0]!r}; expected one of {known}")
        return value
