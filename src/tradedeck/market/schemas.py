"""Request and response models of the market API (validated by flask-openapi3)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel, Field, field_validator

from tradedeck.api.schemas import QueryModel
from tradedeck.core.candles import INTERVALS
from tradedeck.market.models import Instrument

DEFAULT_CANDLES = 1_000
MAX_CANDLES = 10_000
MAX_SYMBOLS = 100
# Epoch values above this are milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 100_000_000_000
# Times outside [1900, 2200) are refused: far enough for any history, and ranges built from
# them (plus a window or warm-up) stay inside what `datetime` and the database can hold.
EARLIEST_TIME = -2_208_988_800  # 1900-01-01T00:00Z
LATEST_TIME = 7_258_118_400  # 2200-01-01T00:00Z


def bounded_time(seconds: int) -> int:
    """`seconds` if it lies in [1900, 2200); else ValueError (a 400 naming the field)."""
    if not EARLIEST_TIME <= seconds < LATEST_TIME:
        raise ValueError("expected a time between 1900-01-01 and 2200-01-01 (UTC)")
    return seconds


def parse_time(value: str | int | None) -> int | None:
    """Epoch seconds from epoch s/ms or an ISO date/datetime (no zone = UTC), within
    1900..2200."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        number = int(text)
        return bounded_time(number // 1000 if abs(number) >= _MS_THRESHOLD else number)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return bounded_time(int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()))
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            "expected an ISO date (2024-01-31), ISO datetime or epoch seconds"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return bounded_time(int(when.timestamp()))


def _interval(value: str) -> str:
    if value not in INTERVALS:
        raise ValueError(f"expected one of {', '.join(INTERVALS)}")
    return value


class InstrumentQuery(QueryModel):
    q: str = Field("", max_length=64, description="Part of a symbol or name.")
    venue: str | None = Field(None, max_length=32, description="SIM, BINANCE, YAHOO...")
    limit: int = Field(100, ge=1, le=500)


class SymbolPath(BaseModel):
    symbol: str = Field(min_length=1, max_length=60, description="URL-encode slashes: BTC%2FUSDT.")


class VenueQuery(QueryModel):
    venue: str | None = Field(None, max_length=32, description="Disambiguates the symbol.")


class InstrumentOut(BaseModel):
    symbol: str
    name: str
    venue: str
    asset_class: str
    base: str
    quote: str
    tick_size: str
    lot_size: str
    min_qty: str
    status: str
    updated_at: str

    @classmethod
    def of(cls, i: Instrument) -> InstrumentOut:
        return cls(
            symbol=i.symbol,
            name=i.name,
            venue=i.venue.code,
            asset_class=i.asset_class,
            base=i.base,
            quote=i.quote,
            tick_size=str(i.tick_size.normalize()),
            lot_size=str(i.lot_size.normalize()),
            min_qty=str(i.min_qty.normalize()),
            status=i.status,
            updated_at=i.updated_at.isoformat(),
        )


class InstrumentList(BaseModel):
    instruments: list[InstrumentOut]


class InstrumentEnvelope(BaseModel):
    instrument: InstrumentOut


class CandleQuery(QueryModel):
    symbol: str = Field(min_length=1, max_length=60)
    interval: str = Field("15m", description="1m, 5m, 15m, 30m, 1h, 4h, 1d or 1w.")
    venue: str | None = Field(None, max_length=32)
    start: str | None = Field(None, description="ISO date/datetime or epoch seconds (UTC).")
    end: str | None = Field(None, description="Exclusive; ISO date/datetime or epoch seconds.")
    limit: int = Field(
        DEFAULT_CANDLES,
        ge=1,
        le=MAX_CANDLES,
        description=f"Latest candles of the range returned (at most {MAX_CANDLES}).",
    )

    _check_interval = field_validator("interval")(_interval)

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        parse_time(value)
        return value


class CandleOut(BaseModel):
    time: int
    open: float
    high: float
    low: float
    close: float
    volume: float


class CandleSeries(BaseModel):
    symbol: str
    venue: str
    interval: str
    candles: list[CandleOut]


def split_symbols(value: str | list[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    symbols = list(dict.fromkeys(s.strip() for s in items if s and s.strip()))
    if not symbols:
        raise ValueError("name at least one symbol")
    if len(symbols) > MAX_SYMBOLS:
        raise ValueError(f"at most {MAX_SYMBOLS} symbols per request")
    return symbols


class PricesQuery(QueryModel):
    symbols: str = Field(description="Comma-separated; `VENUE:SYMBOL` picks a venue.")
    venue: str | None = Field(None, max_length=32)

    _check = field_validator("symbols")(lambda v: ",".join(split_symbols(v)))


class PricesBody(BaseModel):
    symbols: list[str] = Field(description="`VENUE:SYMBOL` picks a venue.")
    venue: str | None = Field(None, max_length=32)

    _check = field_validator("symbols")(split_symbols)


class PriceOut(BaseModel):
    symbol: str
    venue: str
    price: str | None
    previous_close: str | None
    change: str | None
    change_pct: str | None
    day_high: str | None
    day_low: str | None
    time: str | None
    stale: bool = Field(
        False,
        description="True when an exchange/Yahoo quote could not be refreshed within "
        "QUOTE_MAX_AGE_SECS (provider down, rate-limited, unknown symbol); `price` is then the "
        "last stored one, `time` when it was stored.",
    )


class PriceList(BaseModel):
    prices: list[PriceOut]


class StreamQuery(QueryModel):
    symbols: str = Field(description="Comma-separated; `VENUE:SYMBOL` picks a venue.")
    interval: str = Field("1m", description="Interval of the forming `candle` events.")
    venue: str | None = Field(None, max_length=32)

    _check = field_validator("symbols")(lambda v: ",".join(split_symbols(v)))
    _check_interval = field_validator("interval")(_interval)
