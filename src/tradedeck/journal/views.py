"""Journal pages: entries with the log and portfolio forms, one entry's notes, performance."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tradedeck.core.errors import DomainError
from tradedeck.journal import analytics, services
from tradedeck.journal.chart import entry_chart
from tradedeck.journal.forms import NotesForm, PortfolioForm, TradeForm
from tradedeck.journal.models import Portfolio

bp = Blueprint("journal", __name__)


@bp.before_request
@login_required
def _require_login() -> None:
    """The journal belongs to a signed-in user."""


def _uid() -> int:
    return int(current_user.id)


def _selected(portfolios: list[Portfolio]) -> Portfolio | None:
    raw = request.args.get("portfolio", "")
    return next((p for p in portfolios if str(p.id) == raw), None)


def _page(trade_form: TradeForm, portfolio_form: PortfolioForm, error: Any, status: int) -> Any:
    portfolios = services.portfolios_of(_uid())
    trade_form.portfolio_id.choices = [("", "—"), *((str(p.id), p.name) for p in portfolios)]
    selected = _selected(portfolios)
    entries = services.entries_of(_uid(), selected.id if selected else None)
    body = render_template(
        "journal/index.html",
        trade_form=trade_form,
        portfolio_form=portfolio_form,
        portfolios=portfolios,
        selected=selected,
        entries=entries,
        error=error,
    )
    return body, status


@bp.get("/journal")
def index() -> Any:
    return _page(TradeForm(), PortfolioForm(), None, 200)


@bp.post("/journal/trades")
def log_trade() -> Any:
    form = TradeForm()
    if form.validate_on_submit():
        try:
            services.log_trade(_uid(), request.form)
        except DomainError as error:
            flash(error.message, "danger")
            return _page(form, PortfolioForm(formdata=None), error, error.status)
        flash("Trade logged.", "success")
        return redirect(url_for("journal.index"))
    return _page(form, PortfolioForm(formdata=None), None, 400)


@bp.post("/journal/portfolios")
def create_portfolio() -> Any:
    form = PortfolioForm()
    if form.validate_on_submit():
        try:
            portfolio = services.create_portfolio(_uid(), request.form)
        except DomainError as error:
            flash(error.message, "danger")
            return _page(TradeForm(formdata=None), form, error, error.status)
        flash(f"Portfolio {portfolio.name} created.", "success")
        return redirect(url_for("journal.index", portfolio=portfolio.id))
    return _page(TradeForm(formdata=None), form, None, 400)


@bp.route("/journal/<int:entry_id>", methods=["GET", "POST"])
def entry(entry_id: int) -> Any:
    item = services.entry_of(_uid(), entry_id)
    form = NotesForm(obj=item)
    error, status = None, 200
    if request.method == "GET":
        form.tags.data = ", ".join(t.tag for t in item.tags)
        form.rating.data = str(item.rating or "")
    elif not form.validate_on_submit():
        status = 400
    else:
        try:
            services.annotate(_uid(), entry_id, request.form)
        except DomainError as exc:
            flash(exc.message, "danger")
            error, status = exc, exc.status
        else:
            flash("Journal entry saved.", "success")
            return redirect(url_for("journal.index"))
    page = render_template(
        "journal/entry.html", entry=item, form=form, error=error, chart=entry_chart(item)
    )
    return page, status


@bp.get("/journal/performance")
def performance() -> str | Response:
    portfolios = services.portfolios_of(_uid())
    selected = _selected(portfolios)
    portfolio_id = selected.id if selected else None
    return render_template(
        "journal/performance.html",
        portfolios=portfolios,
        selected=selected,
        groups=analytics.performance(_uid(), portfolio_id),
        days=analytics.calendar(_uid(), portfolio_id),
        months=analytics.months,
    )
