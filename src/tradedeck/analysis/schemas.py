"""Request and response models of the analytics API (validated by flask-openapi3)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tradedeck.api.schemas import QueryModel
from tradedeck.core.analytics import MAX_CANDLES
from tradedeck.core.candles import INTERVALS
from tradedeck.market.schemas import bounded_time

MAX_QUERY_LENGTH = 200


def parse_time(value: str | None) -> int | None:
    """Epoch seconds from epoch seconds or an ISO date/datetime (no zone means UTC), within
    1900..2200 (`bounded_time`)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.lstrip("-").isdigit():
        return bounded_time(int(text))
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return bounded_time(int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()))
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("expected an ISO date, ISO datetime or epoch seconds") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return bounded_time(int(when.timestamp()))


class AnalyticsQuery(QueryModel):
    """Fixed query keys; per-study parameters come as extra `<study>.<param>` keys."""

    model_config = ConfigDict(extra="allow")

    symbol: str = Field(min_length=1, max_length=60)
    venue: str | None = Field(None, max_length=32, description="Disambiguates the symbol.")
    interval: str = Field("15m", description="1m, 5m, 15m, 30m, 1h, 4h, 1d or 1w.")
    start: str | None = Field(
        None, description="ISO date/datetime or epoch seconds (UTC); default: 1,000 bars back."
    )
    end: str | None = Field(
        None, description="Exclusive, like /api/v1/candles; default: after the latest candle."
    )
    studies: str = Field(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description="Comma-separated: sma ema rsi atr macd bollinger swings structure (bos) gaps "
        "fvg order_blocks (ob) liquidity previous_hl. Parameters: `swings.length=5`.",
    )

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        if value not in INTERVALS:
            raise ValueError(f"expected one of {', '.join(INTERVALS)}")
        return value

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        parse_time(value)
        return value


class StudyPath(BaseModel):
    study: str = Field(max_length=40, description="A study name or alias (bos, ob).")


class CandlesBody(BaseModel):
    """Caller-supplied candles; each row `{time, open, high, low, close, volume?}`."""

    data: list[dict[str, Any]] = Field(
        max_length=MAX_CANDLES,
        description=f"Candles sorted by unique time (ISO-8601 or epoch seconds), at most "
        f"{MAX_CANDLES:,}; prices finite numbers with high >= low.",
    )
    params: dict[str, Any] = Field(default_factory=dict, description="The study's parameters.")


class StudyResult(BaseModel):
    """ANALYTICS.md: `events` for pattern studies, `values` for indicators."""

    model_config = ConfigDict(extra="allow")

    study: str
    params: dict[str, Any]
    events: list[dict[str, Any]] | None = None
    values: Any = None


class AnalyticsOut(BaseModel):
    symbol: str
    venue: str
    interval: str
    start: int = Field(description="Epoch seconds of the window's start.")
    end: int = Field(description="Exclusive end, epoch seconds.")
    time: list[int] = Field(description="Open time of each bar in the window (values align).")
    studies: dict[str, StudyResult]


class SwingMarker(BaseModel):
    time: int
    type: str = Field(description="high or low")
    level: float
    confirmed_time: int
    position: str = Field(description="aboveBar (highs) or belowBar (lows)")
    shape: str = Field(description="arrowDown (highs) or arrowUp (lows)")


class SwingMarkers(BaseModel):
    markers: list[SwingMarker]


class StructureLine(BaseModel):
    from_time: int = Field(description="The broken swing's bar.")
    to_time: int = Field(description="The bar whose close (or wick) broke it.")
    level: float
    direction: str = Field(description="bullish or bearish")
    kind: str = Field(description="BOS or CHoCH")


class StructureLines(BaseModel):
    lines: list[StructureLine]


class GapBox(BaseModel):
    from_time: int
    to_time: int | None = Field(description="The filling bar; null while open (right edge).")
    top: float
    bottom: float
    direction: str = Field(description="up or down")


class GapBoxes(BaseModel):
    gaps: list[GapBox]
