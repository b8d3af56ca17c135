"""The access-operation log: every TradingView operation (who, what, for which user and
script, the result and TradingView's answer), mirrored into the admin audit log.

Rows are added to the caller's session; callers commit them, also when the operation failed
(before raising), so a failure is never lost with the rolled-back change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tradedeck.audit.services import Target, record
from tradedeck.extensions import db
from tradedeck.tradingview.models import AccessOperation

WORKER = "worker"


def actor_name(actor: Any) -> str:
    if actor is None:
        return WORKER
    return actor if isinstance(actor, str) else str(actor.username)


def log(
    actor: Any,
    action: str,
    *,
    result: str,
    user_id: int | None = None,
    tv_username: str = "",
    pine_id: str = "",
    answer: str = "",
    expires_at: datetime | None = None,
    job_id: int | None = None,
) -> AccessOperation:
    """Add one operation row and its audit entry (`tradingview.<action>`)."""
    entry = AccessOperation(
        actor_id=None if actor is None or isinstance(actor, str) else int(actor.id),
        actor=actor_name(actor)[:64],
        action=action[:32],
        user_id=user_id,
        tv_username=tv_username[:64],
        pine_id=pine_id[:80],
        result=result[:24],
        expires_at=expires_at,
        answer=answer[:1000],
        job_id=job_id,
    )
    label = " · ".join(part for part in (tv_username, pine_id) if part) or "session"
    record(
        f"tradingview.{action}",
        Target("tradingview", f"{user_id}:{pine_id}" if user_id else None, label),
        after={"result": result, "expires_at": expires_at, "answer": answer[:300], "job": job_id},
        actor=actor if actor is not None else WORKER,
    )
    db.session.add(entry)
    return entry
