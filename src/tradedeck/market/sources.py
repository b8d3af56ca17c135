"""Which provider serves a venue, built from the app's settings.

`SIM` is the offline simulated market, `YAHOO` and every stock exchange venue (NYSE, NASDAQ,
NSE, BSE… and any venue of kind `yahoo`) stocks through Yahoo Finance, and any other code is a
ccxt exchange by name (`BINANCE`, `KRAKEN`, `COINBASE`...). Only Binance's base
URL is configurable (TRADEDECK_BINANCE_URL): it is the default crypto venue and the one the
tests replace with a fake server.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import ccxt
from cachetools import TTLCache
from flask import Flask, current_app, has_request_context

from tradedeck.config import Config
from tradedeck.extensions import db
from tradedeck.market import catalogue
from tradedeck.market.models import LastPrice
from tradedeck.market.providers.base import InstrumentInfo, MarketDataProvider, ProviderError
from tradedeck.market.providers.exchange import ExchangeProvider
from tradedeck.market.providers.simulated import SimInstrument, SimulatedProvider
from tradedeck.market.providers.yahoo import YahooProvider
from tradedeck.venues import exchanges

# Yahoo has no symbol directory: "fetch symbols" describes these unless the user names others.
DEFAULT_YAHOO_SYMBOLS = (
    "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY", "QQQ",
    "RELIANCE.NS", "TCS.NS", "INFY.NS", "HDFCBANK.NS",
)  # fmt: skip
POPULAR_EXCHANGES = ("binance", "coinbase", "kraken", "bybit", "okx", "kucoin", "bitstamp")
# Seconds before the first retry of a failed provider call; tests shrink it via app.config.
BACKOFF_KEY = "MARKET_PROVIDER_BACKOFF"
PROVIDERS_KEY = "tradedeck.market.providers"
PROVIDER_TTL_SECS = 3_600.0  # a kept provider (ccxt markets, HTTP session) is rebuilt hourly
MAX_KEPT_PROVIDERS = 32
# Outside web requests (worker, CLI) a provider call may take longer than a user waits.
WORKER_TIMEOUT_SECS = 10.0
WORKER_RETRIES = 4


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
    """A new provider for `venue`; raises ProviderError naming the venue when none exists.

    `timeout_seconds` / `max_retries` (per HTTP request, retries of a transient failure)
    default to `budget`: short inside a web request, longer in the worker and CLI. Callers
    that serve data use `shared_provider`, which keeps one per venue.
    """
    config = config or current_app.config["TRADEDECK"]
    backoff = float(current_app.config.get(BACKOFF_KEY, 0.5))
    web_timeout, web_retries = budget(config, has_request_context())
    limits: dict[str, Any] = {
        "timeout_seconds": web_timeout if timeout_seconds is None else timeout_seconds,
        "max_retries": web_retries if max_retries is None else max_retries,
    }
    code = catalogue.normalize_venue(venue)
    if code == "SIM":
        return _simulated(config)
    if is_yahoo_venue(code):
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


def is_yahoo_venue(code: str) -> bool:
    """Whether Yahoo Finance serves `code`'s prices: YAHOO itself, a listed stock exchange, or
    a venue created for an exchange only Yahoo knows (kind `yahoo`)."""
    if code == "YAHOO" or exchanges.exchange_of(code) is not None:
        return True
    known = catalogue.get_venue(code)
    return known is not None and known.kind == exchanges.YAHOO_KIND


def budget(config: Config, web: bool) -> tuple[float, int]:
    """(timeout seconds, retries) of a provider call: PROVIDER_WEB_TIMEOUT_SECS and
    PROVIDER_WEB_RETRIES inside web requests, where a user waits and a server thread is
    held; WORKER_TIMEOUT_SECS and WORKER_RETRIES elsewhere."""
    if web:
        return config.provider_web_timeout_secs, config.provider_web_retries
    return WORKER_TIMEOUT_SECS, WORKER_RETRIES


class _Kept:
    """The app's providers by (venue, budget, settings), each for at most PROVIDER_TTL_SECS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.providers: TTLCache[tuple[Any, ...], MarketDataProvider] = TTLCache(
            MAX_KEPT_PROVIDERS, PROVIDER_TTL_SECS
        )


def _kept(app: Flask) -> _Kept:
    kept = app.extensions.get(PROVIDERS_KEY)
    if kept is None:
        kept = app.extensions.setdefault(PROVIDERS_KEY, _Kept())
    return kept


def shared_provider(venue: str, *, web: bool | None = None) -> MarketDataProvider:
    """The app's provider for `venue`, built once and reused (ccxt loads its markets once,
    HTTP sessions keep their connections) instead of one per request.

    `web` picks the budget (default: whether a request is being served). Providers are
    thread-safe (ccxt calls are serialised per provider, curl sessions are per thread).
    SIM's provider mirrors the catalogue, so it is built fresh each time.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config["TRADEDECK"]
    code = catalogue.normalize_venue(venue)
    if code == "SIM":
        return provider_for(code, config)
    web = has_request_context() if web is None else web
    timeout_seconds, max_retries = budget(config, web)
    key = (code, web, config, app.config.get(BACKOFF_KEY))
    kept = _kept(app)
    with kept.lock:
        provider = kept.providers.get(key)
        if provider is None:
            provider = provider_for(
                code, config, timeout_seconds=timeout_seconds, max_retries=max_retries
            )
            kept.providers[key] = provider
    return provider


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
