"""Journal pages: entries with the log and portfolio forms, one entry (notes; a manual trade's
figures; delete), a portfolio (edit, delete), performance."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tradedeck.core.errors import DomainError
from tradedeck.journal import analytics, services
from tradedeck.journal.chart import entry_chart
from tradedeck.journal.forms import DeletePortfolioForm, NotesForm, PortfolioForm, TradeForm
from tradedeck.journal.models import JournalEntry, Portfolio
from tradedeck.trading.serialize import CENT

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
        standings=analytics.standings(_uid()),
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


def _entry_form(item: JournalEntry) -> NotesForm | TradeForm:
    """A manual entry edits its trade and notes; a paper entry (figures from its fill) notes."""
    if item.source != "manual":
        return NotesForm()
    form = TradeForm()
    portfolios = services.portfolios_of(_uid())
    form.portfolio_id.choices = [("", "—"), *((str(p.id), p.name) for p in portfolios)]
    return form


def _fill(form: NotesForm | TradeForm, item: JournalEntry) -> None:
    values = services.notes_of(item) | (
        services.trade_of(item) if isinstance(form, TradeForm) else {}
    )
    values["tags"] = ", ".join(values["tags"])
    for name in ("entry_at", "exit_at"):
        moment = getattr(item, name)
        values[name] = moment.strftime("%Y-%m-%dT%H:%M") if moment else ""
    for field in form:
        if field.name in values:
            field.data = values[field.name]


@bp.route("/journal/<int:entry_id>", methods=["GET", "POST"])
def entry(entry_id: int) -> Any:
    item = services.entry_of(_uid(), entry_id)
    form = _entry_form(item)
    error, status = None, 200
    if request.method == "GET":
        _fill(form, item)
    elif not form.validate_on_submit():
        status = 400
    else:
        edit = services.edit_trade if isinstance(form, TradeForm) else services.annotate
        try:
            edit(_uid(), entry_id, request.form)
        except DomainError as exc:
            flash(exc.message, "danger")
            error, status = exc, exc.status
        else:
            flash("Journal entry saved.", "success")
            return redirect(url_for("journal.index"))
    page = render_template(
        "journal/entry.html",
        entry=item,
        form=form,
        error=error,
        chart=entry_chart(item),
        confirm_delete=request.args.get("confirm") == "delete",
    )
    return page, status


@bp.post("/journal/<int:entry_id>/delete")
def delete_entry(entry_id: int) -> Response:
    """Delete after the confirm (the modal; without JavaScript `?confirm=delete` shows it open).
    The CSRF token is checked app-wide before this runs."""
    services.delete_entry(_uid(), entry_id)
    flash("Entry deleted.", "success")
    return redirect(url_for("journal.index"))


def _portfolio_page(
    portfolio: Portfolio, form: PortfolioForm, delete_form: DeletePortfolioForm, error: Any
) -> str:
    others = [p for p in services.portfolios_of(_uid()) if p.id != portfolio.id]
    delete_form.move_to.choices = [("", "—"), *((str(p.id), p.name) for p in others)]
    return render_template(
        "journal/portfolio.html",
        portfolio=portfolio,
        form=form,
        delete_form=delete_form,
        standing=analytics.standings(_uid(), portfolio.id)[portfolio.id],
        error=error,
    )


@bp.route("/journal/portfolios/<int:portfolio_id>", methods=["GET", "POST"])
def portfolio(portfolio_id: int) -> Any:
    """Rename a portfolio or change its initial balance; its delete form."""
    item = services.portfolio_of(_uid(), portfolio_id)
    balance = format(item.initial_balance.quantize(CENT), "f")
    form = PortfolioForm(data={"name": item.name, "initial_balance": balance})
    error, status = None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                services.edit_portfolio(_uid(), portfolio_id, request.form)
            except DomainError as exc:
                flash(exc.message, "danger")
                error, status = exc, exc.status
                item = services.portfolio_of(_uid(), portfolio_id)
            else:
                flash(f"Portfolio {item.name} saved.", "success")
                return redirect(url_for("journal.index", portfolio=item.id))
    return _portfolio_page(item, form, DeletePortfolioForm(formdata=None), error), status


@bp.post("/journal/portfolios/<int:portfolio_id>/delete")
def delete_portfolio(portfolio_id: int) -> Any:
    """Delete; a portfolio with entries moves them to the chosen one, or is refused."""
    item = services.portfolio_of(_uid(), portfolio_id)
    form = DeletePortfolioForm()
    if form.validate_on_submit():
        name = item.name
        try:
            moved = services.delete_portfolio(_uid(), portfolio_id, request.form.get("move_to"))
        except DomainError as exc:
            flash(exc.message, "danger")
            page = _portfolio_page(item, PortfolioForm(obj=item), form, exc)
            return page, exc.status
        flash(f"Portfolio {name} deleted; {moved} entries moved.", "success")
        return redirect(url_for("journal.index"))
    return _portfolio_page(item, PortfolioForm(obj=item), form, None), 400


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
