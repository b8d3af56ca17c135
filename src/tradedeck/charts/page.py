"""What `/chart` shows: the query string (a shareable URL) merged with the
remembered state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tradedeck.charts.schemas import OVERLAYS, ChartPrefs
from tradedeck.core.candles import INTERVALS

DEFAULT_INTERVAL = "15m"
PICKER_INTERVALS = ("1m", "5m", "15m", "1h", "4h", "1d")
PRESETS = (("1D", 1), ("1W", 7), ("1M", 30), ("3M", 91), ("1Y", 365))


class PageArgError(ValueError):
    """A bad query parameter of the chart page; `field` names it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ChartRequest:
    symbol: str | None
    venue: str | None
    interval: str
    start: date | None
    end: date | None
    overlays: dict[str, Any]
    timezone: str

    @property
    def start_epoch(self) -> int | None:
        return None if self.start is None else _epoch(self.start)

    @property
    def end_epoch(self) -> int | None:
        """Exclusive end: the day after `endDate`, which the user means inclusively."""
        return None if self.end is None else _epoch(self.end + timedelta(days=1))


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _date(args: dict[str, str], field: str) -> date | None:
    text = (args.get(field) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PageArgError(f"{field} must be a date like 2024-01-31.", field) from None


def _overlays(args: dict[str, str], prefs: ChartPrefs) -> dict[str, Any]:
    """Remembered overlays; `overlays=a,b` (shared links, the benchmark) turns exactly those on."""
    chosen = {k: v.model_dump() for k, v in prefs.overlays.items()}
    if "overlays" not in args:
        return chosen
    names = [n.strip() for n in args["overlays"].split(",") if n.strip()]
    if names == ["all"]:
        names = list(OVERLAYS)
    for name in names:
        if name not in OVERLAYS:
            raise PageArgError(f"overlays: unknown overlay {name!r}.", "overlays")
    return {
        name: {"on": name in names, "params": chosen.get(name, {}).get("params", {})}
        for name in OVERLAYS
    }


def parse_chart_args(args: dict[str, str], prefs: ChartPrefs) -> ChartRequest:
    """Validate the page's query string; anything missing comes from the user's last chart."""
    interval = (args.get("interval") or prefs.interval or DEFAULT_INTERVAL).strip()
    if interval not in INTERVALS:
        raise PageArgError(f"interval must be one of {', '.join(INTERVALS)}.", "interval")
    start, end = _date(args, "startDate"), _date(args, "endDate")
    if start and end and end < start:
        raise PageArgError("endDate must not be before startDate.", "endDate")
    symbol = (args.get("symbol") or "").strip() or None
    venue = (args.get("venue") or "").strip().upper() or None
    if symbol is None:
        symbol, venue = prefs.symbol, venue or prefs.venue
    return ChartRequest(
        symbol=symbol,
        venue=venue,
        interval=interval,
        start=start,
        end=end,
        overlays=_overlays(args, prefs),
        timezone=prefs.timezone,
    )
