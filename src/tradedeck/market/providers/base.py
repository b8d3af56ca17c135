"""The provider interface shared by the simulated market, ccxt exchanges, Yahoo and CSV files.

Providers are pure I/O adapters: they return plain dataclasses and `OHLCV` arrays and know
nothing about the database, so the candle store and the API can treat every venue alike.
Quotes leave a provider as `Decimal` (converted from the text form, never from float
arithmetic) because they feed orders and cash.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from tenacity import RetryCallState, Retrying, retry_if_exception

from tradedeck.core.candles import OHLCV
from tradedeck.core.errors import DomainError


class ProviderError(DomainError):
    """A market-data failure with a message fit to show a user.

    `retryable` tells callers (jobs, the candle store) whether trying later may help. As a
    DomainError it answers for itself: 503 `provider_unavailable` on `venue` when trying later
    may help (offline, rate limited), else 502 `provider_error` on `symbol` (or `venue` when
    no symbol was involved), e.g. a symbol the venue does not list.
    """

    def __init__(
        self, message: str, *, provider: str, symbol: str | None = None, retryable: bool = False
    ) -> None:
        if retryable:
            status, code, field = 503, "provider_unavailable", "venue"
        else:
            status, code, field = 502, "provider_error", "symbol" if symbol else "venue"
        super().__init__(message, field=field, code=code, status=status)
        self.provider = provider
        self.symbol = symbol
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class InstrumentInfo:
    """One tradable symbol as a venue describes it (what the catalogue stores)."""

    symbol: str
    name: str
    venue: str
    asset_class: str
    base: str
    quote: str
    tick_size: Decimal | None = None
    lot_size: Decimal | None = None
    min_qty: Decimal | None = None
    status: str = "active"
    # Where the provider says it trades, when that is not `venue` (Yahoo: `NMS`, `NSI`…).
    exchange: str | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """Latest price of a symbol; `time` is timezone-aware UTC."""

    symbol: str
    price: Decimal
    time: datetime
    previous_close: Decimal | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    volume: Decimal | None = None
    currency: str | None = None

    @property
    def change_pct(self) -> Decimal | None:
        if not self.previous_close:
            return None
        return (self.price - self.previous_close) / self.previous_close * 100


@runtime_checkable
class MarketDataProvider(Protocol):
    """What the catalogue, candle store and price API need from a venue."""

    venue: str

    def list_symbols(self) -> list[InstrumentInfo]: ...

    def fetch_ohlcv(self, symbol: str, interval: str, start: datetime, end: datetime) -> OHLCV:
        """Candles whose open time lies in [start, end), sorted, without duplicates."""
        ...

    def latest_quote(self, symbol: str) -> Quote: ...

    def batch_quotes(self, symbols: list[str]) -> dict[str, Quote]: ...


def to_decimal(value: object) -> Decimal | None:
    """Decimal from a JSON number or string via its text form (no binary float residue)."""
    if value is None or value == "":
        return None
    return Decimal(str(value))


def epoch_seconds(when: datetime) -> int:
    """UTC epoch seconds; naive datetimes are taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp())


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def retry_after_seconds(headers: Mapping[str, Any] | None) -> float | None:
    """Seconds a `Retry-After` header (delta seconds or an HTTP date) asks us to wait."""
    if not headers:
        return None
    value = next((v for k, v in headers.items() if str(k).lower() == "retry-after"), None)
    if value is None:
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def retrying(
    *,
    transient: Callable[[BaseException], bool],
    max_retries: int,
    backoff_seconds: float,
    max_backoff_seconds: float,
    sleep: Callable[[float], None],
) -> Retrying:
    """The one retry policy of the HTTP providers: read-only calls that failed transiently
    (`transient`: timeouts, connection errors, 5xx, 429) are tried again up to `max_retries`
    times, waiting `backoff_seconds` doubling up to `max_backoff_seconds`, or what the
    error's `retry_after` (from a Retry-After header) asks; when that is longer than
    `max_backoff_seconds` the call gives up at once instead. The last error is re-raised."""

    def asked(state: RetryCallState) -> float | None:
        error = state.outcome.exception() if state.outcome else None
        return getattr(error, "retry_after", None)

    def wait(state: RetryCallState) -> float:
        delay = asked(state)
        if delay is not None:
            return delay
        return min(backoff_seconds * 2 ** (state.attempt_number - 1), max_backoff_seconds)

    def stop(state: RetryCallState) -> bool:
        delay = asked(state)
        too_long = delay is not None and delay > max_backoff_seconds
        return state.attempt_number > max_retries or too_long

    return Retrying(
        retry=retry_if_exception(transient),
        stop=stop,
        wait=wait,
        sleep=sleep,
        reraise=True,
    )
