"""Which provider serves a venue, built from the app's settings.

`SIM` is the offline simulated market, `YAHOO` stocks through Yahoo Finance, and any other
code is a ccxt exchange by name (`BINANCE`, `KRAKEN`, `COINBASE`...). Only Binance's base
URL is configurable (TRADEDECK_BINANCE_URL): it is the default crypto venue and the one the
tests replace with a fake server.
"""

from __future__ import annotations

from decimal import Decimal

import ccxt
from flask import current_app

from tradedeck.config import Config
from tradedeck.extensions import db
from tradedeck.market import catalogue
from tradedeck.market.models import LastPrice
from tradedeck.market.providers.base import InstrumentInfo, MarketDataProvider, ProviderError
from tradedeck.market.providers.exchange import ExchangeProvider
from tradedeck.market.providers.simulated import SimInstrument, SimulatedProvider
from tradedeck.market.providers.yahoo import YahooProvider

# Yahoo has no symbol directory: "fetch symbols" describes these unless the user names others.
DEFAULT_YAHOO_SYMBOLS = (
    "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY", "QQQ",
    "RELIANCE.NS", "TCS.NS", "INFY.NS", "HDFCBANK.NS",
)  # fmt: skip
POPULAR_EXCHANGES = ("binance", "coinbase", "kraken", "bybit", "okx", "kucoin", "bitstamp")
# Seconds before the first retry of a failed provider call; tests shrink it via app.config.
BACKOFF_KEY = "MARKET_PROVIDER_BACKOFF"


def is_exchange(code: str) -> bool:
    return code.strip().lower() in ccxt.exchanges


def provider_for(
    venue: str,
    config: Config | None = None,
    *,
    symbols: list[str] | None = None,
    timeout_seconds: float | None = None,
    max_retries: int | None = None,
) -> MarketDataProvider:
    """A provider for `venue`; raises ProviderError naming the venue when none exists.

    `timeout_seconds` / `max_retries` override the HTTP providers' defaults (per request and
    retries of a transient failure); the quote refresher keeps them short because it runs
    inside web requests and the worker's loop.
    """
    config = config or current_app.config["TRADEDECK"]
    backoff = float(current_app.config.get(BACKOFF_KEY, 0.5))
    limits: dict[str, float | int] = {}
    if timeout_seconds is not None:
        limits["timeout_seconds"] = timeout_seconds
    if max_retries is not None:
        limits["max_retries"] = max_retries
    code = catalogue.normalize_venue(venue)
    if code == "SIM":
        return _simulated(config)
    if code == "YAHOO":
        return YahooProvider(
            config.yahoo_url,
            symbols=symbols or list(DEFAULT_YAHOO_SYMBOLS),
            backoff_seconds=backoff,
            **limits,
        )
    if not is_exchange(code):
        raise ProviderError(
            f"Unknown venue or exchange {venue!r}; use SIM, YAHOO or a ccxt exchange such as "
            f"{', '.join(POPULAR_EXCHANGES)}.",
            provider=code,
        )
    base_url = config.binance_url if code == "BINANCE" else None
    return ExchangeProvider(
        code.lower(),
        base_url=base_url,
        backoff_seconds=backoff,
        **limits,
    )


def _simulated(config: Config) -> SimulatedProvider:
    rows = []
    for inst in catalogue.simulated_instruments():
        last = db.session.get(LastPrice, inst.id)
        rows.append(
            SimInstrument(
                InstrumentInfo(
                    symbol=inst.symbol,
                    name=inst.name,
                    venue=inst.venue.code,
                    asset_class=inst.asset_class,
                    base=inst.base,
                    quote=inst.quote,
                    tick_size=inst.tick_size,
                    lot_size=inst.lot_size,
                    min_qty=inst.min_qty,
                ),
                last.price if last else Decimal("100"),
                float(inst.sim_drift) if inst.sim_drift is not None else None,
                float(inst.sim_volatility) if inst.sim_volatility is not None else None,
            )
        )
    return SimulatedProvider(
        rows,
        default_drift=float(config.default_drift),
        default_volatility=float(config.default_volatility),
        max_tick_pct=float(config.max_tick_pct),
    )
