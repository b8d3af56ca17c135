"""Backtest pages: the run form with saved runs, one run (progress, then results), CSV of its
trades, several runs side by side, and optimisations (queued, progress, then results)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tradedeck.backtests import optimise as optimisation
from tradedeck.backtests import services
from tradedeck.backtests.forms import DeleteForm, OptimiseForm, RunForm
from tradedeck.backtests.models import BacktestOptimisation, BacktestRun
from tradedeck.core.backtest import LABELS, STRATEGIES
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, Venue
from tradedeck.trading.csv_export import csv_response

bp = Blueprint("backtests", __name__)
MAX_COMPARE = 4
INSTRUMENT_HINTS = 300


@bp.before_request
@login_required
def _require_login() -> None:
    """Backtests belong to a signed-in user."""


def _uid() -> int:
    return int(current_user.id)


def _instrument_hints() -> list[tuple[str, str]]:
    """(symbol, venue) of active instruments for the symbol field's suggestions."""
    rows = db.session.execute(
        select(Instrument.symbol, Venue.code)
        .join(Venue)
        .where(Instrument.status == "active")
        .order_by(Venue.code, Instrument.symbol)
        .limit(INSTRUMENT_HINTS)
    )
    return [(symbol, venue) for symbol, venue in rows]


def _render_index(form: RunForm, error: DomainError | None = None, status: int = 200) -> Any:
    runs = services.runs_of(_uid())
    body = render_template(
        "backtests/index.html",
        form=form,
        runs=runs,
        strategies=STRATEGIES,
        hints=_instrument_hints(),
        error=error,
        given=request.form if request.method == "POST" else {},
        delete_form=DeleteForm(),
        max_compare=MAX_COMPARE,
    )
    return body, status


@bp.get("/backtests")
def index() -> Any:
    form = RunForm()
    if not form.start.data:
        form.start.data, form.end.data = services.default_range()
    symbol = request.args.get("symbol")
    if symbol:
        form.symbol.data, form.venue.data = symbol, request.args.get("venue", "")
    return _render_index(form)


@bp.post("/backtests")
def start() -> Any:
    form = RunForm()
    if not form.validate_on_submit():
        flash("The form expired or was incomplete: please submit it again.", "danger")
        return _render_index(form, status=400)
    try:
        run_request, cash = services.parse_request(request.form)
        run = services.create_run(_uid(), run_request, cash)
    except DomainError as error:
        flash(error.message, "danger")
        return _render_index(form, error, status=error.status)
    return redirect(url_for("backtests.show", run_id=run.id))


def _optimise_page(
    form: OptimiseForm, given: Mapping[str, Any], error: Any, row: BacktestOptimisation | None
) -> str:
    return render_template(
        "backtests/optimise.html",
        form=form,
        strategies=STRATEGIES,
        hints=_instrument_hints(),
        error=error,
        given=given,
        row=row,
        result=row.result if row is not None and row.status == "done" else None,
        recent=optimisation.optimisations_of(_uid()),
        delete_form=DeleteForm(),
        labels=LABELS,
    )


@bp.route("/backtests/optimise", methods=["GET", "POST"])
def optimise() -> Any:
    """The grid form; a valid one is queued as a background job and its page shows progress."""
    form = OptimiseForm()
    error, status = None, 200
    if request.method == "GET" and not form.start.data:
        form.start.data, form.end.data = services.default_range()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash("The form expired or was incomplete: please submit it again.", "danger")
            status = 400
        else:
            try:
                row = optimisation.create_optimisation(_uid(), request.form)
            except DomainError as exc:
                flash(exc.message, "danger")
                error, status = exc, exc.status
            else:
                return redirect(url_for("backtests.optimisation_page", optimisation_id=row.id))
    given = request.form if request.method == "POST" else {}
    return _optimise_page(form, given, error, None), status


@bp.get("/backtests/optimise/<int:optimisation_id>")
def optimisation_page(optimisation_id: int) -> str:
    """One optimisation: its form as given, progress while it runs, then the results."""
    row = optimisation.optimisation_of(_uid(), optimisation_id)
    form = OptimiseForm(formdata=MultiDict({k: str(v) for k, v in row.form.items()}))
    return _optimise_page(form, row.form, None, row)


@bp.get("/backtests/optimise/<int:optimisation_id>/progress")
def optimisation_progress(optimisation_id: int) -> Response:
    """The progress fragment htmx polls; a finished optimisation reloads the page."""
    row = optimisation.optimisation_of(_uid(), optimisation_id)
    poll = url_for("backtests.optimisation_progress", optimisation_id=row.id)
    response = Response(render_template("backtests/_progress.html", run=row, poll_url=poll))
    if row.finished:
        response.headers["HX-Refresh"] = "true"
    return response


@bp.post("/backtests/optimise/<int:optimisation_id>/delete")
def delete_optimisation(optimisation_id: int) -> Response:
    if not DeleteForm().validate_on_submit():
        flash("The form expired: please try again.", "danger")
        return redirect(url_for("backtests.optimisation_page", optimisation_id=optimisation_id))
    optimisation.delete_optimisation(_uid(), optimisation_id)
    flash("Optimisation deleted.", "success")
    return redirect(url_for("backtests.optimise"))


@bp.get("/backtests/<int:run_id>")
def show(run_id: int) -> str:
    run = services.run_of(_uid(), run_id)
    return render_template(
        "backtests/show.html",
        run=run,
        labels=LABELS,
        strategy=STRATEGIES.get(run.strategy),
        delete_form=DeleteForm(),
    )


@bp.get("/backtests/<int:run_id>/progress")
def progress(run_id: int) -> Response:
    """The progress fragment htmx polls; a finished run reloads the page to show results."""
    run = services.run_of(_uid(), run_id)
    response = Response(render_template("backtests/_progress.html", run=run))
    if run.finished:
        response.headers["HX-Refresh"] = "true"
    return response


@bp.get("/backtests/<int:run_id>/trades.csv")
def trades_csv(run_id: int) -> Response:
    run = services.run_of(_uid(), run_id)
    header = [label for _, label in services.TRADE_COLUMNS]
    filename = f"backtest-{run.id}-{run.symbol}-trades.csv"
    return csv_response(filename, header, services.trade_rows(run), truncated=False)


@bp.post("/backtests/<int:run_id>/delete")
def delete(run_id: int) -> Response:
    form = DeleteForm()
    if not form.validate_on_submit():
        flash("The form expired: please try again.", "danger")
        return redirect(url_for("backtests.show", run_id=run_id))
    services.delete_run(_uid(), run_id)
    flash("Backtest deleted.", "success")
    return redirect(url_for("backtests.index"))


@bp.get("/backtests/compare")
def compare() -> Any:
    """2 to 4 of the user's runs side by side: statistics and equity curves."""
    try:
        ids = [int(value) for value in request.args.getlist("ids")]
    except ValueError:
        ids = []
    ids = list(dict.fromkeys(ids))
    if not 2 <= len(ids) <= MAX_COMPARE:
        flash(f"Pick 2 to {MAX_COMPARE} finished backtests to compare.", "warning")
        return redirect(url_for("backtests.index"))
    runs: list[BacktestRun] = [services.run_of(_uid(), run_id) for run_id in ids]
    return render_template("backtests/compare.html", runs=runs, labels=LABELS)


@bp.app_template_filter("backtest_stat")
def stat_filter(value: Any, kind: str) -> str:
    """A statistic for reading: dates, durations in days/hours, 2 decimals, or — if undefined."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if kind == "time":
        return services.iso(int(value))[:16].replace("T", " ")
    if kind == "duration":
        days, rest = divmod(int(value), 86_400)
        hours = rest // 3600
        if not days:
            return f"{hours} h"
        return f"{days} d {hours} h" if hours else f"{days} d"
    if kind == "count":
        return str(int(value))
    if kind == "money":
        return f"{value:,.2f}"
    return f"{value:,.2f}" if kind == "pct" else f"{value:,.3f}"
