"""`/tradingview` (any signed-in user): link your TradingView username and see the Pine
scripts you may use, with their expiry. Linking checks the name exactly against TradingView
(case-insensitive, stored in TradingView's spelling); unlinking removes your access first.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from tradedeck.extensions import db
from tradedeck.tradingview import links
from tradedeck.tradingview.forms import ActionForm, OwnLinkForm
from tradedeck.tradingview.models import AccessGrant
from tradedeck.tradingview.views import run_form

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


BACK = "tradingview_account.page"


@bp.post("/link")
def link() -> Response:
    form = OwnLinkForm()

    def act() -> str:
        found = links.link(current_user.id, form.username.data or "", current_user)
        return f"Linked to TradingView user {found.username}."

    return run_form(form, act, BACK)


@bp.post("/unlink")
def unlink() -> Response:
    def act() -> str:
        removed = links.unlink(current_user.id, current_user)
        return f"TradingView username unlinked; access removed on {removed} script(s)."

    return run_form(ActionForm(), act, BACK)
