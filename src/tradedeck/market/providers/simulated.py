"""Provider for venue SIM: the offline default market, backed by `core.simulation`.

It holds no state of its own: the caller passes the instruments and a function giving
each symbol's current price (the price engine's state), so it stays free of the database.
History is generated so that it ends at the current price and is deterministic for a
given seed, symbol, end time and price, which makes backfills reproducible.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from tradedeck.core.candles import OHLCV, interval_seconds, resample
from tradedeck.core.simulation import generate_history
from tradedeck.market.providers.base import (
    InstrumentInfo,
    ProviderError,
    Quote,
    epoch_seconds,
)

VENUE = "SIM"

PriceState = Callable[[str], tuple[Decimal, datetime] | None]


@dataclass(frozen=True, slots=True)
class SimInstrument:
    """A simulated instrument; drift/volatility of None fall back to the provider defaults."""

    info: InstrumentInfo
    price: Decimal
    drift: float | None = None
    volatility: float | None = None


class SimulatedProvider:
    venue = VENUE

    def __init__(
        self,
        instruments: Sequence[SimInstrument],
        *,
        price_state: PriceState | None = None,
        seed: int = 0,
        default_drift: float = 0.0001,
        default_volatility: float = 0.02,
        max_tick_pct: float = 0.05,
        tick_seconds: int = 2,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._instruments = {i.info.symbol: i for i in instruments}
        self._price_state = price_state
        self._seed = seed
        self._drift = default_drift
        self._volatility = default_volatility
        self._max_tick_pct = max_tick_pct
        self._tick_seconds = tick_seconds
        self._clock = clock

    def _get(self, symbol: str) -> SimInstrument:
        try:
            return self._instruments[symbol]
        except KeyError:
            raise ProviderError(
                f"Unknown simulated symbol {symbol!r}.", provider=VENUE, symbol=symbol
            ) from None

    def list_symbols(self) -> list[InstrumentInfo]:
        return [i.info for i in self._instruments.values()]

    def latest_quote(self, symbol: str) -> Quote:
        inst = self._get(symbol)
        state = self._price_state(symbol) if self._price_state else None
        price, when = state if state else (inst.price, self._clock())
        return Quote(symbol=symbol, price=Decimal(str(price)), time=when, currency=inst.info.quote)

    def batch_quotes(self, symbols: list[str]) -> dict[str, Quote]:
        return {s: self.latest_quote(s) for s in symbols}

    def fetch_ohlcv(self, symbol: str, interval: str, start: datetime, end: datetime) -> OHLCV:
        """Generated 1m history for [start, end) ending at the current price, resampled."""
        inst = self._get(symbol)
        seconds = interval_seconds(interval)
        t0, t1 = epoch_seconds(start), epoch_seconds(end)
        if t1 <= t0:
            return OHLCV.empty()
        first = t0 // seconds * seconds
        minutes = (t1 - first + 59) // 60 + 1
        tick = inst.info.tick_size
        history = generate_history(
            float(self.latest_quote(symbol).price),
            first + 60 * minutes,
            minutes / 1440,
            drift=self._drift if inst.drift is None else inst.drift,
            volatility=self._volatility if inst.volatility is None else inst.volatility,
            seed=zlib.crc32(f"{self._seed}:{symbol}:{t1}".encode()),
            tick_seconds=self._tick_seconds,
            max_tick_pct=self._max_tick_pct,
            tick_size=float(tick) if tick else None,
        )
        return resample(history, interval).between(t0, t1)
