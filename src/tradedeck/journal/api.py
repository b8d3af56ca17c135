"""`/api/v1/journal`: entries (cursor pages, read, notes and manual-trade edits, log a trade,
delete), portfolios (list, create, read, edit, delete) and performance analytics as JSON."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.api import paging
from tradedeck.api.errors import ErrorBody
from tradedeck.journal import analytics, serialize, services
from tradedeck.journal.models import JournalEntry
from tradedeck.journal.schemas import (
    JournalDeleteQuery,
    JournalEntriesQuery,
    JournalEntryList,
    JournalEntryOut,
    JournalEntryPatch,
    JournalEntryPath,
    JournalPerformance,
    JournalPerformanceQuery,
    JournalPortfolioBody,
    JournalPortfolioList,
    JournalPortfolioOut,
    JournalPortfolioPatch,
    JournalPortfolioPath,
    JournalTradeBody,
)

bp = APIBlueprint(
    "journal_api",
    __name__,
    url_prefix="/api/v1/journal",
    abp_tags=[Tag(name="journal", description="Trading journal, portfolios and performance")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "404": ErrorBody, "429": ErrorBody},
)


def _uid() -> int:
    return int(current_user.id)


def _owned_portfolio(portfolio_id: int | None) -> int | None:
    """A filter on another user's (or no) portfolio is a 404 naming `portfolio_id`."""
    return None if portfolio_id is None else services.portfolio_of(_uid(), portfolio_id).id


def _standing(portfolio_id: int) -> dict[str, Any]:
    return serialize.portfolio(analytics.standings(_uid(), portfolio_id)[portfolio_id])


@bp.get("/entries", responses={"200": JournalEntryList})
def list_entries(query: JournalEntriesQuery) -> Response:
    """The caller's entries, newest entry first, optionally of one portfolio."""
    statement = services.entries_query(_uid(), _owned_portfolio(query.portfolio_id))
    page = paging.fetch(
        statement, JournalEntry.entry_at, JournalEntry.id, query.cursor, query.limit
    )
    return paging.respond({"entries": [serialize.entry(row) for row in page.rows]}, page)


@bp.post("/entries", responses={"201": JournalEntryOut})
def log_trade(body: JournalTradeBody) -> tuple[Response, int]:
    """Log a manual trade (seed 003's rules: symbol 3-20 characters, price and quantity > 0)."""
    entry = services.log_trade(_uid(), body.model_dump(exclude_none=True))
    return jsonify({"entry": serialize.entry(entry)}), 201


@bp.get("/entries/<int:entry_id>", responses={"200": JournalEntryOut})
def get_entry(path: JournalEntryPath) -> Response:
    return jsonify({"entry": serialize.entry(services.entry_of(_uid(), path.entry_id))})


@bp.patch("/entries/<int:entry_id>", responses={"200": JournalEntryOut, "409": ErrorBody})
def update_entry(path: JournalEntryPath, body: JournalEntryPatch) -> Response:
    """Change notes, setup, tags, rating or mistakes (null clears); on a manual entry also its
    trade fields, checked as when logging. Fields left out keep their value."""
    data = body.model_dump(exclude_unset=True)
    if any(name in data for name in services.TRADE_FIELDS):
        entry = services.edit_trade(_uid(), path.entry_id, data, partial=True)
    else:
        entry = services.annotate(_uid(), path.entry_id, data, partial=True)
    return jsonify({"entry": serialize.entry(entry)})


@bp.delete("/entries/<int:entry_id>", responses={"204": None})
def delete_entry(path: JournalEntryPath) -> tuple[str, int]:
    """Delete an entry and its tags; a paper entry's trade stays in the trading books."""
    services.delete_entry(_uid(), path.entry_id)
    return "", 204


@bp.get("/portfolios", responses={"200": JournalPortfolioList})
def list_portfolios() -> Response:
    """The caller's portfolios with their balance (initial balance + realised P&L)."""
    standings = analytics.standings(_uid()).values()
    return jsonify({"portfolios": [serialize.portfolio(s) for s in standings]})


@bp.post("/portfolios", responses={"201": JournalPortfolioOut, "409": ErrorBody})
def create_portfolio(body: JournalPortfolioBody) -> tuple[Response, int]:
    portfolio = services.create_portfolio(_uid(), body.model_dump())
    return jsonify({"portfolio": _standing(portfolio.id)}), 201


@bp.get("/portfolios/<int:portfolio_id>", responses={"200": JournalPortfolioOut})
def get_portfolio(path: JournalPortfolioPath) -> Response:
    services.portfolio_of(_uid(), path.portfolio_id)
    return jsonify({"portfolio": _standing(path.portfolio_id)})


@bp.patch(
    "/portfolios/<int:portfolio_id>", responses={"200": JournalPortfolioOut, "409": ErrorBody}
)
def edit_portfolio(path: JournalPortfolioPath, body: JournalPortfolioPatch) -> Response:
    """Rename a portfolio or change its initial balance (same rules as creating it)."""
    data = body.model_dump(exclude_unset=True)
    services.edit_portfolio(_uid(), path.portfolio_id, data, partial=True)
    return jsonify({"portfolio": _standing(path.portfolio_id)})


@bp.delete("/portfolios/<int:portfolio_id>", responses={"204": None, "409": ErrorBody})
def delete_portfolio(path: JournalPortfolioPath, query: JournalDeleteQuery) -> tuple[str, int]:
    """Delete a portfolio; one holding entries needs `move_to` (else 409 `in_use`)."""
    services.delete_portfolio(_uid(), path.portfolio_id, query.move_to)
    return "", 204


@bp.get("/performance", responses={"200": JournalPerformance})
def performance(query: JournalPerformanceQuery) -> Response:
    """Win rate, average R, expectancy, profit factor and P&L by setup, tag, symbol, weekday,
    hour and holding time, and P&L per exit day: SQL aggregates over the closed entries."""
    portfolio_id = _owned_portfolio(query.portfolio_id)
    groups = analytics.performance(_uid(), portfolio_id)
    days = analytics.calendar(_uid(), portfolio_id)
    return jsonify(serialize.performance(groups, days))
