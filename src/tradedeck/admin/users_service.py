"""Admin use cases on users: find, inspect, edit, reset a password, deactivate/reactivate.

Every write validates everything first, adds its audit row, and commits once, so a refused
change leaves neither the change nor an audit row. The last active admin can be neither
demoted nor deactivated (the check locks the admin rows on PostgreSQL, so two admins demoting
each other at once cannot both succeed).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app, has_request_context
from flask_login import current_user
from sqlalchemy import Select, or_, select

from tradedeck.accounts import services as accounts
from tradedeck.accounts.models import ROLES, ApiKey, User
from tradedeck.accounts.passwords import hash_password
from tradedeck.admin.common import Page, paginate
from tradedeck.audit.models import LOGIN_FAILURE, LOGIN_SUCCESS, LOGOUT, AccessLogEntry
from tradedeck.audit.queries import day_bounds, day_range
from tradedeck.audit.services import record, snapshot
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db, events
from tradedeck.trading import ledger, orders, portfolio
from tradedeck.trading.models import CashTransaction, Order
from tradedeck.web.user_facts import FactValue, user_facts

EDITABLE = ("email", "role", "active")
ACTIVE_FILTERS = ("", "active", "inactive")
TEMP_PASSWORD_BYTES = 12
DETAIL_ROWS = 50
# Sent after a deactivation commits: `fn(user)`. Other features connect to it by name (the
# TradingView feature revokes the user's Pine access), so admin imports none of them.
user_deactivated = events.signal("admin.user_deactivated")


class UserNotFound(DomainError):
    def __init__(self, user_id: int) -> None:
        super().__init__(f"No user {user_id}.", field="user_id", code="not_found", status=404)


@dataclass(frozen=True)
class UserFilter:
    """List filters: text in username/email, role, active state, registration date range."""

    q: str = ""
    role: str = ""
    active: str = ""
    since: date | None = None
    until: date | None = None


def user_filter(args: Any) -> UserFilter:
    """A validated `UserFilter` from query-string style `args` (errors name the field)."""
    q = (args.get("q") or "").strip()
    if len(q) > 64:
        raise DomainError("Search text must be at most 64 characters.", field="q")
    role = (args.get("role") or "").strip()
    if role and role not in ROLES:
        raise DomainError(f"role must be one of {', '.join(ROLES)}.", field="role")
    active = (args.get("active") or "").strip()
    if active not in ACTIVE_FILTERS:
        raise DomainError("active must be 'active' or 'inactive'.", field="active")
    return UserFilter(q, role, active, *day_range(args))


def users_query(flt: UserFilter) -> Select[tuple[User]]:
    statement = select(User)
    if flt.q:
        pattern = "%" + flt.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern += "%"
        statement = statement.where(
            or_(User.username_key.like(pattern, escape="\\"), User.email.like(pattern, escape="\\"))
        )
    if flt.role:
        statement = statement.where(User.role == flt.role)
    if flt.active:
        statement = statement.where(User.active.is_(flt.active == "active"))
    statement = day_bounds(statement, User.created_at, flt.since, flt.until)
    return statement.order_by(User.created_at.desc(), User.id.desc())


def list_users(flt: UserFilter, page: int = 1, per_page: int | None = None) -> Page[User]:
    return paginate(users_query(flt), page, per_page)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user


@dataclass(frozen=True)
class UserDetail:
    """Everything the detail page shows about one user."""

    user: User
    portfolio: portfolio.Portfolio
    orders: list[Order]
    cash: list[CashTransaction]
    api_keys: list[ApiKey]
    logins: list[AccessLogEntry]
    facts: list[FactValue]

    def fact(self, key: str) -> str | None:
        """The value of the registered fact `key` (None when no feature registered it)."""
        return next((f.value for f in self.facts if f.key == key), None)


def detail(user_id: int) -> UserDetail:
    user = get_user(user_id)
    account = ledger.find_account(user.id)
    logins = db.session.scalars(
        select(AccessLogEntry)
        .where(
            AccessLogEntry.user_id == user.id,
            AccessLogEntry.event.in_((LOGIN_SUCCESS, LOGIN_FAILURE, LOGOUT)),
        )
        .order_by(AccessLogEntry.updated_at.desc(), AccessLogEntry.id.desc())
        .limit(DETAIL_ROWS)
    )
    return UserDetail(
        user=user,
        portfolio=portfolio.valuation(account),
        orders=orders.list_orders(user.id, limit=DETAIL_ROWS),
        cash=ledger.transactions(account.id, DETAIL_ROWS) if account else [],
        api_keys=list(user.api_keys),
        logins=list(logins),
        facts=user_facts(current_app, user.id),
    )


def _other_active_admins(user: User) -> int:
    statement = select(User.id).where(
        User.role == "admin", User.active.is_(True), User.id != user.id
    )
    if db.engine.dialect.name == "postgresql":
        statement = statement.with_for_update()
    return len(db.session.scalars(statement).all())


def _not_self(user: User, what: str, field: str) -> None:
    """An admin cannot demote, deactivate or temporary-reset themself from the console (their
    own password changes at /password); another admin or the CLI can."""
    if has_request_context() and current_user.is_authenticated and current_user.id == user.id:
        raise DomainError(
            f"You cannot {what} your own account here.", field=field, code="self", status=409
        )


def _keep_an_admin(user: User, role: str, active: bool) -> None:
    if user.role == "admin" and role != "admin":
        _not_self(user, "demote", "role")
    if user.active and not active:
        _not_self(user, "deactivate", "active")
    stays_admin = role == "admin" and active
    if user.role == "admin" and user.active and not stays_admin and not _other_active_admins(user):
        field = "role" if role != "admin" else "active"
        raise DomainError(
            f"{user.username} is the last active admin: make another admin first.",
            field=field,
            code="last_admin",
            status=409,
        )


def update_user(
    user_id: int, email: str | None = None, role: str | None = None, active: bool | None = None
) -> User:
    """Change email, role and/or active state (None keeps a field). Deactivating goes through
    `deactivate` so sessions, tokens and API keys are revoked with it."""
    user = get_user(user_id)
    before = snapshot(user, *EDITABLE)
    new_email = user.email if email is None else accounts.normalize_email(email)
    if new_email != user.email and db.session.scalar(
        select(User.id).where(User.email == new_email, User.id != user.id)
    ):
        raise DomainError(
            "That email is already registered.", field="email", code="taken", status=409
        )
    new_role = user.role if role is None else role
    if new_role not in ROLES:
        raise DomainError(f"role must be one of {', '.join(ROLES)}.", field="role")
    new_active = user.active if active is None else active
    _keep_an_admin(user, new_role, new_active)
    if new_active is False and user.active:
        user.email, user.role = new_email, new_role
        return _deactivate(user, before)
    user.email, user.role, user.active = new_email, new_role, new_active
    after = snapshot(user, *EDITABLE)
    if after == before:
        db.session.rollback()
        return user
    record("user.update", user, *_changed(before, after))
    db.session.commit()
    return user


def _changed(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, for the audit row."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before[k] for k in keys if k in before}, {k: after[k] for k in keys}


def _deactivate(user: User, before: dict[str, Any]) -> User:
    open_keys = sum(1 for key in user.api_keys if key.revoked_at is None)
    old, new = _changed(before, {**snapshot(user, *EDITABLE), "active": False})
    record("user.deactivate", user, old, {**new, "api_keys_revoked": open_keys})
    accounts.deactivate_user(user)  # revokes sessions, tokens, API keys; commits with the row
    user_deactivated.send(user)
    return user


def deactivate(user_id: int) -> User:
    user = get_user(user_id)
    if not user.active:
        raise DomainError(f"{user.username} is already deactivated.", field="active", status=409)
    _keep_an_admin(user, user.role, False)
    return _deactivate(user, snapshot(user, *EDITABLE))


def reactivate(user_id: int) -> User:
    user = get_user(user_id)
    if user.active:
        raise DomainError(f"{user.username} is already active.", field="active", status=409)
    record("user.reactivate", user, {"active": False}, {"active": True})
    user.active = True
    db.session.commit()
    return user


def reset_password(user_id: int) -> str:
    """Give the user a random temporary password (returned once, never stored or logged) that
    must be changed at the next login; every session, token and reset link of the old one is
    revoked."""
    user = get_user(user_id)
    _not_self(user, "reset the password of", "user_id")
    temporary = secrets.token_urlsafe(TEMP_PASSWORD_BYTES)
    record(
        "user.password_reset",
        user,
        {"must_change_password": bool(user.must_change_password)},
        {"must_change_password": True, "method": "temporary_password"},
    )
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    user.updated_at = utcnow()
    db.session.flush()
    accounts.revoke_sessions(user)  # commits the new hash, the flag and the audit row
    return temporary


@dataclass(frozen=True)
class ResetLink:
    token: str
    expires_at: datetime


def reset_link(user_id: int) -> ResetLink:
    """A one-time password-reset link for the user (handed over by the admin); using it, a
    later reset, or signing out everywhere voids it. Nothing changes until it is used."""
    user = get_user(user_id)
    _not_self(user, "send a reset link for", "user_id")
    if not user.active:
        raise DomainError(
            f"{user.username} is deactivated: reactivate first.", field="active", status=409
        )
    expires = utcnow() + accounts.RESET_LINK_MAX_AGE
    record("user.password_reset", user, None, {"method": "one_time_link", "expires_at": expires})
    db.session.commit()
    return ResetLink(accounts.password_reset_token(user), expires)
