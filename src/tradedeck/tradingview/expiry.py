"""The worker's pass: remove access on TradingView once a grant expires locally, then
reconcile local grants with list_users and log what differs (the drift report).

TradingView may keep expired rows listed, and grants can be changed on the website, so the
local table is checked against the listing: grants missing on TradingView, expiries that
differ, and grantees TradeDeck does not know about. Nothing is "fixed" silently; the report
is logged for an admin. Without a session the pass does nothing; a dead session stops it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field

from sqlalchemy import select

from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.tradingview import errors, oplog, services, session
from tradedeck.tradingview.models import AccessGrant, AccessOperation, PineScript

log = logging.getLogger(__name__)


@dataclass
class Drift:
    """Per script: what TradeDeck and TradingView disagree about."""

    missing_on_tradingview: list[str] = field(default_factory=list)
    unknown_to_tradedeck: list[str] = field(default_factory=list)
    expiry_differs: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.missing_on_tradingview or self.unknown_to_tradedeck or self.expiry_differs)


def expire_due() -> int:
    """Remove every locally expired grant on TradingView; returns how many were removed."""
    now = utcnow()
    due = list(
        db.session.scalars(
            select(AccessGrant.id).where(
                AccessGrant.expires_at.is_not(None), AccessGrant.expires_at <= now
            )
        )
    )
    if not due:
        return 0
    client = session.active_client()
    removed = 0
    for grant_id in due:
        grant = db.session.get(AccessGrant, grant_id)  # fresh: extended or removed meanwhile?
        if grant is None or grant.expires_at is None or grant.expires_at > utcnow():
            continue
        try:
            services.remove(None, grant.user_id, grant.script_id, client=client, action="expire")
            removed += 1
        except (errors.SessionExpired, errors.EdgeBlocked, errors.RateLimited):
            raise
        except DomainError as exc:
            log.warning("expiring grant %s failed: %s", grant_id, exc.message)
    return removed


def reconcile() -> dict[str, Drift]:
    """Compare each script's grants with list_users; log one `reconcile` row."""
    client = session.active_client()
    report: dict[str, Drift] = {}
    for script in db.session.scalars(select(PineScript).order_by(PineScript.id)):
        listed = {row.username.lower(): row for row in client.list_users(script.pine_id)}
        local = {
            g.tv_username.lower(): g
            for g in db.session.scalars(
                select(AccessGrant).where(AccessGrant.script_id == script.id)
            )
        }
        drift = Drift()
        for key, grant in local.items():
            row = listed.get(key)
            if row is None:
                drift.missing_on_tradingview.append(grant.tv_username)
            elif not services.same_expiry(row.expiration, grant.expires_at):
                drift.expiry_differs.append(grant.tv_username)
        drift.unknown_to_tradedeck = sorted(
            row.username for k, row in listed.items() if k not in local
        )
        if not drift.empty:
            report[script.pine_id] = drift
    summary = {pine_id: asdict(d) for pine_id, d in report.items()}
    oplog.log(
        None,
        "reconcile",
        result="drift" if report else "ok",
        answer=json.dumps(summary)[:1000] if report else "local grants match TradingView",
    )
    db.session.commit()
    return report


def latest_reconcile() -> AccessOperation | None:
    return db.session.scalar(
        select(AccessOperation)
        .where(AccessOperation.action == "reconcile")
        .order_by(AccessOperation.id.desc())
        .limit(1)
    )


def run_pass() -> None:
    """The loop task: skip without a session; a dead session is recorded, not retried."""
    if session.stored_cookies() is None:
        return
    try:
        expire_due()
        reconcile()
    except errors.SessionExpired as exc:
        session.mark_invalid(exc.message)
        log.warning("TradingView session expired; expiry pass stopped")
    except errors.TradingViewError as exc:
        db.session.rollback()
        log.warning("TradingView expiry pass stopped: %s", exc.message)
