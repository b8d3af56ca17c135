"""Each TradeDeck user links one TradingView username: validated by an exact, case-insensitive
match on username_hint (near matches do not count) and stored in TradingView's spelling.
A username belongs to one account until that link is fully removed, which first removes
every grant the user holds on TradingView.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tradedeck.accounts.models import User
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db, limiter
from tradedeck.market.limits import hit
from tradedeck.tradingview import oplog, services, session
from tradedeck.tradingview.models import AccessGrant, TradingViewLink


def link_of(user_id: int) -> TradingViewLink | None:
    return db.session.scalar(select(TradingViewLink).where(TradingViewLink.user_id == user_id))


LINK_RATE_LIMIT = "10/minute"
"""Link attempts per signed-in caller: each one asks TradingView's username_hint."""


def link(user_id: int, username: str, actor: Any) -> TradingViewLink:
    """Link (or change, while no access is held) the user's TradingView username; each
    attempt counts against the caller's LINK_RATE_LIMIT (429 beyond)."""
    if limiter.enabled:
        hit(LINK_RATE_LIMIT, "tradingview.link")
    if db.session.get(User, user_id) is None:
        raise DomainError("No such user.", field="user_id", code="not_found", status=404)
    canonical = session.make_client().canonical_username(username)
    owner = db.session.scalar(
        select(TradingViewLink).where(TradingViewLink.username_key == canonical.lower())
    )
    if owner is not None and owner.user_id != user_id:
        raise DomainError(
            f"{canonical} is linked to another account until it is removed there.",
            field="username",
            code="taken",
            status=409,
        )
    current = link_of(user_id)
    if current is not None and current.username_key != canonical.lower() and _has_grants(user_id):
        raise DomainError(
            "Remove this user's TradingView access before changing the username.",
            field="username",
            code="has_access",
            status=409,
        )
    row = current or TradingViewLink(user_id=user_id)
    row.username, row.username_key = canonical, canonical.lower()
    db.session.add(row)
    oplog.log(actor, "link", result="ok", user_id=user_id, tv_username=canonical)
    db.session.commit()
    return row


def unlink(user_id: int, actor: Any) -> int:
    """Remove all of the user's access on TradingView, then the link; returns grants removed."""
    current = link_of(user_id)
    if current is None:
        raise DomainError("No TradingView username is linked.", code="not_found", status=404)
    grants = list(db.session.scalars(select(AccessGrant).where(AccessGrant.user_id == user_id)))
    client = session.active_client() if grants else None
    for grant in grants:
        services.remove(actor, user_id, grant.script_id, client=client)
    current = link_of(user_id)
    assert current is not None
    oplog.log(actor, "unlink", result="ok", user_id=user_id, tv_username=current.username)
    db.session.delete(current)
    db.session.commit()
    return len(grants)


def _has_grants(user_id: int) -> bool:
    return (
        db.session.scalar(select(AccessGrant.id).where(AccessGrant.user_id == user_id)) is not None
    )
