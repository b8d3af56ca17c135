"""Watchlist use cases and the pattern / signal queries behind the pages and the API."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from tradedeck.core.candles import INTERVALS
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market.catalogue import get_instrument
from tradedeck.market.models import Instrument
from tradedeck.signals.models import Pattern, Signal, SignalRule, Watchlist, WatchlistItem

MAX_WATCHLISTS = 20
MAX_ITEMS = 200
MAX_TIMEFRAMES = 4
DEFAULT_TIMEFRAMES = ("15m", "1h", "4h")
PAGE_MAX = 500
_QUANTUM = Decimal("0.00000001")


class WatchlistError(DomainError):
    """Bad watchlist input (400), an unknown list (404) or a full one (409)."""

    def __init__(self, message: str, field: str, status: int = 400) -> None:
        code = {404: "not_found", 409: "limit_reached"}.get(status, "invalid")
        super().__init__(message, field=field, code=code, status=status)


def price(value: float) -> Decimal:
    """A float level as an 8-place Decimal (the money columns' precision)."""
    return Decimal(repr(float(value))).quantize(_QUANTUM)


def display_price(value: Decimal) -> str:
    """A level as pages and notifications show it: about six significant digits (at least
    two decimals from 1 up, up to eight below 1), trailing zeros dropped."""
    magnitude = abs(value)
    places = max(2, 6 - len(str(int(magnitude)))) if magnitude >= 1 else 8
    text = f"{value.quantize(Decimal(1).scaleb(-places)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_timeframes(timeframes: Sequence[str], field: str = "timeframes") -> list[str]:
    """Known intervals, de-duplicated and ordered from the shortest."""
    chosen = list(dict.fromkeys(t.strip() for t in timeframes if t.strip()))
    unknown = [t for t in chosen if t not in INTERVALS]
    if unknown:
        raise WatchlistError(
            f"Unknown timeframe {unknown[0]!r}; choose from {', '.join(INTERVALS)}.", field
        )
    if not 1 <= len(chosen) <= MAX_TIMEFRAMES:
        raise WatchlistError(f"Choose 1 to {MAX_TIMEFRAMES} timeframes.", field)
    return sorted(chosen, key=INTERVALS.__getitem__)


def list_watchlists(user_id: int) -> list[Watchlist]:
    stmt = select(Watchlist).where(Watchlist.user_id == user_id).order_by(Watchlist.id)
    return list(db.session.scalars(stmt))


def get_watchlist(user_id: int, watchlist_id: int) -> Watchlist:
    watchlist = db.session.get(Watchlist, watchlist_id)
    if watchlist is None or watchlist.user_id != user_id:
        raise WatchlistError(f"No watchlist {watchlist_id}.", "watchlist_id", 404)
    return watchlist


def create_watchlist(
    user_id: int, name: str, timeframes: Sequence[str], symbols: Iterable[str] = ()
) -> Watchlist:
    """A new list; `symbols` are catalogue symbols or `VENUE:SYMBOL` (404/409 on `symbols`)."""
    name = name.strip()
    if not name:
        raise WatchlistError("Give the watchlist a name.", "name")
    count = db.session.scalar(select(func.count(Watchlist.id)).where(Watchlist.user_id == user_id))
    if (count or 0) >= MAX_WATCHLISTS:
        raise WatchlistError(f"At most {MAX_WATCHLISTS} watchlists.", "name", 409)
    if _named(user_id, name) is not None:
        raise WatchlistError(f"You already have a watchlist named {name!r}.", "name", 409)
    watchlist = Watchlist(user_id=user_id, name=name, timeframes=check_timeframes(timeframes))
    db.session.add(watchlist)
    for symbol in symbols:
        _add(watchlist, get_instrument(symbol, field="symbols"))
    db.session.commit()
    return watchlist


def _named(user_id: int, name: str) -> Watchlist | None:
    return db.session.scalar(
        select(Watchlist).where(Watchlist.user_id == user_id, Watchlist.name == name)
    )


def update_watchlist(
    user_id: int, watchlist_id: int, name: str | None, timeframes: Sequence[str] | None
) -> Watchlist:
    watchlist = get_watchlist(user_id, watchlist_id)
    if name is not None and name.strip() != watchlist.name:
        name = name.strip()
        if not name:
            raise WatchlistError("Give the watchlist a name.", "name")
        if _named(user_id, name) is not None:
            raise WatchlistError(f"You already have a watchlist named {name!r}.", "name", 409)
        watchlist.name = name
    if timeframes is not None:
        watchlist.timeframes = check_timeframes(timeframes)
    db.session.commit()
    return watchlist


def delete_watchlist(user_id: int, watchlist_id: int) -> None:
    db.session.delete(get_watchlist(user_id, watchlist_id))
    db.session.commit()


def _add(watchlist: Watchlist, instrument: Instrument) -> WatchlistItem:
    for item in watchlist.items:
        if item.instrument_id == instrument.id:
            return item
    if len(watchlist.items) >= MAX_ITEMS:
        raise WatchlistError(f"At most {MAX_ITEMS} symbols per watchlist.", "symbol", 409)
    item = WatchlistItem(instrument=instrument, instrument_id=instrument.id)
    watchlist.items.append(item)
    return item


def add_symbol(user_id: int, watchlist_id: int, symbol: str, venue: str | None) -> WatchlistItem:
    """Add a catalogue instrument (already listed: unchanged)."""
    watchlist = get_watchlist(user_id, watchlist_id)
    item = _add(watchlist, get_instrument(symbol, venue, field="symbol"))
    db.session.commit()
    return item


def remove_item(user_id: int, watchlist_id: int, item_id: int) -> None:
    watchlist = get_watchlist(user_id, watchlist_id)
    item = next((i for i in watchlist.items if i.id == item_id), None)
    if item is None:
        raise WatchlistError(f"No item {item_id} in this watchlist.", "item_id", 404)
    watchlist.items.remove(item)
    db.session.commit()


def _rule_timeframes(user_id: int | None) -> dict[int, set[str]]:
    stmt = select(SignalRule).where(SignalRule.enabled.is_(True))
    if user_id is not None:
        stmt = stmt.where(SignalRule.user_id == user_id)
    out: dict[int, set[str]] = {}
    for rule in db.session.scalars(stmt):
        out.setdefault(rule.user_id, set()).update((rule.higher, rule.middle, rule.lower))
    return out


def watched_pairs(user_id: int | None = None) -> dict[int, set[str]]:
    """instrument id -> timeframes anyone (or `user_id`) watches it on: the watchlists'
    timeframes plus those of the owner's enabled signal rules."""
    stmt = select(Watchlist.user_id, WatchlistItem.instrument_id, Watchlist.timeframes).join(
        Watchlist
    )
    if user_id is not None:
        stmt = stmt.where(Watchlist.user_id == user_id)
    rules = _rule_timeframes(user_id)
    pairs: dict[int, set[str]] = {}
    for owner, instrument_id, timeframes in db.session.execute(stmt):
        wanted = pairs.setdefault(instrument_id, set())
        wanted.update(timeframes or ())
        wanted.update(rules.get(owner, ()))
    return pairs


def watchers(instrument_id: int) -> dict[int, list[int]]:
    """user id -> ids of that user's watchlists holding the instrument."""
    stmt = (
        select(Watchlist.user_id, Watchlist.id)
        .join(WatchlistItem)
        .where(WatchlistItem.instrument_id == instrument_id)
    )
    out: dict[int, list[int]] = {}
    for user_id, watchlist_id in db.session.execute(stmt):
        out.setdefault(user_id, []).append(watchlist_id)
    return out


@dataclass(frozen=True)
class PatternFilter:
    """What the patterns table and `GET /api/v1/patterns` filter on (all optional)."""

    symbol: str | None = None
    interval: str | None = None
    kind: str | None = None
    direction: str | None = None
    status: str | None = None
    limit: int = 100


def list_patterns(user_id: int, f: PatternFilter) -> list[Pattern]:
    """Patterns of the user's watched instruments and timeframes, newest confirmation first."""
    pairs = watched_pairs(user_id)
    if not pairs:
        return []
    by_interval: dict[str, list[int]] = {}
    for instrument_id, timeframes in pairs.items():
        for interval in timeframes:
            by_interval.setdefault(interval, []).append(instrument_id)
    watched = or_(
        *(
            and_(Pattern.interval == interval, Pattern.instrument_id.in_(ids))
            for interval, ids in by_interval.items()
        )
    )
    stmt = select(Pattern).where(watched)
    if f.symbol:
        stmt = stmt.join(Instrument, Pattern.instrument_id == Instrument.id)
        stmt = stmt.where(func.upper(Instrument.symbol).contains(f.symbol.strip().upper()))
    for column, value in (
        (Pattern.interval, f.interval),
        (Pattern.kind, f.kind),
        (Pattern.direction, f.direction),
        (Pattern.status, f.status),
    ):
        if value:
            stmt = stmt.where(column == value)
    stmt = stmt.order_by(Pattern.confirmed_time.desc(), Pattern.id.desc())
    return list(db.session.scalars(stmt.limit(min(f.limit, PAGE_MAX))))


def get_pattern(user_id: int, pattern_id: int) -> Pattern:
    pattern = db.session.get(Pattern, pattern_id)
    pairs = watched_pairs(user_id)
    if pattern is None or pattern.interval not in pairs.get(pattern.instrument_id, ()):
        raise WatchlistError(f"No pattern {pattern_id}.", "pattern_id", 404)
    return pattern


def pattern_score(user_id: int, pattern_id: int) -> int | None:
    """The best score among the user's signals using the pattern as zone or trigger."""
    uses = or_(Signal.zone_pattern_id == pattern_id, Signal.trigger_pattern_id == pattern_id)
    return db.session.scalar(select(func.max(Signal.score)).where(Signal.user_id == user_id, uses))


def list_signals(user_id: int, limit: int = 100) -> list[Signal]:
    stmt = (
        select(Signal)
        .where(Signal.user_id == user_id)
        .order_by(Signal.created_at.desc(), Signal.id.desc())
        .limit(min(limit, PAGE_MAX))
    )
    return list(db.session.scalars(stmt))


MAX_RULES = 10


def list_rules(user_id: int) -> list[SignalRule]:
    stmt = select(SignalRule).where(SignalRule.user_id == user_id).order_by(SignalRule.id)
    return list(db.session.scalars(stmt))


def create_rule(
    user_id: int, name: str, higher: str, middle: str, lower: str, min_score: int
) -> SignalRule:
    """A confluence rule; its timeframes must run from higher to lower."""
    name = name.strip()
    if not name:
        raise WatchlistError("Give the rule a name.", "name")
    for field, value in (("higher", higher), ("middle", middle), ("lower", lower)):
        check_timeframes([value], field)
    if not INTERVALS[higher] > INTERVALS[middle] > INTERVALS[lower]:
        raise WatchlistError("Timeframes must run from higher to middle to lower.", "middle")
    if not 0 <= min_score <= 100:
        raise WatchlistError("The minimum score is between 0 and 100.", "min_score")
    count = db.session.scalar(
        select(func.count(SignalRule.id)).where(SignalRule.user_id == user_id)
    )
    if (count or 0) >= MAX_RULES:
        raise WatchlistError(f"At most {MAX_RULES} signal rules.", "name", 409)
    rule = SignalRule(
        user_id=user_id, name=name, higher=higher, middle=middle, lower=lower, min_score=min_score
    )
    db.session.add(rule)
    db.session.commit()
    return rule


def delete_rule(user_id: int, rule_id: int) -> None:
    rule = db.session.get(SignalRule, rule_id)
    if rule is None or rule.user_id != user_id:
        raise WatchlistError(f"No signal rule {rule_id}.", "rule_id", 404)
    db.session.delete(rule)
    db.session.commit()
