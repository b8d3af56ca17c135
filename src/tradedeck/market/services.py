"""Market use cases shared by the API, pages and CLI: symbols, candle ranges, quotes.

Other features call these (and `store.last_price`) rather than reading market tables.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import current_app

from tradedeck.core.candles import OHLCV, bucket_start, interval_seconds
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market import candle_cache, catalogue, quotes, store
from tradedeck.market.catalogue import UpsertResult
from tradedeck.market.models import Instrument, LastPrice
from tradedeck.market.providers.base import InstrumentInfo
from tradedeck.market.sources import provider_for, shared_provider
from tradedeck.venues import exchanges


class RangeError(DomainError):
    """A candle range that cannot be served (400 `invalid_range`); `field` names the
    parameter to fix."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, field=field, code="invalid_range")


@dataclass(frozen=True, slots=True)
class CandleRange:
    start: int
    end: int


def resolve_range(
    interval: str,
    start: int | None,
    end: int | None,
    limit: int,
    max_candles: int,
    now: float | None = None,
) -> CandleRange:
    """[start, end) from optional bounds: missing ones reach `limit` candles back from now/end."""
    seconds = interval_seconds(interval)
    horizon = int(bucket_start(int(now or time.time()), interval)) + seconds
    if end is None:
        end = horizon if start is None else min(horizon, start + limit * seconds)
    if start is None:
        start = end - limit * seconds
    if end <= start:
        raise RangeError("'end' must be after 'start'.", "end")
    if (end - start) / seconds > max_candles:
        raise RangeError(
            f"The range holds more than {max_candles} {interval} candles; narrow start/end.",
            "start",
        )
    return CandleRange(start, end)


def resolve_window(
    instrument: Instrument,
    interval: str,
    start: int | None,
    end: int | None,
    limit: int,
    max_candles: int,
) -> CandleRange:
    """`resolve_range` for one instrument. Asked for its latest candles (no `start`), a
    simulated or imported series reaches back to its `limit`-th stored candle, so nights,
    weekends and holidays of a venue that trades in sessions don't eat the count."""
    span = resolve_range(interval, start, end, limit, max_candles)
    if start is None and instrument.venue.kind in quotes.LOCAL_KINDS:
        first = store.nth_latest_open_time(instrument.id, interval, span.end, limit)
        if first is not None and first < span.start:
            return CandleRange(first, span.end)
    return span


def candles_for(instrument: Instrument, interval: str, span: CandleRange, limit: int) -> OHLCV:
    """Stored candles of the range; other venues' missing spans are fetched first.

    Raises ProviderError when a needed span cannot be fetched.
    """
    if instrument.venue.kind not in quotes.LOCAL_KINDS:
        store.ensure_range(
            instrument, interval, span.start, span.end, shared_provider(instrument.venue.code)
        )
    return store.read_candles(instrument.id, interval, span.start, span.end, limit)


def candles_json(
    instrument: Instrument,
    interval: str,
    span: CandleRange,
    limit: int,
    now: float | None = None,
) -> bytes:
    """The candles API's answer, `{symbol, venue, interval, candles}`, as encoded JSON bytes.

    Byte for byte what `jsonify` makes of `candles_for(…).records()`, but settled candles come
    from the process's cache of encoded JSON (`market.candle_cache`) while its version of the
    (instrument, interval) holds; the forming and just-closed candles are always read live.
    Raises ProviderError when a needed span cannot be fetched.
    """
    now = time.time() if now is None else now
    if instrument.venue.kind not in quotes.LOCAL_KINDS:
        provider = shared_provider(instrument.venue.code)
        store.ensure_range(
            instrument, interval, span.start, span.end, provider, datetime.fromtimestamp(now, UTC)
        )
    head, tail = candle_cache.envelope(instrument.symbol, instrument.venue.code, interval)
    cache = candle_cache.get_cache()
    grace = candle_cache.grace_seconds(current_app.config["TRADEDECK"].tick_interval_secs)
    settled = min(span.end, candle_cache.settled_before(now, interval, grace))
    # The version is read before any candle: what is read after it is at least that new.
    version = (
        store.candle_version(instrument.id, interval)
        if cache.enabled and settled > span.start
        else None
    )
    if version is None:
        series = store.read_candles(instrument.id, interval, span.start, span.end, limit)
        return head + candle_cache.encode_records(series) + tail
    live = (
        store.read_candles(instrument.id, interval, settled, span.end, limit)
        if settled < span.end
        else OHLCV.empty()
    )
    need = limit - len(live)
    parts: list[bytes | memoryview] = [head]
    if need > 0:
        key = (instrument.id, interval, span.start, settled, limit)
        cached = cache.get(key, version)
        if cached is None:
            prefix = store.read_candles(instrument.id, interval, span.start, settled, limit)
            cached = candle_cache.Encoded.of(prefix)
            cache.put(key, version, cached)
        prefix_bytes = cached.last(need)
        parts.append(prefix_bytes)
        if len(prefix_bytes) and len(live):
            parts.append(b",")
    parts += [candle_cache.encode_records(live), tail]
    return b"".join(parts)


def fetch_symbols(venue: str, symbols: list[str] | None = None) -> UpsertResult:
    """Pull a venue's symbol list into the catalogue (one transaction); ProviderError if down.

    Yahoo's stocks go to the venue of the exchange each trades on (`venues.exchanges`), and
    one already listed on another Yahoo-served venue moves there with its id, orders and
    positions, instead of being listed twice."""
    provider = provider_for(venue, symbols=symbols)
    infos = provider.list_symbols()
    if provider.venue != "YAHOO":
        result = catalogue.upsert_instruments(catalogue.ensure_venue(provider.venue), infos)
        db.session.commit()
        return result
    groups: dict[str, list[InstrumentInfo]] = {}
    places: dict[str, exchanges.YahooListing] = {}
    for info in infos:
        listing = exchanges.listing_for(info.symbol, info.exchange, info.exchange, info.timezone)
        places[listing.venue] = listing
        groups.setdefault(listing.venue, []).append(info)
    created = updated = 0
    for code, members in groups.items():
        place = places[code]
        venue_row = catalogue.ensure_venue(
            code, timezone=place.timezone, name=place.name, kind=exchanges.YAHOO_KIND
        )
        catalogue.adopt_instruments(venue_row, [i.symbol for i in members], exchanges.YAHOO_KIND)
        part = catalogue.upsert_instruments(venue_row, members)
        created, updated = created + part.created, updated + part.updated
    db.session.commit()
    return UpsertResult(created, updated)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def quote_json(instrument: Instrument, last: LastPrice | None) -> dict[str, Any]:
    """The API's quote of one instrument (decimal strings; nulls when never priced)."""
    body: dict[str, Any] = {
        "symbol": instrument.symbol,
        "venue": instrument.venue.code,
        "price": None,
        "previous_close": None,
        "change": None,
        "change_pct": None,
        "day_high": None,
        "day_low": None,
        "time": None,
    }
    if last is None:
        return body
    tick = (instrument.tick_size if instrument.tick_size > 0 else Decimal("1e-8")).normalize()
    body.update(
        price=_text(last.price.quantize(tick)),
        previous_close=_text(last.previous_close.quantize(tick)) if last.previous_close else None,
        day_high=_text(last.day_high.quantize(tick)) if last.day_high else None,
        day_low=_text(last.day_low.quantize(tick)) if last.day_low else None,
        time=last.updated_at.isoformat(),
    )
    if last.previous_close:
        change = last.price - last.previous_close
        body["change"] = _text(change.quantize(tick))
        body["change_pct"] = str((change / last.previous_close * 100).quantize(Decimal("0.01")))
    return body


def quotes_for(instruments: list[Instrument]) -> list[dict[str, Any]]:
    """Quotes of `instruments`, external ones refreshed first when stale (`quotes.refresh`).

    `stale` is true when an exchange/Yahoo quote could not be refreshed (provider down,
    rate-limited, unknown symbol): `price` is then the last stored one (or null).
    """
    failed = quotes.refresh(instruments).failed
    prices = store.last_prices(i.id for i in instruments)
    return [quote_json(i, prices.get(i.id)) | {"stale": i.id in failed} for i in instruments]
