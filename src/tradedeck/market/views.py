"""Catalogue pages: `/saved-tickers` (the catalogue) and `/fetch-tickers` (admin import)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tradedeck.market import catalogue, services
from tradedeck.market.forms import FetchTickersForm
from tradedeck.market.providers.base import ProviderError

bp = Blueprint("market", __name__)
PAGE_LIMIT = 300


def _chart_endpoint() -> str | None:
    """The chart page belongs to another feature; link to it only once it exists."""
    return "charts.chart" if "charts.chart" in current_app.view_functions else None


@bp.get("/saved-tickers")
@login_required
def saved_tickers() -> str:
    q = request.args.get("q", "").strip()[:64]
    venue = request.args.get("venue", "").strip()[:32] or None
    found = catalogue.search_instruments(q, venue, PAGE_LIMIT + 1)
    truncated = len(found) > PAGE_LIMIT
    quotes = services.quotes_for(found[:PAGE_LIMIT])
    rows = list(zip(found[:PAGE_LIMIT], quotes, strict=True))
    groups = [(code, list(items)) for code, items in groupby(rows, key=lambda r: r[0].venue.code)]
    context: dict[str, Any] = {
        "groups": groups,
        "q": q,
        "venue": venue,
        "venues": catalogue.list_venues(),
        "counts": catalogue.count_by_venue(),
        "truncated": truncated,
        "limit": PAGE_LIMIT,
        "chart_endpoint": _chart_endpoint(),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "ticker-results":
        return render_template("market/_ticker_results.html", **context)
    return render_template("market/saved_tickers.html", **context)


@bp.route("/fetch-tickers", methods=["GET", "POST"])
@login_required
def fetch_tickers() -> Any:
    if not current_user.is_admin:
        abort(403)
    form = FetchTickersForm()
    if form.validate_on_submit():
        venue = form.venue.data or "binance"
        symbols = form.symbol_list() if venue == "yahoo" else None
        try:
            result = services.fetch_symbols(venue, symbols)
        except ProviderError as exc:
            flash(f"Could not fetch symbols from {venue}: {exc.message}", "danger")
        else:
            flash(
                f"Saved {result.total:,} symbols from {venue.upper()} "
                f"({result.created:,} new, {result.updated:,} updated).",
                "success",
            )
            return redirect(url_for("market.saved_tickers", venue=venue.upper()))
    elif request.method == "POST":
        flash("Pick a venue from the list.", "danger")
    return render_template(
        "market/fetch_tickers.html",
        form=form,
        venues=catalogue.list_venues(),
        counts=catalogue.count_by_venue(),
    )
