"""Performance by setup, tag, symbol, weekday, hour and holding time, and a P&L calendar.

Each breakdown is one SQL GROUP BY over the closed entries (P&L known): count, wins, P&L sum,
gross profit and loss, average R. Win rate, expectancy (average P&L per trade) and profit factor
(gross profit / gross loss) are ratios of those aggregates, so no row is looped over in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select

from tradedeck.extensions import db
from tradedeck.journal.models import JournalEntry, JournalTag, Portfolio

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOLDING_BUCKETS = (
    (3600, "< 1 hour"),
    (86_400, "< 1 day"),
    (7 * 86_400, "< 1 week"),
    (30 * 86_400, "< 1 month"),
)
LONGEST = "1 month +"


@dataclass(frozen=True)
class Row:
    key: Any
    trades: int
    wins: int
    pnl: Decimal
    gross_profit: Decimal
    gross_loss: Decimal
    avg_r: float | None

    @property
    def win_rate(self) -> float:
        return self.wins / self.trades * 100

    @property
    def expectancy(self) -> Decimal:
        return self.pnl / self.trades

    @property
    def profit_factor(self) -> float | None:
        return float(self.gross_profit / -self.gross_loss) if self.gross_loss else None


def _holding_bucket() -> ColumnElement[Any]:
    held = JournalEntry.holding_seconds
    return case(
        *[(held < limit, literal(label)) for limit, label in HOLDING_BUCKETS],
        else_=literal(LONGEST),
    )


def _grouped(key: ColumnElement[Any], user_id: int, portfolio_id: int | None) -> Select[Any]:
    pnl = JournalEntry.pnl
    zero = literal(0)
    statement = select(
        key.label("key"),
        func.count().label("trades"),
        func.sum(case((pnl > 0, 1), else_=0)).label("wins"),
        func.sum(pnl).label("pnl"),
        func.sum(case((pnl > 0, pnl), else_=zero)).label("gross_profit"),
        func.sum(case((pnl < 0, pnl), else_=zero)).label("gross_loss"),
        func.avg(JournalEntry.r_multiple).label("avg_r"),
    ).where(JournalEntry.user_id == user_id, pnl.is_not(None))
    if portfolio_id is not None:
        statement = statement.where(JournalEntry.portfolio_id == portfolio_id)
    return statement.group_by(key).order_by(key)


def _money(value: Any) -> Decimal:
    """Sums come back as Decimal (Money) or, for CASE expressions on SQLite, as 1e-8 units."""
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(value).scaleb(-8)


def _rows(statement: Select[Any]) -> list[Row]:
    return [
        Row(
            r.key,
            int(r.trades),
            int(r.wins or 0),
            _money(r.pnl),
            _money(r.gross_profit),
            _money(r.gross_loss),
            float(r.avg_r) if r.avg_r is not None else None,
        )
        for r in db.session.execute(statement)
    ]


def performance(user_id: int, portfolio_id: int | None = None) -> dict[str, list[Row]]:
    """Every breakdown, each a list of rows ordered by key."""
    e = JournalEntry
    by_tag = _grouped(JournalTag.tag, user_id, portfolio_id).join(
        JournalTag, JournalTag.entry_id == e.id
    )
    weekday = _rows(_grouped(e.entry_weekday, user_id, portfolio_id))
    return {
        "setup": _rows(_grouped(e.setup, user_id, portfolio_id)),
        "tag": _rows(by_tag),
        "symbol": _rows(_grouped(e.symbol, user_id, portfolio_id)),
        "weekday": [Row(WEEKDAYS[r.key], *_fields(r)) for r in weekday],
        "hour": _rows(_grouped(e.entry_hour, user_id, portfolio_id)),
        "holding": _rows(
            _grouped(_holding_bucket(), user_id, portfolio_id).where(e.holding_seconds.is_not(None))
        ),
    }


def _fields(row: Row) -> tuple[Any, ...]:
    return (row.trades, row.wins, row.pnl, row.gross_profit, row.gross_loss, row.avg_r)


def calendar(user_id: int, portfolio_id: int | None = None) -> dict[date, Decimal]:
    """P&L per exit day (UTC)."""
    e = JournalEntry
    statement = select(e.exit_day, func.sum(e.pnl)).where(
        e.user_id == user_id, e.exit_day.is_not(None), e.pnl.is_not(None)
    )
    if portfolio_id is not None:
        statement = statement.where(e.portfolio_id == portfolio_id)
    statement = statement.group_by(e.exit_day).order_by(e.exit_day)
    return {day: _money(total) for day, total in db.session.execute(statement)}


@dataclass(frozen=True)
class Day:
    day: date
    pnl: Decimal | None
    level: str
    """CSS class: `pnl-up-1..3`, `pnl-down-1..3` by size against the largest day, or `pnl-none`."""


def _level(pnl: Decimal | None, largest: Decimal) -> str:
    if pnl is None or not largest:
        return "pnl-none"
    step = min(3, int(abs(pnl) / largest * 3) + 1)
    return f"pnl-up-{step}" if pnl > 0 else (f"pnl-down-{step}" if pnl < 0 else "pnl-flat")


def months(days: dict[date, Decimal]) -> list[tuple[str, list[list[Day | None]]]]:
    """Each month with a trading day as Monday-first weeks of days (None pads the edges)."""
    if not days:
        return []
    largest = max(abs(v) for v in days.values())
    first, last = min(days), max(days)
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        start = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        cells: list[Day | None] = [None] * start.weekday()
        for offset in range((following - start).days):
            day = date.fromordinal(start.toordinal() + offset)
            pnl = days.get(day)
            cells.append(Day(day, pnl, _level(pnl, largest)))
        cells += [None] * (-len(cells) % 7)
        out.append((start.strftime("%B %Y"), [cells[i : i + 7] for i in range(0, len(cells), 7)]))
        year, month = following.year, following.month
    return out


@dataclass(frozen=True)
class Standing:
    """A portfolio's balance: its initial balance plus the realised P&L of its closed trades."""

    portfolio: Portfolio
    closed: int
    open: int
    realised: Decimal

    @property
    def balance(self) -> Decimal:
        return self.portfolio.initial_balance + self.realised


def standings(user_id: int, portfolio_id: int | None = None) -> dict[int, Standing]:
    """Every portfolio of the user with its closed/open entry counts and realised P&L, by id:
    one outer-joined GROUP BY (a portfolio without entries stands at its initial balance)."""
    e = JournalEntry
    statement = (
        select(Portfolio, func.count(e.pnl), func.count(e.id) - func.count(e.pnl), func.sum(e.pnl))
        .outerjoin(e, e.portfolio_id == Portfolio.id)
        .where(Portfolio.user_id == user_id)
        .where(Portfolio.id == portfolio_id if portfolio_id is not None else literal(True))
        .group_by(Portfolio.id)
        .order_by(Portfolio.name)
    )
    return {
        p.id: Standing(p, int(closed), int(open_), _money(realised))
        for p, closed, open_, realised in db.session.execute(statement)
    }
