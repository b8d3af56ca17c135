"""Admin pages for instruments: `/admin/instruments` (search, venue filter, halt/resume or
enable/disable per row), `/admin/instruments/new` (a simulated stock with generated history)
and `/admin/instruments/<id>/edit`.

Refused forms re-render with the field's error and a flash message (status 200, as the other
form pages: browsers log a 4xx document as a console error); writes answer with a redirect
and a flash message. `instruments_service` validates, writes and audits.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from tradedeck.admin import instruments_service as service
from tradedeck.admin.common import attach_error, form_problem, guard, page_number
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, Venue
from tradedeck.market.store import last_price

bp = guard(Blueprint("admin_instruments", __name__, url_prefix="/admin/instruments"))

HELP = {
    "symbol": "1-12 letters, digits or dots; listed on venue SIM.",
    "price": "Start price; a multiple of the tick size.",
    "drift": "Daily drift, e.g. 0.0002 (between -0.05 and 0.05).",
    "volatility": "Daily volatility, e.g. 0.02 (0.0001 to 0.5).",
    "tick_size": "Smallest price step, e.g. 0.01.",
    "lot_size": "Order quantities are multiples of it (also the minimum).",
}


class StockEditForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=200)])
    drift = StringField("Drift (daily)", default="0.0002", validators=[Length(max=32)])
    volatility = StringField("Volatility (daily)", default="0.02", validators=[Length(max=32)])
    tick_size = StringField("Tick size", default="0.01", validators=[Length(max=32)])
    lot_size = StringField("Lot size", default="1", validators=[Length(max=32)])
    submit = SubmitField("Save")

    def stock_input(self) -> service.StockInput:
        return service.StockInput(
            name=self.name.data,
            drift=self.drift.data,
            volatility=self.volatility.data,
            tick_size=self.tick_size.data,
            lot_size=self.lot_size.data,
        )


class StockForm(StockEditForm):
    symbol = StringField("Symbol", validators=[Length(max=40)])
    price = StringField("Start price", validators=[Length(max=32)])
    submit = SubmitField("Create stock")

    def stock_input(self) -> service.StockInput:
        return replace(super().stock_input(), symbol=self.symbol.data, price=self.price.data)


class ActionForm(FlaskForm):
    """A button that needs only the CSRF token (halt, resume)."""

    submit = SubmitField("Confirm")


@bp.get("")
def index() -> str:
    q = (request.args.get("q") or "").strip()[:80]
    venue = (request.args.get("venue") or "").strip()[:32]
    found = service.list_instruments(q, venue, page_number(request.args.get("page")))
    venues = list(db.session.scalars(select(Venue.code).order_by(Venue.code)))
    return render_template(
        "admin/instruments.html",
        plain=service.plain,
        found=found,
        q=q,
        venue=venue,
        venues=venues,
        action_form=ActionForm(),
    )


def _render_form(form: StockEditForm, instrument: Instrument | None = None) -> str:
    return render_template(
        "admin/instruments_form.html", form=form, instrument=instrument, help=HELP
    )


def _refused(form: StockEditForm, instrument: Instrument | None, exc: DomainError | None) -> str:
    """The form again with the problem under its field and in a flash message."""
    db.session.rollback()
    if exc is not None:
        attach_error(form, exc)
    flash(f"Not saved — {exc.message if exc else form_problem(form)}.", "danger")
    return _render_form(form, instrument)


@bp.route("/new", methods=["GET", "POST"])
def create() -> Any:
    form = StockForm()
    if not form.is_submitted():
        return _render_form(form)
    if not form.validate():
        return _refused(form, None, None)
    try:
        instrument = service.create_stock(form.stock_input())
    except DomainError as exc:
        return _refused(form, None, exc)
    flash(
        f"{instrument.symbol} created on {instrument.venue.code} at "
        f"{last_price(instrument.id)} with its price history; it trades from the next tick.",
        "success",
    )
    return redirect(url_for("admin_instruments.index", q=instrument.symbol))


@bp.route("/<int:instrument_id>/edit", methods=["GET", "POST"])
def edit(instrument_id: int) -> Any:
    instrument = service.get_instrument(instrument_id)
    if not form_allowed(instrument):
        flash(f"{instrument.symbol} comes from its provider; only enabling it is offered.", "info")
        return redirect(url_for("admin_instruments.index", q=instrument.symbol))
    if request.method == "GET":
        form = StockEditForm(
            formdata=None,
            name=instrument.name,
            drift=_text(instrument.sim_drift),
            volatility=_text(instrument.sim_volatility),
            tick_size=_text(instrument.tick_size),
            lot_size=_text(instrument.lot_size),
        )
        return _render_form(form, instrument)
    form = StockEditForm()
    if not form.validate():
        return _refused(form, instrument, None)
    try:
        service.update_stock(instrument.id, form.stock_input())
    except DomainError as exc:
        return _refused(form, instrument, exc)
    flash(f"{instrument.symbol} saved.", "success")
    return redirect(url_for("admin_instruments.index", q=instrument.symbol))


def form_allowed(instrument: Instrument) -> bool:
    return instrument.venue.kind == "simulated"


def _text(value: Any) -> str:
    return service.plain(value) or ""


def _toggle(instrument_id: int, halted: bool) -> Any:
    form = ActionForm()
    back = request.form.get("next") or url_for("admin_instruments.index")
    if not back.startswith("/admin/"):
        back = url_for("admin_instruments.index")
    if not form.validate_on_submit():
        flash("The form expired; please try again.", "danger")
        return redirect(back)
    instrument = service.set_halted(instrument_id, halted)
    simulated = form_allowed(instrument)
    if halted:
        verb = "halted" if simulated else "disabled"
        flash(f"{instrument.symbol} is {verb}: new orders are refused.", "warning")
    else:
        verb = "resumed" if simulated else "enabled"
        flash(f"{instrument.symbol} {verb}: orders are accepted again.", "success")
    return redirect(back)


@bp.post("/<int:instrument_id>/halt")
def halt(instrument_id: int) -> Any:
    return _toggle(instrument_id, True)


@bp.post("/<int:instrument_id>/resume")
def resume(instrument_id: int) -> Any:
    return _toggle(instrument_id, False)
