"""Grant, extend and remove one user's access to one script on TradingView.

Every write is checked against list_users afterwards and the local grant records what
TradingView shows, not what was asked: `add` answering `exists` leaves the old expiry in
place on TradingView, so it is never taken as "extended" — the expiry is then set with
modify_user_expiration and verified. Each call writes one access-operation row (and audit
entry), also when it fails.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.tradingview import errors, oplog, session
from tradedeck.tradingview.client import Grantee, TradingViewClient
from tradedeck.tradingview.durations import add_duration, check_duration, extension_base
from tradedeck.tradingview.models import AccessGrant, PineScript, TradingViewLink

TOLERANCE = timedelta(seconds=60)


class Outcome(BaseModel, frozen=True):
    """The post-state of one operation, as list_users confirmed it (also the API's answer)."""

    action: str
    result: str
    user_id: int
    script_id: int
    tv_username: str
    pine_id: str
    expires_at: datetime | None
    lifetime: bool
    answer: str


def get_script(script_id: int) -> PineScript:
    script = db.session.get(PineScript, script_id)
    if script is None:
        raise DomainError("No such Pine script.", field="script_id", code="not_found", status=404)
    return script


def get_link(user_id: int) -> TradingViewLink:
    link = db.session.scalar(select(TradingViewLink).where(TradingViewLink.user_id == user_id))
    if link is None:
        raise DomainError(
            "This user has not linked a TradingView username.",
            field="user_id",
            code="not_linked",
            status=404,
        )
    return link


def local_grant(user_id: int, script_id: int) -> AccessGrant | None:
    return db.session.scalar(
        select(AccessGrant).where(
            AccessGrant.user_id == user_id, AccessGrant.script_id == script_id
        )
    )


def same_expiry(seen: datetime | None, wanted: datetime | None) -> bool:
    if seen is None or wanted is None:
        return seen is wanted
    return abs(seen - wanted) <= TOLERANCE


def _verified(client: TradingViewClient, pine_id: str, username: str) -> Grantee | None:
    return client.find_user(pine_id, username)


def _apply(
    client: TradingViewClient, pine_id: str, username: str, duration: str, now: datetime
) -> tuple[str, str, Grantee | None, list[str]]:
    """(action, result, row after, answers) of granting/extending on TradingView."""
    current = client.find_user(pine_id, username)
    action = "extend" if current else "grant"
    if current is not None and current.lifetime:
        return action, "not_applied", current, ["already lifetime: nothing sent"]
    target = add_duration(extension_base(current.expiration if current else None, now), duration)
    answers: list[str] = []
    modified = False
    if current is None:
        status = client.add(pine_id, username, target)
        answers.append(f"add: {status}")
        if status != "ok":  # `exists`: TradingView kept the old expiry
            client.modify_user_expiration(pine_id, username, target)
            answers.append("modify: ok")
            modified = True
    else:
        try:
            client.modify_user_expiration(pine_id, username, target)
            answers.append("modify: ok")
            modified = True
        except errors.NotGranted:  # removed since the listing: add it back
            answers.append(f"modify: not granted; add: {client.add(pine_id, username, target)}")
    after = _verified(client, pine_id, username)
    if not modified and (after is None or not same_expiry(after.expiration, target)):
        client.modify_user_expiration(pine_id, username, target)
        answers.append("verify: expiry differs; modify: ok")
        after = _verified(client, pine_id, username)
    if after is None or not same_expiry(after.expiration, target):
        shown = "no access" if after is None else (after.expiration or "lifetime")
        raise errors.VerificationFailed(
            f"TradingView shows {shown} after the change, not {target or 'lifetime'}.",
            answer="; ".join(answers),
        )
    return action, "ok", after, answers


def grant(
    actor: Any,
    user_id: int,
    script_id: int,
    duration: str,
    *,
    client: TradingViewClient | None = None,
    job_id: int | None = None,
) -> Outcome:
    """Give or extend access for `duration` (7d, 30d, 90d, 1y, lifetime)."""
    check_duration(duration)
    link, script = get_link(user_id), get_script(script_id)
    username, pine_id = link.username, script.pine_id
    now = utcnow()
    try:
        tv = client or session.active_client()
        action, result, after, answers = _apply(tv, pine_id, username, duration, now)
    except errors.TradingViewError as exc:
        _failed(actor, "grant", user_id, username, pine_id, exc, job_id)
        raise
    expires_at = after.expiration if after else None
    answer = "; ".join(answers)
    for attempt in range(2):  # a concurrent first grant of the same pair inserted the row
        row = local_grant(user_id, script_id) or AccessGrant(user_id=user_id, script_id=script_id)
        row.tv_username, row.expires_at, row.verified_at = username, expires_at, now
        db.session.add(row)
        oplog.log(
            actor,
            action,
            result=result,
            user_id=user_id,
            tv_username=username,
            pine_id=pine_id,
            answer=answer,
            expires_at=expires_at,
            job_id=job_id,
        )
        try:
            db.session.commit()
            break
        except IntegrityError:
            db.session.rollback()
            if attempt:
                raise
    return Outcome(
        action=action,
        result=result,
        user_id=user_id,
        script_id=script_id,
        tv_username=username,
        pine_id=pine_id,
        expires_at=expires_at,
        lifetime=expires_at is None,
        answer=answer,
    )


def remove(
    actor: Any,
    user_id: int,
    script_id: int,
    *,
    client: TradingViewClient | None = None,
    job_id: int | None = None,
    action: str = "remove",
) -> Outcome:
    """Take access away on TradingView (idempotent: `not_exists` is success) and locally."""
    script = get_script(script_id)
    row = local_grant(user_id, script_id)
    username = row.tv_username if row else get_link(user_id).username
    try:
        tv = client or session.active_client()
        status = tv.remove(script.pine_id, username)
        if _verified(tv, script.pine_id, username) is not None:
            raise errors.VerificationFailed(
                "TradingView still lists the user after the removal.", answer=f"remove: {status}"
            )
    except errors.TradingViewError as exc:
        _failed(actor, action, user_id, username, script.pine_id, exc, job_id)
        raise
    if row is not None:
        db.session.delete(row)
    oplog.log(
        actor,
        action,
        result="ok",
        user_id=user_id,
        tv_username=username,
        pine_id=script.pine_id,
        answer=f"remove: {status}",
        job_id=job_id,
    )
    db.session.commit()
    return Outcome(
        action=action,
        result="ok",
        user_id=user_id,
        script_id=script_id,
        tv_username=username,
        pine_id=script.pine_id,
        expires_at=None,
        lifetime=False,
        answer=f"remove: {status}",
    )


def _failed(
    actor: Any,
    action: str,
    user_id: int,
    username: str,
    pine_id: str,
    exc: errors.TradingViewError,
    job_id: int | None,
) -> None:
    """Log the failure in its own commit (the error handler rolls the request back)."""
    db.session.rollback()
    if isinstance(exc, errors.SessionExpired):
        session.mark_invalid(exc.message)
    oplog.log(
        actor,
        action,
        result="failed",
        user_id=user_id,
        tv_username=username,
        pine_id=pine_id,
        answer=f"{exc.code}: {exc.answer or exc.message}",
        job_id=job_id,
    )
    db.session.commit()
