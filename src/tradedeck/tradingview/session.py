"""The TradingView session: pasted cookies (primary) or a password sign-in with TOTP (fallback).

Cookies are encrypted at rest with a Fernet key derived (HKDF-SHA256) from SECRET_KEY, so a
database dump alone does not hand out the TradingView account; a row that no longer decrypts
(SECRET_KEY rotated, corrupted or partial write) counts as "no session". Admins only ever see
"set on … by …". The session is probed when it is set and when an admin asks, never before
each call: a call that finds it dead marks it invalid instead. Password sign-ins are never
retried automatically and are spaced by TRADINGVIEW_SIGNIN_COOLDOWN_SECS, because repeated
logins bring captchas, "new login" e-mails and 24-36 h account blocks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from pydantic import BaseModel

from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.sealed import seal, unseal
from tradedeck.tradingview import errors, oplog
from tradedeck.tradingview.client import Cookies, TradingViewClient
from tradedeck.tradingview.models import TradingViewSession

ROW_ID = 1
CLIENT_OPTIONS = "tradingview.client_options"
PURPOSE = "tradingview-session"
SESSIONID = re.compile(r"^[A-Za-z0-9]{16,128}$")
SIGN = re.compile(r"^[A-Za-z0-9:._\-+/=]{1,256}$")


def encrypt(data: dict[str, str]) -> str:
    return seal(json.dumps(data), PURPOSE)


def decrypt(token: str | None) -> dict[str, str] | None:
    """The stored dict, or None when missing, corrupt, partial or made with another key."""
    text = unseal(token, PURPOSE)
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class SessionState(BaseModel, frozen=True):
    """What admins may see (also the API's answer): never the cookies themselves."""

    is_set: bool
    mode: str
    account: str
    set_at: datetime | None
    set_by: str
    valid: bool
    probed_at: datetime | None
    problem: str
    awaiting_code: bool
    cooldown_until: datetime | None


def _row(create: bool = False) -> TradingViewSession | None:
    row = db.session.get(TradingViewSession, ROW_ID)
    if row is None and create:
        row = TradingViewSession(id=ROW_ID)
        db.session.add(row)
    return row


def make_client(cookies: Cookies | None = None) -> TradingViewClient:
    config = current_app.config["TRADEDECK"]
    options: dict[str, Any] = current_app.extensions.get(CLIENT_OPTIONS, {})
    return TradingViewClient(config.tradingview_url, cookies, **options)


def stored_cookies() -> Cookies | None:
    row = _row()
    data = decrypt(row.cookies_encrypted if row else None)
    if not data or not data.get("sessionid"):
        return None
    return Cookies(data["sessionid"], data.get("sessionid_sign", ""))


def active_client() -> TradingViewClient:
    """A client on the stored session (no probe: a dead one is found by the first call)."""
    cookies = stored_cookies()
    if cookies is None:
        raise errors.SessionMissing(
            "No TradingView session: an admin pastes the session cookies on /manage."
        )
    return make_client(cookies)


def state() -> SessionState:
    row = _row()
    cookies = stored_cookies()
    cooldown = _cooldown_until(row)
    if row is None:
        return SessionState(
            is_set=False,
            mode="",
            account="",
            set_at=None,
            set_by="",
            valid=False,
            probed_at=None,
            problem="",
            awaiting_code=False,
            cooldown_until=cooldown,
        )
    return SessionState(
        is_set=cookies is not None,
        mode=row.mode,
        account=row.account,
        set_at=row.set_at,
        set_by=row.set_by,
        valid=cookies is not None and row.valid,
        probed_at=row.probed_at,
        problem=row.problem,
        awaiting_code=decrypt(row.pending_encrypted) is not None,
        cooldown_until=cooldown,
    )


def mark_invalid(problem: str) -> None:
    """Remember that the stored session stopped working (committed on its own)."""
    row = _row()
    if row is not None:
        row.valid = False
        row.problem = problem[:300]
        row.probed_at = utcnow()
        db.session.commit()


def _store(cookies: Cookies, account: str, mode: str, actor: Any) -> None:
    row = _row(create=True)
    assert row is not None
    row.cookies_encrypted = encrypt(
        {"sessionid": cookies.sessionid, "sessionid_sign": cookies.sessionid_sign}
    )
    row.mode = mode
    row.account = account[:64]
    row.set_at = row.probed_at = utcnow()
    row.set_by = oplog.actor_name(actor)
    row.valid = True
    row.problem = ""
    row.pending_encrypted = None
    oplog.log(actor, "session.set", result="ok", answer=f"{mode} session of {account}")
    db.session.commit()


def set_cookies(sessionid: str, sessionid_sign: str, actor: Any) -> SessionState:
    """Validate pasted cookies with one probe and store them encrypted."""
    sessionid, sessionid_sign = sessionid.strip(), sessionid_sign.strip()
    if not SESSIONID.match(sessionid):
        raise DomainError(
            "sessionid is the letters and digits of the `sessionid` cookie.", field="sessionid"
        )
    if sessionid_sign and not SIGN.match(sessionid_sign):
        raise DomainError(
            "sessionid_sign is the value of the `sessionid_sign` cookie (like v1:…).",
            field="sessionid_sign",
        )
    cookies = Cookies(sessionid, sessionid_sign)
    try:
        account = make_client(cookies).probe()
    except errors.SessionExpired as exc:
        oplog.log(actor, "session.set", result="failed", answer=exc.answer)
        db.session.commit()
        raise DomainError(
            "TradingView does not accept these cookies (copy both sessionid and "
            "sessionid_sign from a signed-in browser).",
            field="sessionid",
            code="tradingview_cookies_rejected",
        ) from exc
    _store(cookies, account, "cookie", actor)
    return state()


def probe(actor: Any) -> SessionState:
    """Check the stored session now (the admin's "Check now" button); logged either way."""
    client = active_client()
    row = _row()
    assert row is not None
    try:
        row.account = client.probe()[:64]
    except errors.SessionExpired as exc:
        oplog.log(actor, "session.check", result="failed", answer=exc.answer)
        mark_invalid(exc.message)
        return state()
    row.valid, row.problem, row.probed_at = True, "", utcnow()
    oplog.log(actor, "session.check", result="ok", answer=f"session of {row.account}")
    db.session.commit()
    return state()


def clear(actor: Any) -> None:
    row = _row()
    if row is not None:
        row.cookies_encrypted = row.pending_encrypted = None
        row.valid, row.account, row.problem = False, "", ""
        oplog.log(actor, "session.clear", result="ok")
        db.session.commit()


def _cooldown_until(row: TradingViewSession | None) -> datetime | None:
    if row is None or row.signin_attempt_at is None:
        return None
    seconds = current_app.config["TRADEDECK"].tradingview_signin_cooldown_secs
    until = row.signin_attempt_at + timedelta(seconds=seconds)
    return until if until > utcnow() else None


def sign_in(username: str, password: str, actor: Any) -> SessionState:
    """One password sign-in (fallback). Captcha, 2FA and throttling surface as their own
    errors; nothing is retried, and the next attempt waits for the cooldown."""
    if not username.strip():
        raise DomainError("Enter the TradingView username or e-mail.", field="username")
    if not password:
        raise DomainError("Enter the TradingView password.", field="password")
    row = _row(create=True)
    assert row is not None
    until = _cooldown_until(row)
    if until is not None:
        wait = int((until - utcnow()).total_seconds()) + 1
        raise errors.SignInCooldown(
            f"Wait {wait} s before signing in to TradingView again (repeated logins get the "
            "account blocked); pasting cookies works at any time.",
            retry_after=wait,
        )
    row.signin_attempt_at = utcnow()
    row.pending_encrypted = None
    db.session.commit()
    return _finish(
        actor, "session.signin", row, lambda: make_client().sign_in(username.strip(), password)
    )


def submit_code(code: str, actor: Any) -> SessionState:
    """Second step of a 2FA sign-in: the authenticator's 6-digit code."""
    if not re.fullmatch(r"\d{6}", code.strip()):
        raise DomainError("The code is the 6 digits of the authenticator app.", field="code")
    row = _row()
    pending = decrypt(row.pending_encrypted if row else None)
    if row is None or pending is None:
        raise errors.TwoFactorExpired("No sign-in is waiting for a code; sign in again.")
    return _finish(
        actor, "session.2fa", row, lambda: make_client().submit_totp(pending, code.strip())
    )


def _finish(
    actor: Any, action: str, row: TradingViewSession, attempt: Callable[[], Cookies]
) -> SessionState:
    """Run one sign-in step: store the session it returns, or log why not (committed, since
    the error handler rolls back) and re-raise; a 2FA request keeps its pre-auth cookies."""
    try:
        cookies = attempt()
    except errors.TradingViewError as exc:
        result = "failed"
        if isinstance(exc, errors.TwoFactorRequired):
            row.pending_encrypted, result = encrypt(exc.pending), "2fa_required"
        elif isinstance(exc, errors.TwoFactorExpired):
            row.pending_encrypted, result = None, "expired"
        oplog.log(actor, action, result=result, answer=exc.answer or exc.message)
        db.session.commit()
        raise
    _store(cookies, make_client(cookies).probe(), "password", actor)
    return state()
