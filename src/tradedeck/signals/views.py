"""Pages: `/watchlists`, `/patterns` (filterable, each row opens its zone on the chart) and
`/signals` with the user's confluence rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from pydantic import ValidationError
from werkzeug.wrappers import Response

from tradedeck.core.errors import DomainError
from tradedeck.core.patterns import KINDS, STATUSES
from tradedeck.signals import services
from tradedeck.signals.api import chart_path
from tradedeck.signals.forms import ActionForm, AddSymbolForm, RuleForm, WatchlistForm
from tradedeck.signals.scanner import LABELS
from tradedeck.signals.schemas import PatternQuery

bp = Blueprint("signals", __name__)


@bp.app_template_filter("level")
def level_filter(value: Decimal | None) -> str:
    """A price level with about six significant digits (`182.49`, not `182.48979989`)."""
    return "—" if value is None else services.display_price(value)


@bp.app_template_filter("epoch_utc")
def epoch_utc_filter(value: int | None) -> str:
    """Epoch seconds as `2026-12-04 05:45` (UTC)."""
    if value is None:
        return "—"
    return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%d %H:%M")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every signals page belongs to a signed-in user."""


@bp.get("/watchlists")
def watchlists() -> str:
    return render_template(
        "signals/watchlists.html",
        watchlists=services.list_watchlists(current_user.id),
        form=WatchlistForm(),
        add_form=AddSymbolForm(),
        action=ActionForm(),
    )


def _flash_error(prefix: str, exc: DomainError) -> None:
    flash(f"{prefix} — {exc.message}", "danger")


def post_action(action: Callable[[], object], done: str, endpoint: str) -> Response:
    """A bare button (delete, remove): check its CSRF token, run it, flash, go back."""
    if ActionForm().validate_on_submit():
        try:
            action()
            flash(done, "success")
        except DomainError as exc:
            flash(exc.message, "danger")
    return redirect(url_for(endpoint))


@bp.post("/watchlists")
def create_watchlist() -> Any:
    form = WatchlistForm()
    if not form.validate_on_submit():
        flash("Enter a name and choose at least one timeframe.", "danger")
        return redirect(url_for("signals.watchlists"))
    symbols = [s.strip() for s in (form.symbols.data or "").split(",") if s.strip()]
    try:
        w = services.create_watchlist(
            current_user.id, form.name.data or "", form.timeframes.data or [], symbols
        )
        flash(f"Watchlist {w.name} created.", "success")
    except DomainError as exc:
        _flash_error("Watchlist not created", exc)
    return redirect(url_for("signals.watchlists"))


@bp.post("/watchlists/<int:watchlist_id>/items")
def add_symbol(watchlist_id: int) -> Any:
    form = AddSymbolForm()
    if form.validate_on_submit():
        try:
            item = services.add_symbol(current_user.id, watchlist_id, form.symbol.data or "", None)
            flash(f"{item.instrument.symbol} added.", "success")
        except DomainError as exc:
            _flash_error("Symbol not added", exc)
    else:
        flash("Enter a symbol.", "danger")
    return redirect(url_for("signals.watchlists"))


@bp.post("/watchlists/<int:watchlist_id>/items/<int:item_id>/remove")
def remove_symbol(watchlist_id: int, item_id: int) -> Response:
    return post_action(
        lambda: services.remove_item(current_user.id, watchlist_id, item_id),
        "Symbol removed.",
        "signals.watchlists",
    )


@bp.post("/watchlists/<int:watchlist_id>/delete")
def delete_watchlist(watchlist_id: int) -> Response:
    return post_action(
        lambda: services.delete_watchlist(current_user.id, watchlist_id),
        "Watchlist deleted.",
        "signals.watchlists",
    )


@bp.get("/patterns")
def patterns() -> Any:
    args = {k: v for k, v in request.args.items() if v}
    try:
        query = PatternQuery(**args)
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(p) for p in problem["loc"])
        flash(f"Filter {field}: {problem['msg']}.", "danger")
        return redirect(url_for("signals.patterns"))
    found = services.list_patterns(current_user.id, services.PatternFilter(**query.model_dump()))
    return render_template(
        "signals/patterns.html",
        rows=[(p, chart_path(p)) for p in found],
        query=query,
        kinds=KINDS,
        labels=LABELS,
        statuses=STATUSES,
        has_watchlists=bool(services.list_watchlists(current_user.id)),
        action=ActionForm(),
    )


@bp.get("/signals")
def signals() -> str:
    return render_template(
        "signals/signals.html",
        rows=services.list_signals(current_user.id),
        rules=services.list_rules(current_user.id),
        form=RuleForm(),
        action=ActionForm(),
    )


@bp.post("/signals/rules")
def create_rule() -> Any:
    form = RuleForm()
    if form.validate_on_submit():
        try:
            services.create_rule(
                current_user.id,
                form.name.data or "",
                form.higher.data or "",
                form.middle.data or "",
                form.lower.data or "",
                int(form.min_score.data or 0),
            )
            flash("Signal rule added.", "success")
        except DomainError as exc:
            _flash_error("Rule not added", exc)
    else:
        flash("Enter a name and a minimum score between 0 and 100.", "danger")
    return redirect(url_for("signals.signals"))


@bp.post("/signals/rules/<int:rule_id>/delete")
def delete_rule(rule_id: int) -> Response:
    return post_action(
        lambda: services.delete_rule(current_user.id, rule_id),
        "Signal rule deleted.",
        "signals.signals",
    )
