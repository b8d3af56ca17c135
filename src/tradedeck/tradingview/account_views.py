"""`/tradingview` (any signed-in user): link your TradingView username and see the Pine
scripts you may use, with their expiry. Linking checks the name exactly against TradingView
(case-insensitive, stored in TradingView's spelling); unlinking removes your access first.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.tradingview import links
from tradedeck.tradingview.forms import ActionForm, OwnLinkForm
from tradedeck.tradingview.models import AccessGrant

bp = Blueprint("tradingview_account", __name__, url_prefix="/tradingview")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in user."""


@bp.get("")
def page() -> str:
    grants = db.session.scalars(
        select(AccessGrant).where(AccessGrant.user_id == current_user.id).order_by(AccessGrant.id)
    ).all()
    return render_template(
        "tradingview/account.html",
        link=links.link_of(current_user.id),
        grants=grants,
        form=OwnLinkForm(),
    )


def _back() -> Response:
    return redirect(url_for("tradingview_account.page"))


@bp.post("/link")
def link() -> Response:
    form = OwnLinkForm()
    if not form.validate_on_submit():
        flash("The form expired or the username is too long; try again.", "danger")
        return _back()
    try:
        found = links.link(current_user.id, form.username.data or "", current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back()
    flash(f"Linked to TradingView user {found.username}.", "success")
    return _back()


@bp.post("/unlink")
def unlink() -> Response:
    if not ActionForm().validate_on_submit():
        flash("The form expired; try again.", "danger")
        return _back()
    try:
        removed = links.unlink(current_user.id, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back()
    flash(f"TradingView username unlinked; access removed on {removed} script(s).", "success")
    return _back()
