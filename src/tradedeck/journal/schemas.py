"""Pydantic models of `/api/v1/journal` (shape only; `services` checks the rules and names a
bad field). Class names carry `Journal` so OpenAPI component names stay unique app-wide."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from tradedeck.api.paging import NEXT, PageQuery
from tradedeck.database import ID_MAX

Amount = Field(default=None, max_length=40, json_schema_extra={"example": "12.5"})
Time = Field(default=None, max_length=40, description="ISO-8601, UTC when no offset is given")
Id = Field(default=None, ge=1, le=ID_MAX)


class JournalNotesBody(BaseModel):
    """The journal part of any entry; fields left out keep their value, null clears."""

    model_config = ConfigDict(extra="forbid")

    setup: StrictStr | None = Field(default=None, max_length=60)
    tags: list[StrictStr] | None = Field(default=None, max_length=10)
    notes: StrictStr | None = Field(default=None, max_length=2000)
    rating: StrictInt | None = Field(default=None, ge=1, le=5)
    mistakes: StrictStr | None = Field(default=None, max_length=300)


class JournalTradeBody(JournalNotesBody):
    """A manual trade: amounts as decimal strings, times ISO-8601."""

    symbol: StrictStr = Field(max_length=40, description="3 to 20 characters")
    side: StrictStr = Field(default="long", description="long or short")
    quantity: StrictStr = Field(max_length=40)
    entry_price: StrictStr = Field(max_length=40)
    entry_at: StrictStr = Field(max_length=40)
    stop_price: StrictStr | None = Amount
    exit_price: StrictStr | None = Amount
    exit_at: StrictStr | None = Time
    portfolio_id: StrictInt | None = Id


class JournalEntryPatch(JournalNotesBody):
    """Notes on any entry; a manual entry's trade fields too (same rules as logging it)."""

    symbol: StrictStr | None = Field(default=None, max_length=40)
    side: StrictStr | None = None
    quantity: StrictStr | None = Amount
    entry_price: StrictStr | None = Amount
    entry_at: StrictStr | None = Time
    stop_price: StrictStr | None = Amount
    exit_price: StrictStr | None = Amount
    exit_at: StrictStr | None = Time
    portfolio_id: StrictInt | None = Id


class JournalEntriesQuery(PageQuery):
    portfolio_id: int | None = Field(default=None, ge=1, le=ID_MAX)


class JournalEntryPath(BaseModel):
    entry_id: int = Field(ge=1, le=ID_MAX)


class JournalPortfolioPath(BaseModel):
    portfolio_id: int = Field(ge=1, le=ID_MAX)


class JournalPortfolioBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: StrictStr = Field(max_length=60)
    initial_balance: StrictStr = Field(max_length=40, description="0 < balance < 1e9, cents")


class JournalPortfolioPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: StrictStr | None = Field(default=None, max_length=60)
    initial_balance: StrictStr | None = Field(default=None, max_length=40)


class JournalDeleteQuery(BaseModel):
    move_to: int | None = Field(
        default=None, ge=1, le=ID_MAX, description="Portfolio that receives the entries"
    )


class JournalPerformanceQuery(BaseModel):
    portfolio_id: int | None = Field(default=None, ge=1, le=ID_MAX)


class JournalEntryList(BaseModel):
    entries: list[dict[str, Any]]
    next: str | None = NEXT


class JournalEntryOut(BaseModel):
    entry: dict[str, Any]


class JournalPortfolioList(BaseModel):
    portfolios: list[dict[str, Any]]


class JournalPortfolioOut(BaseModel):
    portfolio: dict[str, Any]


class JournalPerformance(BaseModel):
    breakdowns: dict[str, list[dict[str, Any]]] = Field(
        description="setup, tag, symbol, weekday, hour, holding: rows by key"
    )
    calendar: list[dict[str, Any]] = Field(description="P&L per exit day (UTC)")
