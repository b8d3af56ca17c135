"""Trading pages: stocks list and detail with the order ticket, orders, portfolio, trades,
cash, and CSV exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, LastPrice, Venue
from tradedeck.trading import allocation_donut, ledger, orders, portfolio, serialize
from tradedeck.trading.csv_export import csv_response, export_limit
from tradedeck.trading.forms import CancelForm, CashForm, OrderForm
from tradedeck.trading.order_rate_limit import limit_orders
from tradedeck.venues import schedule

bp = Blueprint("trading", __name__)
# The shared chart component (js/chart) on the instrument page and in the stocks list.
CHART_INTERVAL = "15m"
CHART_OVERLAYS = {
    "sma": {"on": True, "params": {"length": 20}},
    "ema": {"on": True, "params": {"length": 50}},
}
MINI_INTERVAL, MINI_CANDLES, MINI_HEIGHT = "1h", 48, 36


@bp.before_request
@login_required
def _require_login() -> None:
    """Every trading page belongs to a signed-in user."""


@bp.app_template_filter("money")
def money_filter(value: Decimal | int | None) -> str:
    """`12,345.60`: cents at least, thousands grouped, extra places only when present."""
    if value is None:
        return "—"
    return format(Decimal(serialize.money(Decimal(value)) or 0), ",f")


@bp.app_template_filter("avg")
def avg_filter(value: Decimal) -> str:
    """Average cost to 4 places for reading; the API keeps all 8."""
    return format(value.quantize(Decimal("0.0001")), ",f")


@bp.app_template_filter("qty")
def qty_filter(value: Decimal) -> str:
    return format(Decimal(serialize.qty(value)), ",f")


def _uid() -> int:
    return int(current_user.id)


def change_of(last: LastPrice | None) -> tuple[Decimal | None, float | None]:
    """Absolute and percent change against the previous close."""
    if last is None or not last.previous_close:
        return None, None
    delta = last.price - last.previous_close
    return delta, float(delta / last.previous_close * 100)


@bp.get("/stocks")
def stocks() -> str:
    query = (request.args.get("q") or "").strip()
    statement = (
        select(Instrument, LastPrice)
        .join(Venue)
        .outerjoin(LastPrice, LastPrice.instrument_id == Instrument.id)
        .where(Instrument.status == "active")
        .order_by(Venue.code, Instrument.symbol)
    )
    if query:
        like = f"%{query.upper()}%"
        statement = statement.where(
            Instrument.symbol.ilike(like) | Instrument.name.ilike(f"%{query}%")
        )
    rows = []
    for instrument, last in db.session.execute(statement.limit(200)).all():
        delta, pct = change_of(last)
        rows.append(
            {
                "instrument": instrument,
                "last": last,
                "change": delta,
                "pct": pct,
                "mini": {
                    "mode": "mini",
                    "lazy": True,
                    "id": f"mini-{instrument.id}",
                    "symbol": instrument.symbol,
                    "venue": instrument.venue.code,
                    "interval": MINI_INTERVAL,
                    "limit": MINI_CANDLES,
                    "height": MINI_HEIGHT,
                },
                "open": schedule.is_venue_open(instrument.venue_id),
            }
        )
    return render_template("trading/stocks.html", rows=rows, q=query)


def _instrument(instrument_id: int) -> Instrument:
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None:
        abort(404)
    return instrument


@bp.get("/stocks/<int:instrument_id>")
def instrument_detail(instrument_id: int) -> str:
    instrument = _instrument(instrument_id)
    last = db.session.get(LastPrice, instrument.id)
    delta, pct = change_of(last)
    value = portfolio.portfolio_of(_uid())
    holding = next((h for h in value.holdings if h.instrument.id == instrument.id), None)
    form = OrderForm(side=request.args.get("side", "buy"))
    qualified = f"{instrument.venue.code}:{instrument.symbol}"
    working = orders.list_orders(_uid(), "open,queued", qualified, limit=20)
    return render_template(
        "trading/instrument.html",
        instrument=instrument,
        last=last,
        change=delta,
        pct=pct,
        clock=schedule.clock(instrument.venue),
        form=form,
        holding=holding,
        portfolio=value,
        working=working,
        cancel_form=CancelForm(),
        chart={
            "id": "price-chart",
            "symbol": instrument.symbol,
            "venue": instrument.venue.code,
            "interval": CHART_INTERVAL,
            "height": 470,
            "features": {"picker": False},
            "overlays": CHART_OVERLAYS,
        },
        workstation_url=_workstation_url(instrument),
    )


def _workstation_url(instrument: Instrument) -> str | None:
    """The /chart page of this instrument, when the chart workstation is installed."""
    if "charts.chart" not in current_app.view_functions:
        return None
    return url_for(
        "charts.chart",
        symbol=instrument.symbol,
        venue=instrument.venue.code,
        interval=CHART_INTERVAL,
    )


def _order_request(instrument: Instrument, form: OrderForm) -> orders.OrderRequest:
    uses_limit = form.type.data in ("limit", "stop_limit")
    uses_stop = form.type.data in ("stop", "stop_limit")
    return orders.OrderRequest(
        symbol=instrument.symbol,
        venue=instrument.venue.code,
        side=form.side.data,
        type=form.type.data,
        quantity=(form.quantity.data or "").strip(),
        limit_price=(form.limit_price.data or "").strip() or None if uses_limit else None,
        stop_price=(form.stop_price.data or "").strip() or None if uses_stop else None,
        time_in_force=form.time_in_force.data,
    )


@bp.post("/stocks/<int:instrument_id>/preview")
def order_preview(instrument_id: int) -> str:
    """htmx partial: the live estimate under the order ticket."""
    instrument = _instrument(instrument_id)
    form = OrderForm(meta={"csrf": False})
    if not (form.quantity.data or "").strip():
        return render_template("trading/_preview.html", preview=None, error=None)
    try:
        _, spec, value = orders.preview_order(_uid(), _order_request(instrument, form))
    except DomainError as exc:
        return render_template("trading/_preview.html", preview=None, error=exc)
    return render_template(
        "trading/_preview.html",
        error=None,
        preview=serialize.preview(instrument, spec.side.value, spec.quantity, value),
    )


@bp.post("/stocks/<int:instrument_id>/order")
@limit_orders
def place_order(instrument_id: int) -> Any:
    instrument = _instrument(instrument_id)
    form = OrderForm()
    back = url_for("trading.instrument_detail", instrument_id=instrument.id, side=form.side.data)
    if not form.validate_on_submit():
        for field, errors in form.errors.items():
            flash(f"{field.replace('_', ' ').capitalize()}: {errors[0]}", "danger")
        return redirect(back)
    try:
        order, _ = orders.place_order(_uid(), _order_request(instrument, form))
    except DomainError as exc:
        flash(f"Order not placed — {exc.message}.", "danger")
        return redirect(back)
    flash(_order_message(order), "success" if order.status != "rejected" else "danger")
    return redirect(back)


def _order_message(order: Any) -> str:
    what = f"{order.side.title()} {serialize.qty(order.quantity)} {order.instrument.symbol}"
    if order.status == "filled":
        fee = serialize.money(order.fee)
        return f"{what} filled at {serialize.money(order.fill_price)} (fee {fee})."
    if order.status == "queued":
        return f"{what} queued: the market is closed, it executes at the open."
    if order.status == "open":
        return f"{what} is working ({order.type.replace('_', '-')})."
    return f"{what} was {order.status}: {order.reject_reason or ''}".rstrip(": ")


@bp.get("/orders")
def orders_page() -> str:
    status = request.args.get("status") or None
    side = request.args.get("side") or None
    symbol = (request.args.get("symbol") or "").strip() or None
    try:
        rows = orders.list_orders(_uid(), status, symbol, side, limit=500)
    except DomainError as exc:
        flash(exc.message, "danger")
        rows = []
    return render_template(
        "trading/orders.html",
        rows=rows,
        status=status or "",
        side=side or "",
        symbol=symbol or "",
        cancel_form=CancelForm(),
    )


@bp.post("/orders/<int:order_id>/cancel")
def cancel(order_id: int) -> Any:
    form = CancelForm()
    if form.validate_on_submit():
        try:
            order = orders.cancel_order(_uid(), order_id)
            flash(f"Order #{order.id} cancelled.", "success")
        except DomainError as exc:
            flash(exc.message, "danger")
    return redirect(request.referrer or url_for("trading.orders_page"))


@bp.get("/portfolio")
def portfolio_page() -> str:
    value = portfolio.portfolio_of(_uid())
    parts = [(h.instrument.symbol, h.market_value) for h in value.open_holdings]
    slices = allocation_donut.slices([*parts, ("Cash", value.cash)])
    return render_template("trading/portfolio.html", p=value, slices=slices)


@bp.get("/trades")
def trades() -> str:
    return render_template("trading/trades.html", rows=portfolio.trades_of(_uid()))


@bp.get("/cash")
def cash() -> str:
    config = current_app.config["TRADEDECK"]
    account = ledger.find_account(_uid())
    rows = ledger.transactions(account.id) if account else []
    return render_template(
        "trading/cash.html",
        account=account,
        rows=rows,
        available=ledger.available_cash(account) if account else Decimal(0),
        deposit_form=CashForm(prefix="deposit"),
        withdraw_form=CashForm(prefix="withdraw"),
        limits={"deposit": config.deposit_limit, "withdraw": config.withdraw_limit},
    )


@bp.post("/cash/<kind>")
def cash_move(kind: str) -> Any:
    if kind not in ("deposit", "withdraw"):
        abort(404)
    form = CashForm(prefix=kind)
    if form.validate_on_submit():
        try:
            action = ledger.deposit if kind == "deposit" else ledger.withdraw
            row = action(_uid(), (form.amount.data or "").strip())
            verb = "Deposited" if kind == "deposit" else "Withdrew"
            flash(
                f"{verb} {serialize.money(abs(row.amount))}. Balance "
                f"{serialize.money(row.balance_after)}.",
                "success",
            )
        except DomainError as exc:
            flash(f"{kind.title()} refused — {exc.message}.", "danger")
    else:
        flash("Enter an amount.", "danger")
    return redirect(url_for("trading.cash"))


def _capped(found: list[Any]) -> tuple[list[Any], bool]:
    """Rows fetched with a limit one past the cap: the rows to export, and whether any
    older ones were left out."""
    limit = export_limit()
    return found[:limit], len(found) > limit


@bp.get("/trades.csv")
def trades_csv() -> Response:
    trades, truncated = _capped(portfolio.trades_of(_uid(), limit=export_limit() + 1))
    rows = (
        [
            t.id,
            t.executed_at.isoformat(),
            t.order_id,
            t.instrument.symbol,
            t.side,
            serialize.qty(t.quantity),
            serialize.money(t.price),
            serialize.money(t.notional),
            serialize.money(t.fee),
            serialize.money(t.realized_pnl),
        ]
        for t in trades
    )
    header = [
        "id",
        "executed_at",
        "order_id",
        "symbol",
        "side",
        "quantity",
        "price",
        "notional",
        "fee",
        "realized_pnl",
    ]
    return csv_response("trades.csv", header, rows, truncated)


@bp.get("/cash.csv")
def cash_csv() -> Response:
    account = ledger.find_account(_uid())
    found = ledger.transactions(account.id, limit=export_limit() + 1) if account else []
    entries, truncated = _capped(found)
    rows = (
        [
            r.id,
            r.created_at.isoformat(),
            r.type,
            serialize.money(r.amount),
            serialize.money(r.balance_after),
            r.order_id or "",
        ]
        for r in entries
    )
    header = ["id", "created_at", "type", "amount", "balance_after", "order_id"]
    return csv_response("cash.csv", header, rows, truncated)
