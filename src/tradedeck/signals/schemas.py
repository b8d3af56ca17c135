"""Request and response models of the watchlist, pattern, signal and scan API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tradedeck.api.schemas import QueryModel
from tradedeck.database import ID_MAX
from tradedeck.signals.models import Pattern, Signal, SignalRule, Watchlist, WatchlistItem

Interval = Literal["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"]
Kind = Literal["fvg", "order_block", "liquidity_sweep", "bos", "choch"]
Status = Literal["active", "mitigated", "filled", "invalidated", "expired"]
_ID = Field(ge=1, le=ID_MAX)


class WatchlistIn(BaseModel):
    name: str = Field(min_length=1, max_length=60)
    timeframes: list[Interval] = Field(default=["15m", "1h", "4h"], min_length=1, max_length=4)
    symbols: list[str] = Field(
        default=[],
        max_length=200,
        description="Catalogue symbols, aliases or `VENUE:SYMBOL`.",
    )


class WatchlistPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    timeframes: list[Interval] | None = Field(default=None, min_length=1, max_length=4)


class WatchlistItemIn(BaseModel):
    symbol: str = Field(min_length=1, max_length=60)
    venue: str | None = Field(default=None, min_length=1, max_length=32)


class WatchlistPath(BaseModel):
    watchlist_id: int = _ID


class WatchlistItemPath(WatchlistPath):
    item_id: int = _ID


class WatchlistItemOut(BaseModel):
    id: int
    symbol: str
    venue: str
    instrument_id: int

    @classmethod
    def of(cls, item: WatchlistItem) -> WatchlistItemOut:
        return cls(
            id=item.id,
            symbol=item.instrument.symbol,
            venue=item.instrument.venue.code,
            instrument_id=item.instrument_id,
        )


class WatchlistOut(BaseModel):
    id: int
    name: str
    timeframes: list[str]
    items: list[WatchlistItemOut]

    @classmethod
    def of(cls, w: Watchlist) -> WatchlistOut:
        return cls(
            id=w.id,
            name=w.name,
            timeframes=list(w.timeframes),
            items=[WatchlistItemOut.of(i) for i in w.items],
        )


class WatchlistList(BaseModel):
    watchlists: list[WatchlistOut]


class PatternQuery(QueryModel):
    symbol: str | None = Field(default=None, max_length=60)
    interval: Interval | None = None
    kind: Kind | None = None
    direction: Literal["bullish", "bearish"] | None = None
    status: Status | None = None
    limit: int = Field(default=100, ge=1, le=500)


class PatternPath(BaseModel):
    pattern_id: int = _ID


class PatternOut(BaseModel):
    """A pattern; prices are decimal strings, bar times epoch seconds (chart times)."""

    id: int
    symbol: str
    venue: str
    interval: str
    kind: str
    direction: str
    status: str
    time: int
    confirmed_time: int
    status_time: int | None
    top: str
    bottom: str
    entry: str
    stop: str
    target: str
    atr: str
    detected_at: str
    chart_url: str

    @classmethod
    def of(cls, p: Pattern, chart_url: str) -> PatternOut:
        return cls(
            id=p.id,
            symbol=p.instrument.symbol,
            venue=p.instrument.venue.code,
            interval=p.interval,
            kind=p.kind,
            direction=p.direction,
            status=p.status,
            time=p.bar_time,
            confirmed_time=p.confirmed_time,
            status_time=p.status_time,
            top=str(p.top),
            bottom=str(p.bottom),
            entry=str(p.entry),
            stop=str(p.stop),
            target=str(p.target),
            atr=str(p.atr),
            detected_at=p.detected_at.isoformat(),
            chart_url=chart_url,
        )


class PatternDetail(PatternOut):
    """One pattern as its chart highlight needs it: its kind's display label, when an active
    one expires by time (null once resolved: `status_time` ends it) and the best score of the
    caller's signals built on it (null when none is)."""

    label: str
    expires_time: int | None
    score: int | None


class PatternList(BaseModel):
    patterns: list[PatternOut]


class SignalRuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=60)
    higher: Interval = "4h"
    middle: Interval = "1h"
    lower: Interval = "15m"
    min_score: int = Field(default=60, ge=0, le=100)


class SignalRulePath(BaseModel):
    rule_id: int = _ID


class SignalRuleOut(BaseModel):
    id: int
    name: str
    higher: str
    middle: str
    lower: str
    min_score: int
    enabled: bool

    @classmethod
    def of(cls, r: SignalRule) -> SignalRuleOut:
        return cls(
            id=r.id,
            name=r.name,
            higher=r.higher,
            middle=r.middle,
            lower=r.lower,
            min_score=r.min_score,
            enabled=r.enabled,
        )


class SignalRuleList(BaseModel):
    rules: list[SignalRuleOut]


class SignalQuery(QueryModel):
    limit: int = Field(default=100, ge=1, le=500)


class SignalOut(BaseModel):
    id: int
    symbol: str
    venue: str
    direction: str
    score: int
    reasons: list[str]
    entry: str
    stop: str
    target: str
    timeframes: list[str]
    zone_pattern_id: int | None
    trigger_pattern_id: int | None
    created_at: str

    @classmethod
    def of(cls, s: Signal) -> SignalOut:
        return cls(
            id=s.id,
            symbol=s.instrument.symbol,
            venue=s.instrument.venue.code,
            direction=s.direction,
            score=s.score,
            reasons=list(s.reasons),
            entry=str(s.entry),
            stop=str(s.stop),
            target=str(s.target),
            timeframes=list((s.details or {}).get("timeframes", [])),
            zone_pattern_id=s.zone_pattern_id,
            trigger_pattern_id=s.trigger_pattern_id,
            created_at=s.created_at.isoformat(),
        )


class SignalList(BaseModel):
    signals: list[SignalOut]


class ScanOut(BaseModel):
    scanned: int = Field(description="Series (instrument x timeframe) scanned.")
    new_patterns: int
    patterns: list[PatternOut]


class FetchOut(BaseModel):
    stored: int = Field(description="Candles stored from exchange/Yahoo venues.")
