"""The provider interface shared by the simulated market, ccxt exchanges, Yahoo and CSV files.

Providers are pure I/O adapters: they return plain dataclasses and `OHLCV` arrays and know
nothing about the database, so the candle store and the API can treat every venue alike.
Quotes leave a provider as `Decimal` (converted from the text form, never from float
arithmetic) because they feed orders and cash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from tradedeck.core.candles import OHLCV


class ProviderError(Exception):
    """A market-data failure with a message fit to show a user.

    `retryable` tells callers (jobs, the candle store) whether trying later may help.
    """

    def __init__(
        self, message: str, *, provider: str, symbol: str | None = None, retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
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
