"""Live quotes for exchange and Yahoo instruments: stale last prices are fetched again.

The price engine writes the last prices of simulated instruments. Instruments on external
venues (a ccxt exchange such as BINANCE, or YAHOO) get theirs here: `refresh` asks their
providers, with one `batch_quotes` call per venue, for the quotes of the instruments whose
stored price is missing or older than QUOTE_MAX_AGE_SECS, and stores them as last prices.
It runs in three places:

- `services.quotes_for`, so `/api/v1/prices`, the tickers page and the stream snapshot answer
  with fresh quotes;
- the worker's `market.quotes` loop task (`refresh_working`, every QUOTE_POLL_SECS) for the
  instruments the trading feature watches (`set_watched_instruments`: open positions or
  working orders), which then hands the refreshed ids to the order cycle (limit/stop
  triggers) through the `market.tick` signal;
- `refresh_for_order`, before an order on such an instrument is priced.

Freshness: for external instruments `LastPrice.updated_at` is when a provider last confirmed
the price (not the exchange's trade time), so a stock whose market is closed is asked for
once per QUOTE_MAX_AGE_SECS instead of on every request.

Failures never reach the caller as exceptions. A `ProviderError` (offline, rate limit,
unknown symbol, malformed answer) is logged and reported in the `RefreshResult`; the stored
price stays. After a venue-wide failure this process leaves the venue alone for a backoff
(QUOTE_MAX_AGE_SECS, at least 5 s, doubling per further failure up to 5 minutes), so a dead
provider costs one short attempt per period instead of a slow request each time; a symbol the
venue does not know is backed off on its own. Provider calls use the web requests' short
budget (PROVIDER_WEB_TIMEOUT_SECS, PROVIDER_WEB_RETRIES) because they run inside web requests
and the worker's loop (beside the price engine).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from tradedeck.database import utcnow
from tradedeck.extensions import db, events
from tradedeck.market import store
from tradedeck.market.engine import TICK_SIGNAL, TickEvent
from tradedeck.market.models import Instrument, LastPrice, Venue
from tradedeck.market.providers.base import MarketDataProvider, ProviderError, Quote
from tradedeck.market.sources import budget, shared_provider

log = logging.getLogger(__name__)
STATE_KEY = "tradedeck.market.quotes"
LOCAL_KINDS = ("simulated", "csv")  # prices come from the engine or imports, never polled
WATCHED_KEY = "tradedeck.market.watched_instruments"
MIN_BACKOFF_SECS = 5.0
MAX_BACKOFF_SECS = 300.0
_MONEY = Decimal("0.00000001")
_clock = time.monotonic  # tests may replace it to step over backoffs


@dataclass
class RefreshResult:
    """What one `refresh` did, per instrument id (instruments of local venues appear nowhere).

    - `refreshed`: a provider's quote was stored; the stored price.
    - `fresh`: the stored price was young enough; nothing was asked.
    - `failed`: could not be refreshed (why, fit to show a user); any stored price is kept.
    - `calls`: `batch_quotes` calls made per venue code.
    """

    refreshed: dict[int, Decimal] = field(default_factory=dict)
    fresh: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def merge(self, other: RefreshResult) -> None:
        self.refreshed.update(other.refreshed)
        self.fresh.extend(other.fresh)
        self.failed.update(other.failed)
        for venue, n in other.calls.items():
            self.calls[venue] = self.calls.get(venue, 0) + n


@dataclass
class _VenueState:
    """One venue's refresher in this process: serialised calls and backoffs."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: int = 0
    retry_at: float = 0.0
    error: str = ""
    symbol_retry: dict[str, tuple[float, str]] = field(default_factory=dict)


class _AppState:
    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.venues: dict[str, _VenueState] = {}

    def venue(self, code: str) -> _VenueState:
        with self.guard:
            return self.venues.setdefault(code, _VenueState())


def _state() -> _AppState:
    extensions = current_app.extensions
    state = extensions.get(STATE_KEY)
    if state is None:
        state = extensions.setdefault(STATE_KEY, _AppState())
    return state


def is_external(instrument: Instrument) -> bool:
    """True for instruments whose price comes from a provider (exchanges, Yahoo)."""
    return instrument.venue.kind not in LOCAL_KINDS


def max_age() -> float:
    return float(current_app.config["TRADEDECK"].quote_max_age_secs)


# --- refresh -------------------------------------------------------------------------------


def refresh(
    instruments_or_ids: Iterable[Instrument | int],
    max_age_secs: float | None = None,
    *,
    now: datetime | None = None,
) -> RefreshResult:
    """Fetch and store the quotes of external instruments whose price is missing or stale.

    Takes Instrument rows or ids (ids of unknown instruments are ignored); instruments of
    simulated and CSV venues are skipped without a query. When nothing is stale this costs
    one small query and no provider call. Otherwise each venue gets one `batch_quotes` call
    (a second one only when the first named a symbol the venue does not list), the quotes are
    stored as last prices and committed. Never raises ProviderError.

    It commits the session: call it before starting a transaction of your own (it keeps
    loaded objects unexpired across that commit, so callers can keep using them).
    """
    now = now or utcnow()
    limit = max_age() if max_age_secs is None else float(max_age_secs)
    instruments = _external(instruments_or_ids)
    result = RefreshResult()
    if not instruments:
        return result
    stored = _stored_times([i.id for i in instruments])
    due: dict[str, list[Instrument]] = {}
    for instrument in instruments:
        if _is_fresh(stored.get(instrument.id), now, limit):
            result.fresh.append(instrument.id)
        else:
            due.setdefault(instrument.venue.code, []).append(instrument)
    for code, members in due.items():
        result.merge(_refresh_venue(code, members, now, limit))
    return result


def refresh_for_order(instrument_id: int, *, now: datetime | None = None) -> bool:
    """Make sure an order on `instrument_id` can be priced; True when a usable price is stored.

    - External venue (exchange, Yahoo): refreshes the quote when it is older than
      QUOTE_MAX_AGE_SECS (at most one provider call, short timeout, one retry), then returns
      True only if the stored price is now at most that old. False when the provider failed
      (or is in its backoff after a recent failure) and the stored price is stale or missing.
    - Simulated or CSV venue: no provider call; True when any last price is stored (the
      engine or an import keeps it).
    - Unknown instrument: False.

    Never raises ProviderError. It commits the session when it stored a quote (and rolls it
    back if storing failed), so call it before the order's own transaction (before
    `lock_account`), never inside it. `refresh([instrument_id])` does the same work and says
    why in `failed[instrument_id]` (e.g. to answer "no fresh price for X: <reason>").
    """
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None:
        return False
    if not is_external(instrument):
        return store.last_price(instrument_id) is not None
    result = refresh([instrument], now=now)
    return instrument_id in result.refreshed or instrument_id in result.fresh


def refresh_working(now: datetime | None = None) -> RefreshResult:
    """Worker loop task: refresh external instruments with open positions or working orders.

    Refreshed instruments are announced as ticks on the `market.tick` signal (no forming
    candles), which the trading feature's subscriber turns into `process_orders(instrument_ids)`
    so limit and stop orders react without waiting for the next order cycle.
    """
    instruments = working_instruments()
    if not instruments:
        return RefreshResult()
    result = refresh(instruments, now=now)
    if result.refreshed:
        _announce([i for i in instruments if i.id in result.refreshed], now or utcnow())
    if result.failed:
        log.info("quotes not refreshed: %s", result.failed)
    return result


def set_watched_instruments(app: Flask, watched: Callable[[], Select[tuple[int]]]) -> None:
    """Install the query of instrument ids the worker keeps priced between requests (the
    trading feature's: held or with working orders). Without one, the worker polls nothing."""
    app.extensions[WATCHED_KEY] = watched


def working_instruments() -> list[Instrument]:
    """External instruments among the watched ones (`set_watched_instruments`)."""
    watched = current_app.extensions.get(WATCHED_KEY)
    if watched is None:
        return []
    stmt = (
        select(Instrument)
        .join(Venue, Venue.id == Instrument.venue_id)
        .where(Venue.kind.not_in(LOCAL_KINDS), Instrument.id.in_(watched()))
        .order_by(Instrument.id)
    )
    return list(db.session.scalars(stmt))


# --- internals -----------------------------------------------------------------------------


def _external(items: Iterable[Instrument | int]) -> list[Instrument]:
    rows: dict[int, Instrument] = {}
    ids: list[int] = []
    for item in items:
        if isinstance(item, Instrument):
            if is_external(item):
                rows.setdefault(item.id, item)
        else:
            ids.append(int(item))
    missing = [i for i in ids if i not in rows]
    if missing:
        for row in db.session.scalars(select(Instrument).where(Instrument.id.in_(missing))):
            if is_external(row):
                rows.setdefault(row.id, row)
    return list(rows.values())


def _stored_times(ids: Sequence[int]) -> dict[int, datetime]:
    """When each stored price was last written, read from the database (not the session)."""
    stmt = select(LastPrice.instrument_id, LastPrice.updated_at).where(
        LastPrice.instrument_id.in_(ids)
    )
    return {iid: when for iid, when in db.session.execute(stmt)}


def _is_fresh(when: datetime | None, now: datetime, limit: float) -> bool:
    return when is not None and (now - when).total_seconds() <= limit


def _backoff_secs(failures: int, limit: float) -> float:
    return min(max(limit, MIN_BACKOFF_SECS) * 2 ** max(failures - 1, 0), MAX_BACKOFF_SECS)


def _refresh_venue(
    code: str, members: list[Instrument], now: datetime, limit: float
) -> RefreshResult:
    result = RefreshResult()
    venue = _state().venue(code)
    clock = _clock()
    if clock < venue.retry_at:
        wait = venue.retry_at - clock
        for i in members:
            result.failed[i.id] = f"{venue.error} (next try in {wait:.0f} s)"
        return result
    ask = []
    for i in members:
        backoff = venue.symbol_retry.get(i.symbol)
        if backoff is not None and clock < backoff[0]:
            result.failed[i.id] = backoff[1]
        else:
            ask.append(i)
    if not ask:
        return result
    waited = not venue.lock.acquire(blocking=False)
    if waited and not venue.lock.acquire(timeout=_lock_wait()):
        for i in ask:
            result.failed[i.id] = f"Another refresh of {code} quotes is still running."
        return result
    try:
        if waited:  # another thread just refreshed this venue: ask only for what is still due
            if _clock() < venue.retry_at:
                for i in ask:
                    result.failed[i.id] = venue.error
                return result
            stored = _stored_times([i.id for i in ask])
            result.fresh += [i.id for i in ask if _is_fresh(stored.get(i.id), now, limit)]
            ask = [i for i in ask if i.id not in result.fresh]
        if ask:
            _fetch_and_store(code, venue, ask, now, limit, result)
    finally:
        venue.lock.release()
    return result


def _lock_wait() -> float:
    """Seconds to wait for this process's other refresh of a venue: its whole budget."""
    timeout, retries = budget(current_app.config["TRADEDECK"], web=True)
    return timeout * (retries + 1) + 1


def _provider(code: str) -> MarketDataProvider:
    """The venue's kept provider (ccxt loads its markets only once), with the short budget
    of web requests wherever the refresh runs: it runs beside the price engine too."""
    return shared_provider(code, web=True)


def _batch(
    code: str, provider: MarketDataProvider, symbols: list[str], result: RefreshResult
) -> tuple[dict[str, Quote], dict[str, str]]:
    """One batch call; a symbol the venue does not list is dropped and the rest asked again."""
    rejected: dict[str, str] = {}
    remaining = list(symbols)
    while remaining:
        result.calls[code] = result.calls.get(code, 0) + 1
        try:
            return provider.batch_quotes(remaining), rejected
        except ProviderError as exc:
            if exc.retryable or exc.symbol is None or exc.symbol not in remaining:
                raise
            rejected[exc.symbol] = exc.message
            remaining.remove(exc.symbol)
    return {}, rejected


def _fetch_and_store(
    code: str,
    venue: _VenueState,
    ask: list[Instrument],
    now: datetime,
    limit: float,
    result: RefreshResult,
) -> None:
    by_symbol = {i.symbol: i for i in ask}
    try:
        quotes, rejected = _batch(code, _provider(code), list(by_symbol), result)
    except ProviderError as exc:
        venue.failures += 1
        venue.retry_at = _clock() + _backoff_secs(venue.failures, limit)
        venue.error = exc.message
        log.warning("%s quotes failed (%d in a row): %s", code, venue.failures, exc.message)
        for i in ask:
            result.failed[i.id] = exc.message
        return
    except Exception as exc:  # a provider bug must not fail the page or the worker loop
        log.exception("%s quotes failed unexpectedly", code)
        for i in ask:
            result.failed[i.id] = f"{code} quotes failed: {exc}"
        return
    venue.failures, venue.retry_at, venue.error = 0, 0.0, ""
    good: list[tuple[Instrument, Quote, Decimal]] = []
    for symbol, instrument in by_symbol.items():
        quote = quotes.get(symbol)
        price = _money(quote.price) if quote is not None else None
        if quote is not None and price is not None and price > 0:
            venue.symbol_retry.pop(symbol, None)
            good.append((instrument, quote, price))
            continue
        problem = rejected.get(symbol) or (
            f"{code} sent no quote for {symbol!r} (unknown or delisted symbol?)."
        )
        venue.symbol_retry[symbol] = (_clock() + _backoff_secs(1, limit), problem)
        result.failed[instrument.id] = problem
        log.warning("%s quote of %s failed: %s", code, symbol, problem)
    if good and _store(good, now):
        result.refreshed.update({i.id: price for i, _, price in good})
    elif good:
        for i, _, _ in good:
            result.failed[i.id] = "The quote could not be stored; try again."


def _money(value: Decimal | None) -> Decimal | None:
    """A provider's number on the Money grid (8 decimals), or None."""
    if value is None or not value.is_finite():
        return None
    return value.quantize(_MONEY, rounding=ROUND_HALF_EVEN)


def _store(good: list[tuple[Instrument, Quote, Decimal]], now: datetime) -> bool:
    """Write the quotes as last prices and commit; a lost insert race is retried once."""
    for attempt in range(2):
        store.last_prices(i.id for i, _, _ in good)  # one query instead of one get() each
        for instrument, quote, price in good:
            row = store.set_last_price(instrument.id, price, now, _money(quote.previous_close))
            if quote.volume is not None and quote.volume.is_finite():
                row.volume = float(quote.volume)
        try:
            _commit_keeping_objects()
            return True
        except IntegrityError:  # another process inserted the same new row first
            db.session.rollback()
            if attempt:
                log.exception("could not store quotes")
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("could not store quotes")
            return False
    return False


def _commit_keeping_objects() -> None:
    """Commit without expiring loaded rows, so the caller's instruments need no reload."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def _announce(instruments: list[Instrument], now: datetime) -> None:
    """Publish refreshed quotes on `market.tick` (order triggers, in-process SSE streams)."""
    prices = store.last_prices(i.id for i in instruments)
    ticks = [
        TickEvent(
            i.id,
            i.symbol,
            i.venue.code,
            prices[i.id].price,
            prices[i.id].previous_close,
            int(now.timestamp()),
            {},
        )
        for i in instruments
        if i.id in prices
    ]
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        events.signal(TICK_SIGNAL).send(app, ticks=ticks)
    except Exception:  # the quotes are stored; the order cycle will still see them
        log.exception("a tick subscriber failed on refreshed quotes")
        db.session.rollback()
