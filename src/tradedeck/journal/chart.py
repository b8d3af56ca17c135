"""The chart at an entry: stored candles around the trade drawn as an SVG on the entry page.

Drawn from the candle store when the page is shown rather than captured as an image, so it
costs no storage and matches the chart the trader saw (the same stored bars): 1-hour candles
from 48 bars before the entry to 12 after the exit (or the entry), with the entry and exit
prices as lines. An entry whose symbol is not in the catalogue, or with no stored candles
there, has no chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradedeck.core.errors import DomainError
from tradedeck.journal.models import JournalEntry
from tradedeck.market import store
from tradedeck.market.catalogue import get_instrument

INTERVAL, SECONDS = "1h", 3600
BEFORE, AFTER, MAX_BARS = 48, 12, 400
WIDTH, HEIGHT, PAD = 640, 220, 8


@dataclass(frozen=True)
class Bar:
    x: float
    wick_top: float
    wick_bottom: float
    body_top: float
    body_height: float
    up: bool


@dataclass(frozen=True)
class EntryChart:
    bars: list[Bar]
    bar_width: float
    entry_y: float
    exit_y: float | None
    entry_x: float
    width: int = WIDTH
    height: int = HEIGHT


def entry_chart(entry: JournalEntry) -> EntryChart | None:
    try:
        instrument = get_instrument(entry.symbol)
    except DomainError:
        return None
    start = int(entry.entry_at.timestamp()) - BEFORE * SECONDS
    last = entry.exit_at or entry.entry_at
    end = int(last.timestamp()) + AFTER * SECONDS
    c = store.read_candles(instrument.id, INTERVAL, start, end, MAX_BARS)
    if len(c.time) < 2:
        return None
    levels = [float(entry.entry_price)] + ([float(entry.exit_price)] if entry.exit_price else [])
    top, bottom = max(c.high.max(), *levels), min(c.low.min(), *levels)
    span = (top - bottom) or 1.0
    step = (WIDTH - 2 * PAD) / len(c.time)

    def y(price: float) -> float:
        return round(PAD + (top - price) / span * (HEIGHT - 2 * PAD), 2)

    bars = [
        Bar(
            x=round(PAD + i * step, 2),
            wick_top=y(h),
            wick_bottom=y(lo),
            body_top=y(max(o, cl)),
            body_height=max(round(y(min(o, cl)) - y(max(o, cl)), 2), 0.5),
            up=cl >= o,
        )
        for i, (o, h, lo, cl) in enumerate(zip(c.open, c.high, c.low, c.close, strict=True))
    ]
    entry_index = int((c.time <= entry.entry_at.timestamp()).sum()) - 1
    return EntryChart(
        bars=bars,
        bar_width=round(max(step * 0.7, 1.0), 2),
        entry_y=y(float(entry.entry_price)),
        exit_y=y(float(entry.exit_price)) if entry.exit_price else None,
        entry_x=round(PAD + max(entry_index, 0) * step + step * 0.35, 2),
    )
