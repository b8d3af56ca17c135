"""A fake Binance spot REST API with the real klines pagination semantics.

Candles are a deterministic function of (symbol, interval, open time), so any page
requested twice is identical and tests can compute the expected series independently.
Data exists from `LISTED_MS` up to `NOW_MS` (the fake's fixed "now").
"""

from __future__ import annotations

import json
import math

from tests.fakes.http import FakeServer, Response

LISTED_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
NOW_MS = 1_709_251_200_000  # 2024-03-01T00:00:00Z
INTERVAL_MS = {
    "1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000,
    "1h": 3_600_000, "2h": 7_200_000, "4h": 14_400_000, "6h": 21_600_000, "8h": 28_800_000,
    "12h": 43_200_000, "1d": 86_400_000, "3d": 259_200_000, "1w": 604_800_000,
}  # fmt: skip
SYMBOLS = {"BTCUSDT": ("BTC", "USDT", 40_000.0), "ETHUSDT": ("ETH", "USDT", 2_300.0),
           "BNBBTC": ("BNB", "BTC", 0.0075)}  # fmt: skip
INVALID_SYMBOL = {"code": -1121, "msg": "Invalid symbol."}
TOO_MANY = {"code": -1003, "msg": "Too many requests; current limit of IP is 6000 per 1 minute."}


def price_at(symbol: str, ms: int) -> float:
    base = SYMBOLS[symbol][2]
    return round(base * (1 + 0.05 * math.sin(ms / 3.6e6 / 7) + 0.01 * math.sin(ms / 6e4 / 13)), 8)


def kline(symbol: str, interval: str, open_ms: int) -> list:
    step = INTERVAL_MS[interval]
    o, c = price_at(symbol, open_ms), price_at(symbol, open_ms + step)
    h, low = max(o, c) * 1.001, min(o, c) * 0.999
    vol = 1 + (open_ms // step) % 97
    return [open_ms, f"{o:.8f}", f"{h:.8f}", f"{low:.8f}", f"{c:.8f}", f"{vol:.8f}",
            open_ms + step - 1, f"{vol * c:.8f}", 10, "0.5", "0.5", "0"]  # fmt: skip


def _error(status: int, code: int, msg: str) -> Response:
    return Response(status, {"code": code, "msg": msg})


class FakeBinance(FakeServer):
    """Serves /api/v3 {ping,time,exchangeInfo,klines,ticker/price,ticker/24hr}."""

    def route(self, path: str, params: dict[str, str]) -> Response:
        handlers = {
            "/api/v3/ping": lambda p: Response(200, {}),
            "/api/v3/time": lambda p: Response(200, {"serverTime": NOW_MS}),
            "/api/v3/exchangeInfo": self._exchange_info,
            "/api/v3/klines": self._klines,
            "/api/v3/ticker/price": self._ticker_price,
            "/api/v3/ticker/24hr": self._ticker_24hr,
        }
        handler = handlers.get(path)
        if handler is None:
            return Response(404, "<html><body><h1>404 Not found</h1></body></html>")
        return handler(params)

    def _exchange_info(self, params: dict[str, str]) -> Response:
        symbols = [
            {
                "symbol": name, "status": "TRADING", "baseAsset": base, "baseAssetPrecision": 8,
                "quoteAsset": quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
                "orderTypes": ["LIMIT", "MARKET"], "icebergAllowed": True, "ocoAllowed": True,
                "isSpotTradingAllowed": True, "isMarginTradingAllowed": False,
                "permissions": [], "permissionSets": [["SPOT"]],
                "filters": [
                    {"filterType": "PRICE_FILTER", "minPrice": "0.01000000",
                     "maxPrice": "1000000.00000000",
                     "tickSize": "0.01000000" if quote == "USDT" else "0.00000100"},
                    {"filterType": "LOT_SIZE", "minQty": "0.00010000", "maxQty": "9000.00000000",
                     "stepSize": "0.00010000"},
                ],
            }
            for name, (base, quote, _) in SYMBOLS.items()
        ]  # fmt: skip
        return Response(200, {"timezone": "UTC", "serverTime": NOW_MS, "rateLimits": [],
                              "exchangeFilters": [], "symbols": symbols})  # fmt: skip

    def _klines(self, params: dict[str, str]) -> Response:
        symbol, interval = params.get("symbol"), params.get("interval")
        if not symbol:
            return _error(400, -1102, "Mandatory parameter 'symbol' was not sent.")
        if symbol not in SYMBOLS:
            return Response(400, INVALID_SYMBOL)
        if interval not in INTERVAL_MS:
            return _error(400, -1120, "Invalid interval.")
        limit = int(params.get("limit", 500))
        if not 1 <= limit <= 1000:
            return _error(400, -1130, "Data sent for parameter 'limit' is not valid.")
        step = INTERVAL_MS[interval]
        first = LISTED_MS // step * step
        last = NOW_MS // step * step
        end = min(int(params["endTime"]), last) if "endTime" in params else last
        if "startTime" in params:
            start = max(first, -(-int(params["startTime"]) // step) * step)
            opens = range(start, min(end, start + (limit - 1) * step) + 1, step)
        else:
            end = end // step * step
            opens = range(max(first, end - (limit - 1) * step), end + 1, step)
        return Response(200, [kline(symbol, interval, t) for t in opens])

    def _selected(self, params: dict[str, str]) -> list[str] | Response:
        if "symbol" in params:
            names = [params["symbol"]]
        elif "symbols" in params:
            names = json.loads(params["symbols"])
        else:
            return list(SYMBOLS)
        if any(n not in SYMBOLS for n in names):
            return Response(400, INVALID_SYMBOL)
        return names

    def _ticker_price(self, params: dict[str, str]) -> Response:
        names = self._selected(params)
        if isinstance(names, Response):
            return names
        rows = [{"symbol": n, "price": f"{price_at(n, NOW_MS):.8f}"} for n in names]
        return Response(200, rows[0] if "symbol" in params else rows)

    def _ticker_24hr(self, params: dict[str, str]) -> Response:
        names = self._selected(params)
        if isinstance(names, Response):
            return names
        rows = []
        for n in names:
            last, prev = price_at(n, NOW_MS), price_at(n, NOW_MS - 86_400_000)
            rows.append({
                "symbol": n, "priceChange": f"{last - prev:.8f}",
                "priceChangePercent": f"{(last - prev) / prev * 100:.3f}",
                "weightedAvgPrice": f"{(last + prev) / 2:.8f}", "prevClosePrice": f"{prev:.8f}",
                "lastPrice": f"{last:.8f}", "lastQty": "0.10000000",
                "bidPrice": f"{last * 0.9999:.8f}", "bidQty": "1.00000000",
                "askPrice": f"{last * 1.0001:.8f}", "askQty": "1.00000000",
                "openPrice": f"{prev:.8f}", "highPrice": f"{max(last, prev) * 1.01:.8f}",
                "lowPrice": f"{min(last, prev) * 0.99:.8f}", "volume": "1234.50000000",
                "quoteVolume": f"{1234.5 * last:.8f}", "openTime": NOW_MS - 86_400_000,
                "closeTime": NOW_MS - 1, "firstId": 1, "lastId": 1000, "count": 1000,
            })  # fmt: skip
        return Response(200, rows[0] if "symbol" in params else rows)
