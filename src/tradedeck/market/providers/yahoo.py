"""Stocks from Yahoo Finance (NSE `.NS`, BSE `.BO` and every other Yahoo symbol).

Why not call yfinance here: yfinance hard-codes its hosts (query1/query2.finance.yahoo.com,
fc.yahoo.com), keeps one process-wide singleton session (setting a session for one provider
changes it for every thread), runs a cookie/crumb dance before each request, writes caches
to the user's disk, and logs rather than raises most failures (an unknown symbol becomes an
empty frame). None of that can be pointed at TRADEDECK_YAHOO_URL or turned into a clear
error without patching its internals. So this module speaks the same public endpoints
yfinance uses for prices, with the same HTTP client (curl_cffi impersonating Chrome, which
Yahoo expects): the chart API ``/v8/finance/chart/{symbol}`` for history and single quotes
and the spark API ``/v7/finance/spark`` for batches of up to 20 symbols. Neither needs a
crumb. Prices arrive as JSON floats; quotes become Decimal through their shortest repr.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote as urlquote

import numpy as np
from curl_cffi import requests as http

from tradedeck.core.candles import OHLCV, bucket_start, interval_seconds, resample
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

DEFAULT_URL = "https://query2.finance.yahoo.com"
VENUE = "YAHOO"
# TradeDeck interval -> (Yahoo interval, longest span Yahoo serves per request in seconds).
_INTERVALS = {
    "1m": ("1m", 7 * 86_400),
    "5m": ("5m", 60 * 86_400),
    "15m": ("15m", 60 * 86_400),
    "30m": ("30m", 60 * 86_400),
    "1h": ("60m", 730 * 86_400),
    "4h": ("60m", 730 * 86_400),
    "1d": ("1d", 100 * 365 * 86_400),
    "1w": ("1wk", 100 * 365 * 86_400),
}
_SPARK_BATCH = 20
_RETRY_STATUS = {429, 500, 502, 503, 504}


class _Transient(Exception):
    """An answer worth another try (429, 5xx), with the wait its Retry-After asks for."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class YahooProvider:
    """Yahoo Finance quotes and candles over HTTP; `base_url` is TRADEDECK_YAHOO_URL."""

    venue = VENUE

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        symbols: list[str] | None = None,
        timeout_seconds: float = 10.0,
        max_retries: int = 3,
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._symbols = list(symbols or [])
        self._timeout = timeout_seconds
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._sleep = sleep
        self._session = http.Session(impersonate="chrome")

    def _get(self, path: str, params: dict[str, Any], symbol: str | None) -> dict:
        """One GET; timeouts, connection errors, 429 and 5xx are retried (`base.retrying`)."""
        url = self._base + path

        def attempt() -> http.Response:
            response = self._session.get(url, params=params, timeout=self._timeout)
            if response.status_code in _RETRY_STATUS:
                raise _Transient(response.status_code, retry_after_seconds(response.headers))
            return response

        policy = retrying(
            transient=lambda exc: isinstance(exc, _Transient | http.exceptions.RequestException),
            max_retries=self._max_retries,
            backoff_seconds=self._backoff,
            max_backoff_seconds=self._max_backoff,
            sleep=self._sleep,
        )
        try:
            response = policy(attempt)
        except _Transient as exc:
            problem = f"Yahoo Finance answered HTTP {exc.status}; gave up after retries."
            raise ProviderError(problem, provider=VENUE, symbol=symbol, retryable=True) from exc
        except http.exceptions.RequestException as exc:
            problem = f"Cannot reach Yahoo Finance at {self._base} (offline?): {exc}"
            raise ProviderError(problem, provider=VENUE, symbol=symbol, retryable=True) from exc
        return self._decode(response, symbol)

    @staticmethod
    def _decode(response: http.Response, symbol: str | None) -> dict:
        try:
            body = response.json()
        except ValueError:
            raise ProviderError(
                f"Yahoo Finance sent a malformed response (HTTP {response.status_code}).",
                provider=VENUE,
                symbol=symbol,
            ) from None
        error = (
            next((v.get("error") for v in body.values() if isinstance(v, dict)), None)
            if isinstance(body, dict)
            else None
        )
        if error:
            description = error.get("description") or error.get("code")
            if response.status_code == 404 or error.get("code") == "Not Found":
                description = f"Yahoo Finance has no data for {symbol!r} ({description})."
            raise ProviderError(description, provider=VENUE, symbol=symbol)
        if response.status_code >= 400 or not isinstance(body, dict):
            raise ProviderError(
                f"Yahoo Finance answered HTTP {response.status_code}.",
                provider=VENUE,
                symbol=symbol,
            )
        return body

    def _chart(self, symbol: str, params: dict[str, Any]) -> dict:
        body = self._get(f"/v8/finance/chart/{urlquote(symbol, safe='')}", params, symbol)
        try:
            return body["chart"]["result"][0]
        except (KeyError, IndexError, TypeError):
            raise ProviderError(
                f"Yahoo Finance sent no chart for {symbol!r}.", provider=VENUE, symbol=symbol
            ) from None

    def list_symbols(self) -> list[InstrumentInfo]:
        """Yahoo has no symbol directory: describe the configured symbols from their metadata."""
        return [
            self._describe(s, self._chart(s, {"range": "1d", "interval": "1d"})["meta"])
            for s in self._symbols
        ]

    @staticmethod
    def _describe(symbol: str, meta: dict) -> InstrumentInfo:
        hint = meta.get("priceHint")
        return InstrumentInfo(
            symbol=symbol,
            name=meta.get("longName") or meta.get("shortName") or symbol,
            venue=VENUE,
            asset_class=str(meta.get("instrumentType", "EQUITY")).lower(),
            base=symbol,
            quote=meta.get("currency") or "",
            tick_size=to_decimal(f"1e-{hint}") if hint is not None else None,
            lot_size=to_decimal(1),
            min_qty=to_decimal(1),
            status="active",
            exchange=meta.get("exchangeName"),
            timezone=meta.get("exchangeTimezoneName"),
        )

    def fetch_ohlcv(self, symbol: str, interval: str, start: datetime, end: datetime) -> OHLCV:
        """Candles in [start, end), floored to UTC-aligned buckets (Yahoo stamps session opens)."""
        interval_seconds(interval)
        yahoo_interval, span = _INTERVALS[interval]
        t0, t1 = epoch_seconds(start), epoch_seconds(end)
        parts = []
        for lo in range(t0, t1, span):
            params = {
                "period1": lo,
                "period2": min(lo + span, t1),
                "interval": yahoo_interval,
                "includePrePost": "false",
                "events": "div,splits",
            }
            parts.append(self._parse_chart(self._chart(symbol, params), interval))
        candles = OHLCV.concat(parts)
        return resample(candles, interval).between(t0, t1) if len(candles) else candles

    @staticmethod
    def _parse_chart(result: dict, interval: str) -> OHLCV:
        stamps = result.get("timestamp") or []
        if not stamps:
            return OHLCV.empty()
        q = result["indicators"]["quote"][0]
        cols = [
            np.array([np.nan if x is None else x for x in q[k]], dtype=np.float64)
            for k in ("open", "high", "low", "close", "volume")
        ]
        ok = np.all(np.isfinite(np.vstack(cols[:4])), axis=0)
        cols[4] = np.nan_to_num(cols[4])
        times = bucket_start(np.asarray(stamps, dtype=np.int64), interval)
        return OHLCV(times, *cols).take(ok)

    @staticmethod
    def _quote(symbol: str, meta: dict) -> Quote:
        price = meta.get("regularMarketPrice")
        if price is None:
            raise ProviderError(
                f"Yahoo Finance has no price for {symbol!r}.", provider=VENUE, symbol=symbol
            )
        previous = meta.get("previousClose", meta.get("chartPreviousClose"))
        return Quote(
            symbol=symbol,
            price=to_decimal(price),
            time=from_epoch(meta.get("regularMarketTime") or time.time()),
            previous_close=to_decimal(previous),
            volume=to_decimal(meta.get("regularMarketVolume")),
            currency=meta.get("currency"),
        )

    def latest_quote(self, symbol: str) -> Quote:
        return self._quote(symbol, self._chart(symbol, {"range": "1d", "interval": "1d"})["meta"])

    def batch_quotes(self, symbols: list[str]) -> dict[str, Quote]:
        """Quotes through the spark API, 20 symbols per request; unknown symbols are left out."""
        quotes: dict[str, Quote] = {}
        for i in range(0, len(symbols), _SPARK_BATCH):
            chunk = symbols[i : i + _SPARK_BATCH]
            params = {"symbols": ",".join(chunk), "range": "1d", "interval": "1d"}
            body = self._get("/v7/finance/spark", params, None)
            for item in (body.get("spark") or {}).get("result") or []:
                responses = item.get("response") or []
                meta = responses[0].get("meta") if responses else None
                if meta and meta.get("regularMarketPrice") is not None:
                    quotes[item["symbol"]] = self._quote(item["symbol"], meta)
        return quotes
