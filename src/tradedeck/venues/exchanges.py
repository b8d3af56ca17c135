"""Real stock exchanges: which venue a Yahoo symbol trades on, and that venue's sessions,
holidays and early closes from `exchange-calendars`.

Yahoo Finance is where stock prices come from, not where stocks trade: `RELIANCE.NS` trades
on NSE in Asia/Kolkata, `AAPL` on NASDAQ in New York. A Yahoo symbol's venue is found from
its suffix (`.NS` NSE, `.BO` BSE, `.L` LSE…) or the exchange code Yahoo reports for it
(`NMS`/`NGM`/`NCM`/`NAS` NASDAQ, `NYQ` NYSE, `PCX` NYSE Arca…). An exchange Yahoo names that is
not listed here becomes a venue of its own with Yahoo's code and time zone and editable
default hours, like SIM.

A listed exchange's regular weekly sessions, its holidays and its early closes are read from
its exchange calendar for `YEARS_BEHIND` years before and `YEARS_AHEAD` after today (clipped
to what the calendar records); beyond that its weekdays trade regular hours. Admin holidays
and half days apply on top, date by date (`schedule.build_schedule`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time

import exchange_calendars
import pandas as pd

from tradedeck.core.calendar import WeeklySession

YAHOO_KIND = "yahoo"  # venues whose prices come from Yahoo Finance
YEARS_BEHIND, YEARS_AHEAD = 1, 2
UNNAMED_HOLIDAY = "Exchange holiday"
UNNAMED_EARLY_CLOSE = "Early close"
# A symbol without a suffix that Yahoo has not described yet (the old YAHOO venue traded on
# New York's clock): NYSE and NASDAQ keep the same sessions and holidays.
DEFAULT_US_VENUE = "NYSE"


@dataclass(frozen=True)
class Exchange:
    """A real exchange venue: its code, time zone and calendar, and how Yahoo names it."""

    code: str
    name: str
    timezone: str
    currency: str
    calendar: str
    yahoo_codes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()


# NSE: exchange-calendars has no XNSE. Both Indian exchanges close on the same days (the
# holiday list is set jointly), so NSE uses BSE's calendar, XBOM.
EXCHANGES: dict[str, Exchange] = {
    e.code: e
    for e in (
        Exchange("NYSE", "New York Stock Exchange", "America/New_York", "USD", "XNYS", ("NYQ",)),
        Exchange(
            "NASDAQ", "Nasdaq", "America/New_York", "USD", "XNAS", ("NMS", "NGM", "NCM", "NAS")
        ),
        Exchange("ARCA", "NYSE Arca", "America/New_York", "USD", "XNYS", ("PCX",)),
        Exchange("AMEX", "NYSE American", "America/New_York", "USD", "XASE", ("ASE",)),
        Exchange(
            "NSE",
            "National Stock Exchange of India",
            "Asia/Kolkata",
            "INR",
            "XBOM",
            ("NSI",),
            (".NS",),
        ),
        Exchange("BSE", "BSE (Bombay)", "Asia/Kolkata", "INR", "XBOM", ("BSE",), (".BO",)),
        Exchange("LSE", "London Stock Exchange", "Europe/London", "GBP", "XLON", ("LSE",), (".L",)),
        Exchange(
            "TSX", "Toronto Stock Exchange", "America/Toronto", "CAD", "XTSE", ("TOR",), (".TO",)
        ),
        Exchange("XETRA", "Xetra", "Europe/Berlin", "EUR", "XETR", ("GER",), (".DE",)),
    )
}
_BY_YAHOO_CODE = {code: e.code for e in EXCHANGES.values() for code in e.yahoo_codes}
_BY_SUFFIX = {suffix: e.code for e in EXCHANGES.values() for suffix in e.suffixes}


@dataclass(frozen=True)
class YahooListing:
    """Where Yahoo says a symbol trades: a listed exchange, or Yahoo's own code and zone."""

    venue: str
    name: str
    timezone: str


def exchange_of(code: str) -> Exchange | None:
    return EXCHANGES.get(code.strip().upper())


def listing_for(
    symbol: str,
    yahoo_exchange: str | None = None,
    full_name: str | None = None,
    timezone: str | None = None,
) -> YahooListing:
    """The venue a Yahoo symbol trades on: by suffix, else by Yahoo's exchange code, else a
    venue named by that code in Yahoo's time zone; `DEFAULT_US_VENUE` when Yahoo said nothing."""
    upper = symbol.strip().upper()
    suffix = upper[upper.rfind(".") :] if "." in upper else ""
    code = _BY_SUFFIX.get(suffix) or _BY_YAHOO_CODE.get((yahoo_exchange or "").strip().upper())
    if code is None and yahoo_exchange and yahoo_exchange.strip():
        own = yahoo_exchange.strip().upper()[:32]
        return YahooListing(own, (full_name or own)[:100], timezone or "UTC")
    exchange = EXCHANGES[code or DEFAULT_US_VENUE]
    return YahooListing(exchange.code, exchange.name, exchange.timezone)


@dataclass(frozen=True)
class CalendarDays:
    """What an exchange calendar says over [first, last]: the regular week, the weekdays it
    is closed (with names) and its early closes (wall-clock close time and name)."""

    calendar: str
    timezone: str
    first: date
    last: date
    sessions: tuple[WeeklySession, ...]
    holidays: Mapping[date, str] = field(default_factory=dict)
    early_closes: Mapping[date, tuple[time, str]] = field(default_factory=dict)


def calendar_days(name: str, today: date) -> CalendarDays:
    """Read calendar `name` around `today` (slow: tens of milliseconds; cache the result)."""
    factory = exchange_calendars.get_calendar(name)
    start = pd.Timestamp(date(today.year - YEARS_BEHIND, 1, 1))
    end = pd.Timestamp(date(today.year + YEARS_AHEAD, 12, 31))
    if factory.bound_min() is not None:
        start = max(start, factory.bound_min())
    if factory.bound_max() is not None:
        end = min(end, factory.bound_max())
    cal = exchange_calendars.get_calendar(name, start=start, end=end)
    zone = str(cal.tz)
    regular_open, regular_close = cal.open_times[-1][1], cal.close_times[-1][1]
    break_start = cal.break_start_times[-1][1] if cal.break_start_times else None
    break_end = cal.break_end_times[-1][1] if cal.break_end_times else None
    weekdays = [day for day, flag in enumerate(cal.weekmask) if flag == "1"]
    if break_start is not None and break_end is not None:
        parts = [(regular_open, break_start), (break_end, regular_close)]
    else:
        parts = [(regular_open, regular_close)]
    sessions = tuple(WeeklySession(d, o, c) for d in weekdays for o, c in parts)
    first, last = cal.first_session.date(), cal.last_session.date()
    names = _names(cal.regular_holidays, first, last)
    trading = {ts.date() for ts in cal.sessions}
    holidays = {
        day.date(): names.get(day.date(), UNNAMED_HOLIDAY)
        for day in pd.bdate_range(first, last, freq="C", weekmask=cal.weekmask)
        if day.date() not in trading
    }
    early_names: dict[date, str] = {}
    for _, rules in cal.special_closes:
        early_names.update(_names(rules, first, last))
    closes = cal.schedule["close"].dt.tz_convert(zone)
    early_closes = {
        day.date(): (close.time(), early_names.get(day.date(), UNNAMED_EARLY_CLOSE))
        for day, close in closes.items()
        if close.time() < regular_close
    }
    return CalendarDays(name, zone, first, last, sessions, holidays, early_closes)


def _names(rules: object, first: date, last: date) -> dict[date, str]:
    """Holiday names of a pandas holiday calendar in [first, last] (none for ad hoc lists)."""
    if rules is None or not hasattr(rules, "holidays"):
        return {}
    named = rules.holidays(pd.Timestamp(first), pd.Timestamp(last), return_name=True)
    return {stamp.date(): str(title) for stamp, title in named.items()}
