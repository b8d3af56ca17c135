"""Journal use cases: portfolios, manual trade logs, journal notes on any entry, deletes.

Every field is checked here and a bad one is a DomainError naming it (seed 003's rules: entry
price and quantity above 0, symbol 3 to 20 characters, 0 < initial balance < 1e9). Paper
trades are written by `journal.paper`, in each fill's own transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError

from tradedeck.core.errors import DomainError
from tradedeck.database import ID_MAX
from tradedeck.extensions import db
from tradedeck.journal.models import JournalEntry, JournalTag, Portfolio

MAX_BALANCE = Decimal(1_000_000_000)
MAX_PRICE = Decimal(10_000_000_000)
SIDES = ("long", "short")
TAG = re.compile(r"[a-z0-9][a-z0-9 +_-]{0,29}")
MAX_TAGS = 10


class EntryNotFound(DomainError):
    status = 404


def _text(data: Mapping[str, Any], name: str, limit: int) -> str:
    value = str(data.get(name) or "").strip()
    if len(value) > limit:
        raise DomainError(f"{name} has at most {limit} characters", field=name)
    return value


def _given(data: Mapping[str, Any], name: str, required: bool) -> str | None:
    """The field's text, None when left empty (an error when it is required)."""
    raw = str(data.get(name) or "").strip()
    if not raw and required:
        raise DomainError(f"{name} is required", field=name)
    return raw or None


def _amount(data: Mapping[str, Any], name: str, required: bool = True) -> Decimal | None:
    raw = _given(data, name, required)
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError(f"{name} must be a number", field=name) from None
    if not value.is_finite() or value <= 0:
        raise DomainError(f"{name} must be greater than 0", field=name)
    if value >= MAX_PRICE or value != value.quantize(Decimal("0.00000001")):
        raise DomainError(f"{name} must be below 1e10 with at most 8 decimals", field=name)
    return value


def _time(data: Mapping[str, Any], name: str, required: bool = True) -> datetime | None:
    raw = _given(data, name, required)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise DomainError(f"{name} must be a date and time (ISO-8601, UTC)", field=name) from None
    if not 1900 <= moment.year <= 2200:
        raise DomainError(f"{name} must be between 1900 and 2200", field=name)
    return moment


class PortfolioNotFound(DomainError):
    status = 404


def _portfolio_fields(portfolio: Portfolio, data: Mapping[str, Any]) -> None:
    """Name and initial balance (0 < balance < 1e9, cents) of a new or edited portfolio."""
    name = _text(data, "name", 60)
    if not name:
        raise DomainError("name is required", field="name")
    raw = str(data.get("initial_balance") or "").strip()
    try:
        balance = Decimal(raw)
    except InvalidOperation:
        raise DomainError("initial_balance must be a number", field="initial_balance") from None
    if not balance.is_finite() or not 0 < balance < MAX_BALANCE:
        raise DomainError(
            "initial_balance must be above 0 and below 1,000,000,000", field="initial_balance"
        )
    if balance != balance.quantize(Decimal("0.01")):
        raise DomainError("initial_balance has at most 2 decimals", field="initial_balance")
    portfolio.name, portfolio.initial_balance = name, balance


def _save_portfolio(portfolio: Portfolio) -> Portfolio:
    """Commit; a second portfolio of the same name is a 409 naming `name`."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(
            f"you already have a portfolio named {portfolio.name}",
            field="name",
            code="taken",
            status=409,
        ) from None
    return portfolio


def create_portfolio(user_id: int, data: Mapping[str, Any]) -> Portfolio:
    portfolio = Portfolio(user_id=user_id)
    _portfolio_fields(portfolio, data)
    db.session.add(portfolio)
    return _save_portfolio(portfolio)


def portfolio_of(user_id: int, portfolio_id: int) -> Portfolio:
    found = db.session.get(Portfolio, portfolio_id) if 1 <= portfolio_id <= ID_MAX else None
    if found is None or found.user_id != user_id:
        raise PortfolioNotFound("no such portfolio", field="portfolio_id", code="not_found")
    return found


def edit_portfolio(
    user_id: int, portfolio_id: int, data: Mapping[str, Any], partial: bool = False
) -> Portfolio:
    """Rename and/or change the initial balance; `partial` keeps the fields `data` leaves out."""
    portfolio = portfolio_of(user_id, portfolio_id)
    current = {"name": portfolio.name, "initial_balance": str(portfolio.initial_balance)}
    _portfolio_fields(portfolio, {**current, **data} if partial else data)
    return _save_portfolio(portfolio)


def entry_count(portfolio_id: int) -> int:
    return int(
        db.session.scalar(select(func.count()).where(JournalEntry.portfolio_id == portfolio_id))
        or 0
    )


def delete_portfolio(user_id: int, portfolio_id: int, move_to: str | int | None = None) -> int:
    """Delete a portfolio. Its entries are never dropped or silently unassigned: when it holds
    any, `move_to` (another of the user's portfolios) receives them, and without it the delete
    is refused (409 `in_use`). Returns how many entries moved."""
    portfolio = portfolio_of(user_id, portfolio_id)
    held = db.session.scalar(select(func.count()).where(JournalEntry.portfolio_id == portfolio.id))
    target = _portfolio_id(user_id, {"move_to": move_to}, field="move_to")
    if target == portfolio.id:
        raise DomainError("move_to must be another portfolio", field="move_to")
    if held and target is None:
        raise DomainError(
            f"portfolio {portfolio.name} holds {held} entries: choose a portfolio to move them to",
            field="move_to",
            code="in_use",
            status=409,
        )
    if held:
        db.session.execute(
            update(JournalEntry)
            .where(JournalEntry.portfolio_id == portfolio.id)
            .values(portfolio_id=target)
        )
    db.session.delete(portfolio)
    db.session.commit()
    return held


def portfolios_of(user_id: int) -> list[Portfolio]:
    return list(
        db.session.scalars(
            select(Portfolio).where(Portfolio.user_id == user_id).order_by(Portfolio.name)
        )
    )


def _portfolio_id(user_id: int, data: Mapping[str, Any], field: str = "portfolio_id") -> int | None:
    raw = str(data.get(field) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= ID_MAX:
        raise DomainError("no such portfolio", field=field)
    portfolio = db.session.get(Portfolio, int(raw))
    if portfolio is None or portfolio.user_id != user_id:
        raise DomainError("no such portfolio", field=field)
    return portfolio.id


def _notes(entry: JournalEntry, data: Mapping[str, Any]) -> None:
    """Setup, tags, notes, rating and mistakes (the journal part of any entry)."""
    entry.setup = _text(data, "setup", 60)
    entry.notes = _text(data, "notes", 2000)
    entry.mistakes = _text(data, "mistakes", 300)
    rating = str(data.get("rating") or "").strip()
    if rating and (not rating.isdigit() or not 1 <= int(rating) <= 5):
        raise DomainError("rating must be 1 to 5", field="rating")
    entry.rating = int(rating) if rating else None
    raw_tags = data.get("tags") or ""
    listed = raw_tags if isinstance(raw_tags, list) else str(raw_tags).split(",")
    tags = sorted({str(t).strip().lower() for t in listed if str(t).strip()})
    if len(tags) > MAX_TAGS:
        raise DomainError(f"at most {MAX_TAGS} tags", field="tags")
    for tag in tags:
        if not TAG.fullmatch(tag):
            raise DomainError(
                "tags are up to 30 letters, digits, spaces, +, - or _, separated by commas",
                field="tags",
            )
    entry.tags = [JournalTag(tag=tag) for tag in tags]


def _derive(entry: JournalEntry) -> None:
    """The facts the analytics group by, from the entry's prices and times."""
    entry.entry_weekday = entry.entry_at.weekday()
    entry.entry_hour = entry.entry_at.hour
    if entry.exit_at is not None and entry.exit_price is not None:
        sign = 1 if entry.side == "long" else -1
        entry.pnl = sign * (entry.exit_price - entry.entry_price) * entry.quantity
        entry.holding_seconds = int((entry.exit_at - entry.entry_at).total_seconds())
        entry.exit_day = entry.exit_at.date()
        risk = abs(entry.entry_price - entry.stop_price) * entry.quantity if entry.stop_price else 0
        entry.r_multiple = float(entry.pnl / risk) if risk else None
    else:
        entry.pnl = entry.holding_seconds = entry.exit_day = entry.r_multiple = None


def _trade(entry: JournalEntry, user_id: int, data: Mapping[str, Any]) -> None:
    """Symbol, side, portfolio, prices, quantity and times of a manual trade, checked."""
    symbol = _text(data, "symbol", 40).upper()
    if not 3 <= len(symbol) <= 20:
        raise DomainError("symbol must be 3 to 20 characters", field="symbol")
    side = str(data.get("side") or "long")
    if side not in SIDES:
        raise DomainError("side must be long or short", field="side")
    entry.portfolio_id = _portfolio_id(user_id, data)
    entry.symbol, entry.side = symbol, side
    entry.entry_price = _amount(data, "entry_price")
    entry.quantity = _amount(data, "quantity")
    entry.stop_price = _amount(data, "stop_price", required=False)
    entry.exit_price = _amount(data, "exit_price", required=False)
    entry.entry_at = _time(data, "entry_at")
    entry.exit_at = _time(data, "exit_at", required=False)
    if (entry.exit_price is None) != (entry.exit_at is None):
        field = "exit_at" if entry.exit_at is None else "exit_price"
        raise DomainError("an exit needs both its price and its time", field=field)
    if entry.exit_at is not None and entry.exit_at < entry.entry_at:
        raise DomainError("exit_at must not be before entry_at", field="exit_at")
    if entry.stop_price is not None and (
        (side == "long" and entry.stop_price >= entry.entry_price)
        or (side == "short" and entry.stop_price <= entry.entry_price)
    ):
        raise DomainError("the stop must be on the losing side of the entry", field="stop_price")


def log_trade(user_id: int, data: Mapping[str, Any]) -> JournalEntry:
    """A manual trade: symbol, side, prices, quantity, times, optional stop and exit."""
    entry = JournalEntry(user_id=user_id, source="manual")
    _trade(entry, user_id, data)
    _notes(entry, data)
    _derive(entry)
    db.session.add(entry)
    db.session.commit()
    return entry


def trade_of(entry: JournalEntry) -> dict[str, Any]:
    """A manual entry's trade fields as `_trade` takes them (to fill a form or merge a patch)."""

    def text(value: Decimal | datetime | None) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, datetime) else format(value.normalize(), "f")

    return {
        "symbol": entry.symbol,
        "side": entry.side,
        "portfolio_id": str(entry.portfolio_id or ""),
        "quantity": text(entry.quantity),
        "entry_price": text(entry.entry_price),
        "stop_price": text(entry.stop_price),
        "exit_price": text(entry.exit_price),
        "entry_at": text(entry.entry_at),
        "exit_at": text(entry.exit_at),
    }


TRADE_FIELDS = (
    "symbol",
    "side",
    "portfolio_id",
    "quantity",
    "entry_price",
    "stop_price",
    "exit_price",
    "entry_at",
    "exit_at",
)


def edit_trade(
    user_id: int, entry_id: int, data: Mapping[str, Any], partial: bool = False
) -> JournalEntry:
    """Change a manual trade's prices, quantity, times (same rules as logging it) and notes.
    A paper entry's trade comes from its fill: only its notes change (409 `paper_entry`)."""
    entry = entry_of(user_id, entry_id)
    if entry.source != "manual":
        field = next((name for name in TRADE_FIELDS if name in data), "source")
        raise DomainError(
            "a paper trade's figures come from its fill; only its notes can change",
            field=field,
            code="paper_entry",
            status=409,
        )
    merged = {**trade_of(entry), **notes_of(entry), **data} if partial else data
    try:
        _trade(entry, user_id, merged)
        _notes(entry, merged)
        _derive(entry)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return entry


def entry_of(user_id: int, entry_id: int) -> JournalEntry:
    entry = db.session.get(JournalEntry, entry_id) if 1 <= entry_id <= ID_MAX else None
    if entry is None or entry.user_id != user_id:
        raise EntryNotFound("no such journal entry", field="id", code="not_found")
    return entry


def delete_entry(user_id: int, entry_id: int) -> None:
    """Delete one of the user's entries and its tags in one commit. A paper entry only leaves
    the journal: its trade, order and ledger rows are the trading books and stay (the entry
    points at its trade, nothing points back), and later fills write entries of their own."""
    db.session.delete(entry_of(user_id, entry_id))
    db.session.commit()


NOTE_FIELDS = ("setup", "tags", "notes", "rating", "mistakes")


def notes_of(entry: JournalEntry) -> dict[str, Any]:
    """The entry's journal part as the fields `annotate` takes (to merge a partial update)."""
    return {
        "setup": entry.setup,
        "tags": [t.tag for t in entry.tags],
        "notes": entry.notes,
        "rating": str(entry.rating or ""),
        "mistakes": entry.mistakes,
    }


def annotate(
    user_id: int, entry_id: int, data: Mapping[str, Any], partial: bool = False
) -> JournalEntry:
    """Write the journal part (setup, tags, notes, rating, mistakes) of one entry; `partial`
    keeps the fields `data` leaves out."""
    entry = entry_of(user_id, entry_id)
    try:
        _notes(entry, {**notes_of(entry), **data} if partial else data)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return entry


def entries_query(user_id: int, portfolio_id: int | None = None) -> Select[Any]:
    """The user's entries (of one portfolio), unordered: pages and the API order/page it."""
    statement = select(JournalEntry).where(JournalEntry.user_id == user_id)
    if portfolio_id is not None:
        statement = statement.where(JournalEntry.portfolio_id == portfolio_id)
    return statement


def entries_of(user_id: int, portfolio_id: int | None = None, limit: int = 500) -> list[Any]:
    statement = entries_query(user_id, portfolio_id).order_by(
        JournalEntry.entry_at.desc(), JournalEntry.id.desc()
    )
    return list(db.session.scalars(statement.limit(limit)))
