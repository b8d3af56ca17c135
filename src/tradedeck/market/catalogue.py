"""The instrument catalogue: venues, upserting a provider's symbol list, search and lookup.

Symbols are stored exactly as the venue spells them (`BTC/USDT`, `RELIANCE.NS`), so lookups
compare the raw string; a symbol may exist on several venues, which `venue` disambiguates
(or the `VENUE:SYMBOL` form used in batch lists).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select

from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, Venue
from tradedeck.market.providers.base import InstrumentInfo
from tradedeck.venues import exchanges

# Known venues: code -> (name, kind). Real stock exchanges (NYSE, NSE…) come from
# `venues.exchanges`; any other ccxt exchange is created on first use.
KNOWN_VENUES: dict[str, tuple[str, str]] = {
    "SIM": ("Simulated market", "simulated"),
    "BINANCE": ("Binance", "exchange"),
    "YAHOO": ("Yahoo Finance", "yahoo"),
    "CSV": ("Imported files", "csv"),
}
MAX_SEARCH_RESULTS = 500


class CatalogueError(DomainError, LookupError):
    """A symbol or venue that cannot be resolved; `field` names the offending input.

    A DomainError with its HTTP `status` (404 unknown, 409 ambiguous), so every caller (API,
    orders, pages, CLI) answers the same symbol the same way.
    """

    def __init__(self, message: str, *, code: str, field: str, status: int = 404) -> None:
        super().__init__(message, field=field, code=code)
        self.status = status


@dataclass(frozen=True, slots=True)
class UpsertResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def normalize_venue(code: str) -> str:
    return code.strip().upper()


def get_venue(code: str) -> Venue | None:
    return db.session.scalar(select(Venue).where(Venue.code == normalize_venue(code)))


def ensure_venue(
    code: str,
    *,
    timezone: str = "UTC",
    currency: str = "USD",
    name: str | None = None,
    kind: str | None = None,
) -> Venue:
    """The venue row for `code`, created with its known name/kind (else `name`/`kind`, a ccxt
    exchange by default); a stock exchange (`venues.exchanges`) with its own name, time zone
    and currency, trading in sessions from the start."""
    code = normalize_venue(code)
    venue = get_venue(code)
    if venue is None:
        exchange = exchanges.exchange_of(code)
        if exchange is not None:
            venue = Venue(
                code=code,
                name=exchange.name,
                kind=exchanges.YAHOO_KIND,
                timezone=exchange.timezone,
                currency=exchange.currency,
                always_open=False,
            )
        else:
            known_name, known_kind = KNOWN_VENUES.get(
                code, (name or code.title(), kind or "exchange")
            )
            venue = Venue(
                code=code, name=known_name, kind=known_kind, timezone=timezone, currency=currency
            )
        db.session.add(venue)
        db.session.flush()
    return venue


def list_venues() -> list[Venue]:
    return list(db.session.scalars(select(Venue).order_by(Venue.code)))


def _apply(instrument: Instrument, info: InstrumentInfo) -> None:
    instrument.name = info.name[:120]
    instrument.asset_class = info.asset_class[:16]
    instrument.base = info.base[:20]
    instrument.quote = info.quote[:20]
    instrument.status = info.status[:16]
    for attr in ("tick_size", "lot_size", "min_qty"):
        value: Decimal | None = getattr(info, attr)
        if value is not None:
            setattr(instrument, attr, value.quantize(Decimal("0.00000001")))


def upsert_instruments(venue: Venue, infos: Iterable[InstrumentInfo]) -> UpsertResult:
    """Insert new symbols and refresh known ones; the caller commits (one transaction)."""
    existing = {
        i.symbol: i
        for i in db.session.scalars(select(Instrument).where(Instrument.venue_id == venue.id))
    }
    created = updated = 0
    for info in infos:
        instrument = existing.get(info.symbol)
        if instrument is None:
            instrument = Instrument(venue_id=venue.id, symbol=info.symbol)
            db.session.add(instrument)
            existing[info.symbol] = instrument
            created += 1
        else:
            updated += 1
        _apply(instrument, info)
    db.session.flush()
    return UpsertResult(created, updated)


def adopt_instruments(venue: Venue, symbols: Iterable[str], kind: str) -> int:
    """Move instruments named `symbols` from other venues of `kind` to `venue` (same rows,
    so their orders, positions and candles follow), unless `venue` lists the symbol already."""
    wanted = set(symbols)
    if not wanted:
        return 0
    here = set(
        db.session.scalars(
            select(Instrument.symbol).where(
                Instrument.venue_id == venue.id, Instrument.symbol.in_(wanted)
            )
        )
    )
    movable = db.session.scalars(
        select(Instrument)
        .join(Instrument.venue)
        .where(
            Venue.kind == kind,
            Venue.id != venue.id,
            Instrument.symbol.in_(wanted - here),
        )
    )
    moved = 0
    for instrument in movable:
        if instrument.symbol in here:
            continue
        instrument.venue_id = venue.id
        here.add(instrument.symbol)
        moved += 1
    db.session.flush()
    return moved


def search_instruments(
    q: str = "", venue: str | None = None, limit: int = MAX_SEARCH_RESULTS
) -> list[Instrument]:
    """Instruments whose symbol or name contains `q` (case-insensitive); exact symbols first."""
    stmt = select(Instrument).join(Instrument.venue)
    if venue:
        stmt = stmt.where(Venue.code == normalize_venue(venue))
    text = q.strip()
    if text:
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(
            or_(
                func.lower(Instrument.symbol).like(pattern, escape="\\"),
                func.lower(Instrument.name).like(pattern, escape="\\"),
            )
        )
        exact = func.lower(Instrument.symbol) == text.lower()
        stmt = stmt.order_by(exact.desc(), Venue.code, Instrument.symbol)
    else:
        stmt = stmt.order_by(Venue.code, Instrument.symbol)
    return list(db.session.scalars(stmt.limit(limit)))


def count_by_venue() -> dict[str, int]:
    rows = db.session.execute(
        select(Venue.code, func.count(Instrument.id))
        .join(Instrument, Instrument.venue_id == Venue.id)
        .group_by(Venue.code)
    )
    return {code: count for code, count in rows}


def split_qualified(symbol: str) -> tuple[str | None, str]:
    """`BINANCE:BTC/USDT` -> ("BINANCE", "BTC/USDT"); a plain symbol has no venue (nor has
    a ccxt derivative such as `BTC/USDT:USDT`, whose colon follows the slash)."""
    venue, sep, rest = symbol.partition(":")
    if sep and venue and rest and "/" not in venue:
        return normalize_venue(venue), rest
    return None, symbol


def alias_key(symbol: str) -> str:
    """What a symbol and its exchange-native spelling share: `BTC/USDT`, `btcusdt` -> BTCUSDT."""
    return symbol.replace("/", "").upper()


def get_instrument(symbol: str, venue: str | None = None, *, field: str = "symbol") -> Instrument:
    """The one symbol resolver of the API, orders, pages and CLI.

    `symbol` is a catalogue symbol (`BTC/USDT`), `VENUE:SYMBOL`, or an alias: any case, or
    the exchange-native spelling without the slash (`BTCUSDT`), used when no symbol matches
    exactly. CatalogueError `unknown_symbol` (404, on `field`) when nothing matches,
    `ambiguous_symbol` (409) naming the `VENUE:SYMBOL` choices when several venues do.
    """
    qualified_venue, symbol = split_qualified(symbol.strip())
    venue = venue or qualified_venue
    stmt = select(Instrument).join(Instrument.venue)
    if venue:
        stmt = stmt.where(Venue.code == normalize_venue(venue))
    found = list(db.session.scalars(stmt.where(Instrument.symbol == symbol).limit(10)))
    if not found:
        key = func.upper(func.replace(Instrument.symbol, "/", ""))
        found = list(db.session.scalars(stmt.where(key == alias_key(symbol)).limit(10)))
    if not found:
        where = f" on venue {normalize_venue(venue)}" if venue else ""
        raise CatalogueError(
            f"Unknown symbol {symbol!r}{where}.", code="unknown_symbol", field=field
        )
    if len(found) > 1:
        choices = ", ".join(sorted(f"{i.venue.code}:{i.symbol}" for i in found))
        raise CatalogueError(
            f"Symbol {symbol!r} matches several instruments: {choices}; "
            "name one as VENUE:SYMBOL or pass venue=.",
            code="ambiguous_symbol",
            field="venue",
            status=409,
        )
    return found[0]


def simulated_instruments() -> list[Instrument]:
    """Active instruments of simulated venues, in id order (the price engine's row order)."""
    stmt = (
        select(Instrument)
        .join(Instrument.venue)
        .where(Venue.kind == "simulated", Instrument.status == "active")
        .order_by(Instrument.id)
    )
    return list(db.session.scalars(stmt))
