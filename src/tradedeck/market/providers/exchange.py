"""Crypto exchanges through ccxt (Binance by default, any ccxt exchange by name).

ccxt does the exchange-specific work (request signing, symbol mapping, rate limits with
`enableRateLimit`); this module adds what TradeDeck needs on top: pagination over any date
range, bounded retries of 429/5xx/timeouts honouring Retry-After (`base.retrying`), strict
JSON parsing (ccxt silently turns malformed JSON into an empty result) and one
`ProviderError` with a message a user can act on.

`base_url` (setting TRADEDECK_BINANCE_URL for Binance) replaces the scheme and host of
every REST root in the exchange's ``urls['api']`` (api/v3 and also sapi, fapi, dapi...),
keeping each path, so no request can leak to the real host. For Binance, markets are
loaded from spot only and ccxt's margin/currency calls (sapi, which need keys) are off.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

import ccxt

from tradedeck.core.candles import OHLCV, interval_seconds
from tradedeck.market.providers.base import (
    InstrumentInfo,
    ProviderError,
    Quote,
    epoch_seconds,
    from_epoch,
    retry_after_seconds,
    retrying,
    to_decimal,
)

T = TypeVar("T")
DEFAULT_EXCHANGE = "binance"
_RATE_LIMITED = (ccxt.RateLimitExceeded, ccxt.DDoSProtection)


def _transient(exc: BaseException) -> bool:
    """Worth another try of a read-only call: timeouts, 5xx, 429, connection errors; not a
    rejected nonce (a signing problem that a retry repeats)."""
    return isinstance(exc, ccxt.NetworkError) and not isinstance(exc, ccxt.InvalidNonce)


_BINANCE_OPTIONS = {
    "fetchMarkets": {"types": ["spot"]},
    "fetchMargins": False,
    "fetchCurrencies": False,
    "adjustForTimeDifference": False,
}


def _strict_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ccxt.BadResponse(f"malformed JSON ({exc})") from None


def _require_json(
    code: int | str, reason: str, url: str, method: str, headers: Any, body: str, *request: Any
) -> str:
    """ccxt's on_rest_response hook: a 2xx body that is not JSON is a bad response."""
    text = body.strip()
    if 200 <= int(code) < 300 and not text.startswith(("{", "[")):
        raise ccxt.BadResponse(f"expected JSON from {url}, got {text[:60]!r}")
    return text


def _rebase(urls: Any, base_url: str) -> Any:
    """Point every URL in ccxt's nested ``urls['api']`` at `base_url`, keeping paths."""
    if isinstance(urls, dict):
        return {key: _rebase(value, base_url) for key, value in urls.items()}
    if isinstance(urls, str):
        return base_url.rstrip("/") + urlsplit(urls).path
    return urls


class ExchangeProvider:
    """A ccxt exchange as a market-data provider; symbols are ccxt unified (``BTC/USDT``)."""

    def __init__(
        self,
        exchange: str = DEFAULT_EXCHANGE,
        *,
        base_url: str | None = None,
        timeout_seconds: float = 10.0,
        max_retries: int = 4,
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 8.0,
        page_limit: int = 1000,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        name = exchange.strip().lower()
        if name not in ccxt.exchanges:
            raise ProviderError(
                f"Unknown exchange {exchange!r}; ccxt supports e.g. binance, coinbase, kraken, "
                "bybit, okx.",
                provider=exchange,
            )
        self.name = name
        self.venue = name.upper()
        self._client: ccxt.Exchange = getattr(ccxt, name)(
            {
                "enableRateLimit": True,
                "timeout": int(timeout_seconds * 1000),
                "options": _BINANCE_OPTIONS if name == "binance" else {},
            }
        )
        self._client.on_json_response = _strict_json
        self._client.on_rest_response = _require_json
        if base_url:
            self._client.urls["api"] = _rebase(self._client.urls["api"], base_url)
        self._where = base_url or self.name
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._page_limit = page_limit
        self._sleep = sleep
        self._lock = threading.RLock()

    def _call(self, what: str, fn: Callable[..., T], *args: Any, symbol: str | None = None) -> T:
        """Run one ccxt call; transient failures are retried (`base.retrying`)."""

        def locked() -> T:
            with self._lock:
                try:
                    return fn(*args)
                except _RATE_LIMITED as exc:
                    exc.retry_after = retry_after_seconds(self._client.last_response_headers)
                    raise

        policy = retrying(
            transient=_transient,
            max_retries=self._max_retries,
            backoff_seconds=self._backoff,
            max_backoff_seconds=self._max_backoff,
            sleep=self._sleep,
        )
        try:
            return policy(locked)
        except ccxt.BaseError as exc:
            raise self._error(what, exc, symbol) from exc

    def _error(self, what: str, exc: Exception, symbol: str | None) -> ProviderError:
        venue = self.venue
        if isinstance(exc, ccxt.BadSymbol):
            message = f"{venue} does not list symbol {symbol!r}."
        elif isinstance(exc, ccxt.RateLimitExceeded | ccxt.DDoSProtection):
            message = f"{venue} is rate-limiting us; {what} gave up after retries. Try later."
        elif isinstance(exc, ccxt.BadResponse):
            message = f"{venue} sent a malformed response while {what}: {exc}"
        elif isinstance(exc, ccxt.NetworkError):
            message = (
                f"Cannot reach {venue} at {self._where} while {what} (offline or the exchange "
                "is down). Check the network connection and try again."
            )
        else:
            message = f"{venue} refused {what}: {exc}"
        return ProviderError(
            message,
            provider=venue,
            symbol=symbol,
            retryable=isinstance(exc, ccxt.NetworkError),
        )

    def _markets(self) -> dict[str, dict]:
        return self._call("loading markets", self._client.load_markets)

    def _market(self, symbol: str) -> dict:
        markets = self._markets()
        if symbol in markets:
            return markets[symbol]
        by_id = self._client.markets_by_id or {}
        if symbol in by_id:
            return by_id[symbol][0]
        raise ProviderError(
            f"{self.venue} does not list symbol {symbol!r}.", provider=self.venue, symbol=symbol
        )

    def _precision(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        if self._client.precisionMode == ccxt.TICK_SIZE:
            return to_decimal(value)
        return Decimal(1).scaleb(-int(value))

    def list_symbols(self) -> list[InstrumentInfo]:
        return [
            InstrumentInfo(
                symbol=m["symbol"],
                name=f"{m['base']}/{m['quote']}",
                venue=self.venue,
                asset_class="crypto" if m.get("spot") else str(m.get("type", "crypto")),
                base=m["base"],
                quote=m["quote"],
                tick_size=self._precision(m["precision"].get("price")),
                lot_size=self._precision(m["precision"].get("amount")),
                min_qty=to_decimal((m.get("limits") or {}).get("amount", {}).get("min")),
                status="active" if m.get("active", True) is not False else "inactive",
            )
            for m in self._markets().values()
        ]

    def fetch_ohlcv(self, symbol: str, interval: str, start: datetime, end: datetime) -> OHLCV:
        """Every candle opening in [start, end), paging forward `page_limit` candles at a time."""
        market = self._market(symbol)
        if interval not in (self._client.timeframes or {}):
            raise ProviderError(
                f"{self.venue} has no {interval!r} candles.", provider=self.venue, symbol=symbol
            )
        step_ms = interval_seconds(interval) * 1000
        cursor, end_ms = epoch_seconds(start) * 1000, epoch_seconds(end) * 1000
        pages: list[list] = []
        while cursor < end_ms:
            rows = self._call(
                f"fetching {interval} candles",
                self._client.fetch_ohlcv,
                market["symbol"],
                interval,
                cursor,
                self._page_limit,
                {"until": end_ms - 1},
                symbol=symbol,
            )
            if not isinstance(rows, list):
                raise ProviderError(
                    f"{self.venue} sent a malformed candle page.",
                    provider=self.venue,
                    symbol=symbol,
                )
            rows = [r for r in rows if cursor <= r[0] < end_ms]
            if not rows:
                break
            pages.extend(rows)
            cursor = rows[-1][0] + step_ms
        if not pages:
            return OHLCV.empty()
        columns = list(zip(*pages, strict=True))
        return OHLCV.from_columns([t // 1000 for t in columns[0]], *columns[1:6]).normalized()

    def _quote(self, symbol: str, ticker: dict) -> Quote:
        stamp = ticker.get("timestamp")
        return Quote(
            symbol=symbol,
            price=to_decimal(ticker.get("last")) or Decimal(0),
            time=from_epoch(stamp / 1000 if stamp else time.time()),
            previous_close=to_decimal(ticker.get("previousClose") or ticker.get("open")),
            bid=to_decimal(ticker.get("bid")),
            ask=to_decimal(ticker.get("ask")),
            volume=to_decimal(ticker.get("baseVolume")),
            currency=ticker.get("symbol", "").partition("/")[2] or None,
        )

    def latest_quote(self, symbol: str) -> Quote:
        market = self._market(symbol)
        ticker = self._call(
            "fetching a quote", self._client.fetch_ticker, market["symbol"], symbol=symbol
        )
        return self._quote(symbol, ticker)

    def batch_quotes(self, symbols: list[str]) -> dict[str, Quote]:
        unified = {self._market(s)["symbol"]: s for s in symbols}
        tickers = self._call("fetching quotes", self._client.fetch_tickers, list(unified))
        return {
            asked: self._quote(asked, tickers[u]) for u, asked in unified.items() if u in tickers
        }
