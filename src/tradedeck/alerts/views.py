"""Pages: `/alerts` (rules and notifications) and `/alerts/channels` (notification settings:
apprise channels with a test button, quiet hours, rate limits, the delivery log)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from tradedeck.alerts import delivery, services
from tradedeck.alerts.api import TEST_TITLE
from tradedeck.alerts.forms import ActionForm, ChannelForm, RuleForm
from tradedeck.charts.models import ChartDrawing
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.signals.services import list_watchlists
from tradedeck.signals.views import post_action

bp = Blueprint("alerts", __name__)


@bp.before_request
@login_required
def _require_login() -> None:
    """Every alerts page belongs to a signed-in user."""


def _rule_form() -> RuleForm:
    form = RuleForm()
    drawings = db.session.scalars(
        select(ChartDrawing)
        .where(ChartDrawing.user_id == current_user.id)
        .order_by(ChartDrawing.id)
    )
    form.drawing_id.choices = [(0, "—")] + [
        (d.id, f"{d.venue}:{d.symbol} {d.kind} #{d.id}") for d in drawings
    ]
    form.watchlist_id.choices = [(0, "Any of my watchlists")] + [
        (w.id, w.name) for w in list_watchlists(current_user.id)
    ]
    return form


@bp.get("/alerts")
def alerts() -> str:
    return render_template(
        "alerts/alerts.html",
        rules=services.list_rules(current_user.id),
        notifications=services.notifications(current_user.id, 50),
        form=_rule_form(),
        action=ActionForm(),
    )


@bp.post("/alerts")
def create_rule() -> Any:
    form = _rule_form()
    if not form.validate_on_submit():
        field, errors = next(iter(form.errors.items()), ("name", ["is required"]))
        flash(f"Alert not added — {field}: {errors[0]}", "danger")
        return redirect(url_for("alerts.alerts"))
    spec = services.RuleSpec(
        kind=form.kind.data or "",
        name=form.name.data or "",
        symbol=(form.symbol.data or "").strip() or None,
        level=form.level.data,
        drawing_id=form.drawing_id.data or None,
        watchlist_id=form.watchlist_id.data or None,
        threshold=form.threshold.data,
    )
    try:
        services.create_rule(current_user.id, spec)
        flash("Alert added.", "success")
    except DomainError as exc:
        flash(f"Alert not added — {exc.message}", "danger")
    return redirect(url_for("alerts.alerts"))


@bp.post("/alerts/<int:rule_id>/delete")
def delete_rule(rule_id: int) -> Response:
    return post_action(
        lambda: services.delete_rule(current_user.id, rule_id), "Alert deleted.", "alerts.alerts"
    )


@bp.post("/alerts/read")
def mark_read() -> Any:
    if ActionForm().validate_on_submit():
        services.mark_read(current_user.id)
    return redirect(url_for("alerts.alerts"))


def _minute(text: str | None) -> int | None:
    """`22:30` -> 1350; empty -> None; anything else is a DomainError on the field."""
    text = (text or "").strip()
    if not text:
        return None
    hours, sep, minutes = text.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit()):
        raise services.AlertError("Quiet hours are times like 22:00 (UTC).", "quiet_start")
    return int(hours) * 60 + int(minutes)


@bp.get("/alerts/channels")
def channels() -> str:
    return render_template(
        "alerts/channels.html",
        channels=services.list_channels(current_user.id),
        deliveries=services.delivery_log(current_user.id, 50),
        form=ChannelForm(),
        action=ActionForm(),
        masked=services.masked,
    )


@bp.post("/alerts/channels")
def create_channel() -> Any:
    form = ChannelForm()
    if not form.validate_on_submit():
        flash("Channel not added — enter a name, an apprise URL and 1 to 3600 per hour.", "danger")
        return redirect(url_for("alerts.channels"))
    try:
        services.create_channel(
            current_user.id,
            form.name.data or "",
            form.url.data or "",
            _minute(form.quiet_start.data),
            _minute(form.quiet_end.data),
            int(form.max_per_hour.data or 30),
        )
        flash("Channel added.", "success")
    except DomainError as exc:
        flash(f"Channel not added — {exc.message}", "danger")
    return redirect(url_for("alerts.channels"))


@bp.post("/alerts/channels/<int:channel_id>/delete")
def delete_channel(channel_id: int) -> Response:
    return post_action(
        lambda: services.delete_channel(current_user.id, channel_id),
        "Channel deleted.",
        "alerts.channels",
    )


@bp.post("/alerts/channels/<int:channel_id>/test")
def test_channel(channel_id: int) -> Any:
    if ActionForm().validate_on_submit():
        try:
            channel = services.owned_channel(current_user.id, channel_id)
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("alerts.channels"))
        result = delivery.send(channel.url, TEST_TITLE, f"Channel {channel.name} works.")
        if result.ok:
            flash(f"Test message sent to {channel.name}.", "success")
        else:
            flash(f"Test to {channel.name} failed — {result.error}", "danger")
    return redirect(url_for("alerts.channels"))
