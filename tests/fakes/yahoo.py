"""A fake Yahoo Finance serving the chart (`/v8/finance/chart/{symbol}`) and spark
(`/v7/finance/spark`) APIs the Yahoo provider uses, with Yahoo's JSON shapes.

Bars exist only in each exchange's regular session on weekdays (fixed UTC offsets, no
DST), stamped at the bar's open like Yahoo; every 41st bar is all-null as Yahoo sends
for halted minutes. Prices are a deterministic function of symbol and time.
"""

from __future__ import annotations

import math
from urllib.parse import unquote

from tests.fakes.http import FakeServer, Response

NOW = 1_709_323_200  # 2024-03-01T20:00:00Z, a Friday, during the NYSE session
DAY = 86_400
# symbol -> (name, currency, exchange, timezone, gmtoffset, session open/close UTC seconds, base)
SYMBOLS = {
    "AAPL": ("Apple Inc.", "USD", "NMS", "America/New_York", -18_000, 52_200, 75_600, 180.0),
    "MSFT": ("Microsoft Corporation", "USD", "NMS", "America/New_York", -18_000, 52_200, 75_600,
             410.0),
    "RELIANCE.NS": ("Reliance Industries Limited", "INR", "NSI", "Asia/Kolkata", 19_800, 13_500,
                    36_000, 2_900.0),
}  # fmt: skip
STEP = {"1m": 60, "5m": 300, "15m": 900, "30m": 1_800, "60m": 3_600, "1d": DAY, "1wk": 7 * DAY}
_DELISTED = "No data found, symbol may be delisted"
NOT_FOUND = {"chart": {"result": None, "error": {"code": "Not Found", "description": _DELISTED}}}


def price_at(symbol: str, t: int) -> float:
    base = SYMBOLS[symbol][7]
    return round(base * (1 + 0.03 * math.sin(t / 86_400) + 0.002 * math.sin(t / 700)), 2)


def bar_times(symbol: str, interval: str, start: int, end: int) -> list[int]:
    """Open times of bars in [start, end) like Yahoo: session bars on weekdays."""
    _, _, _, _, _, open_s, close_s, _ = SYMBOLS[symbol]
    step = STEP[interval]
    out = []
    for day in range(start // DAY * DAY, end + DAY, DAY):
        weekday = (day // DAY + 3) % 7  # 0 = Monday
        if weekday >= 5 or (interval == "1wk" and weekday):
            continue
        if interval in ("1d", "1wk"):
            stamps = [day + open_s]
        else:
            stamps = list(range(day + open_s, day + close_s, step))
        out.extend(t for t in stamps if start <= t < end and t <= NOW)
    return out


def _bar(symbol: str, t: int, step: int) -> tuple:
    if (t // 60) % 41 == 0:
        return (None,) * 5
    o, c = price_at(symbol, t), price_at(symbol, t + step)
    return o, round(max(o, c) + 0.05, 2), round(min(o, c) - 0.05, 2), c, 1_000 + t // 60 % 500


class FakeYahoo(FakeServer):
    def route(self, path: str, params: dict[str, str]) -> Response:
        if path.startswith("/v8/finance/chart/"):
            return self._chart(unquote(path.rsplit("/", 1)[1]), params)
        if path == "/v7/finance/spark":
            return self._spark(params)
        return Response(404, "<html>Not Found</html>")

    def _result(self, symbol: str, params: dict[str, str]) -> dict:
        name, currency, exchange, tz, offset, *_ = SYMBOLS[symbol]
        interval = params.get("interval", "1d")
        if "period1" in params:
            start, end = int(params["period1"]), int(params["period2"])
        else:
            start, end = (NOW // DAY) * DAY, NOW + 1
        times = bar_times(symbol, interval, start, end)
        bars = [_bar(symbol, t, STEP[interval]) for t in times]
        quote = {k: [b[i] for b in bars] for i, k in enumerate(("open", "high", "low", "close",
                                                                "volume"))}  # fmt: skip
        meta = {
            "currency": currency, "symbol": symbol, "exchangeName": exchange,
            "fullExchangeName": exchange, "instrumentType": "EQUITY",
            "firstTradeDate": 345_479_400, "regularMarketTime": NOW, "gmtoffset": offset,
            "timezone": tz[:3].upper(), "exchangeTimezoneName": tz,
            "regularMarketPrice": price_at(symbol, NOW),
            "chartPreviousClose": price_at(symbol, NOW - DAY),
            "previousClose": price_at(symbol, NOW - DAY), "regularMarketVolume": 51_234_567,
            "longName": name, "shortName": name, "priceHint": 2, "dataGranularity": interval,
        }  # fmt: skip
        return {"meta": meta, "timestamp": times, "indicators": {"quote": [quote]}}

    def _chart(self, symbol: str, params: dict[str, str]) -> Response:
        if symbol not in SYMBOLS:
            return Response(404, NOT_FOUND)
        interval = params.get("interval", "1d")
        if interval not in STEP:
            description = f"Invalid input - interval={interval} is not supported."
            return Response(422, {"chart": {"result": None, "error": {
                "code": "Unprocessable Entity", "description": description}}})  # fmt: skip
        return Response(200, {"chart": {"result": [self._result(symbol, params)], "error": None}})

    def _spark(self, params: dict[str, str]) -> Response:
        symbols = [s for s in params.get("symbols", "").split(",") if s]
        if not symbols or len(symbols) > 20:
            return Response(400, {"spark": {"result": None, "error": {
                "code": "Bad Request", "description": "symbols: 1 to 20 required"}}})  # fmt: skip
        result = [{"symbol": s, "response": [self._result(s, params)]} for s in symbols
                  if s in SYMBOLS]  # fmt: skip
        return Response(200, {"spark": {"result": result, "error": None}})
