"""Registered Pine scripts. Turning one off removes it completely (seed 002): every grant is
removed on TradingView first, then the script and its grants are deleted, so adding the same
id again starts clean. If a removal fails the script stays, with the grants not yet removed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.tradingview import errors, oplog, services, session
from tradedeck.tradingview.models import AccessGrant, PineScript
from tradedeck.tradingview.pine import pine_id_warning, validate_pine_id

MAX_NAME = 120
MAX_DESCRIPTION = 500


def list_scripts() -> list[PineScript]:
    return list(db.session.scalars(select(PineScript).order_by(PineScript.name, PineScript.id)))


def register(
    pine_id: str, name: str, description: str, actor: Any
) -> tuple[PineScript, str | None]:
    """Add a script; the second value warns about an unusual id length."""
    pine_id = validate_pine_id(pine_id)
    name, description = name.strip(), description.strip()
    if not name or len(name) > MAX_NAME:
        raise DomainError(f"Give the script a name of 1 to {MAX_NAME} characters.", field="name")
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(
            f"The description is at most {MAX_DESCRIPTION} characters.", field="description"
        )
    if db.session.scalar(select(PineScript).where(PineScript.pine_id == pine_id)):
        raise DomainError(
            "This Pine script is already registered.", field="pine_id", code="taken", status=409
        )
    warning = pine_id_warning(pine_id) or _ownership_warning(pine_id)
    script = PineScript(pine_id=pine_id, name=name, description=description)
    db.session.add(script)
    oplog.log(actor, "script.add", result="ok", pine_id=pine_id, answer=warning or name)
    db.session.commit()
    return script, warning


def _ownership_warning(pine_id: str) -> str | None:
    """With a session, check the id is among the account's manageable scripts (list_scripts);
    TradingView being unreachable does not stop a registration."""
    if session.stored_cookies() is None:
        return None
    try:
        owned = session.active_client().list_scripts()
    except errors.TradingViewError:
        return None
    if pine_id in owned:
        return None
    return "TradingView does not list this id among the session account's invite-only scripts."


def turn_off(script_id: int, actor: Any) -> int:
    """Remove every grant on TradingView, then the script; returns the grants removed."""
    script = services.get_script(script_id)
    grants = list(db.session.scalars(select(AccessGrant).where(AccessGrant.script_id == script_id)))
    client = session.active_client() if grants else None
    for grant in grants:
        services.remove(actor, grant.user_id, script_id, client=client)
    script = services.get_script(script_id)
    oplog.log(actor, "script.remove", result="ok", pine_id=script.pine_id, answer=script.name)
    db.session.delete(script)
    db.session.commit()
    return len(grants)
