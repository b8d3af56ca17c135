"""Account use cases shared by the web views, the JSON API and the CLI."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from tradedeck.accounts.models import ROLES, AccessKey, ApiKey, User
from tradedeck.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from tradedeck.audit import services as audit
from tradedeck.core.errors import DomainError
from tradedeck.database import utcnow
from tradedeck.extensions import db, events

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
THEMES = ("dark", "light")
API_KEY_PREFIX = "td_"


user_registered = events.signal("accounts.user_registered")
"""Sent with `user=` after a registration commits (sinks mirror the new user)."""


class AccountError(DomainError):
    """A user-facing account problem, tied to the form/API field that caused it (409 taken)."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message, field=field, code=code, status=409 if code == "taken" else 400)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_email(email: str) -> str:
    """Syntax-check and lower-case an email (no DNS lookups: the app may run offline)."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(f"Invalid email address: {exc}", "email") from exc
    return result.normalized.lower()


def validate_registration(username: str, email: str, password: str, confirm: str | None) -> str:
    """Check the fields of a registration; return the normalized email."""
    if not USERNAME_RE.match(username or ""):
        raise AccountError("Username must be 3 to 32 letters, digits, '.', '_' or '-'.", "username")
    normalized = normalize_email(email or "")
    if confirm is not None and password != confirm:
        raise AccountError("Passwords do not match.", "confirm")
    problem = password_problem(password or "", username, normalized)
    if problem:
        raise AccountError(problem, "password")
    taken = db.session.scalars(
        select(User).where(or_(User.username_key == username.lower(), User.email == normalized))
    ).first()
    if taken is not None:
        field = "username" if taken.username_key == username.lower() else "email"
        raise AccountError(f"That {field} is already registered.", field, "taken")
    return normalized


def register_user(
    username: str,
    email: str,
    password: str,
    confirm: str | None = None,
    access_key: str | None = None,
    registration_mode: str = "open",
    role: str = "customer",
) -> User:
    """Create a user; in `key` mode the access key is consumed in the same transaction.

    The key is claimed with a conditional UPDATE (`used_at IS NULL`), so of two simultaneous
    registrations with one key exactly one sees a row count of 1.
    """
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}.", "role")
    normalized = validate_registration(username, email, password, confirm)
    key_row: AccessKey | None = None
    if registration_mode == "key":
        key_row = _find_usable_access_key(access_key)
    user = User(
        username=username,
        username_key=username.lower(),
        email=normalized,
        password_hash=hash_password(password),
        role=role,
        preferences={"theme": "dark"},
    )
    db.session.add(user)
    try:
        db.session.flush()
        if key_row is not None:
            claimed = db.session.execute(
                update(AccessKey)
                .where(
                    AccessKey.id == key_row.id,
                    AccessKey.used_at.is_(None),
                    AccessKey.revoked_at.is_(None),
                )
                .values(used_at=utcnow(), used_by_id=user.id)
            )
            if claimed.rowcount != 1:
                raise AccountError(
                    "This access key has already been used or was revoked.", "access_key", "used"
                )
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise AccountError(
            "That username or email is already registered.", "username", "taken"
        ) from exc
    except AccountError:
        db.session.rollback()
        raise
    user_registered.send(None, user=user)
    return user


def _find_usable_access_key(raw_key: str | None) -> AccessKey:
    key = (raw_key or "").strip()
    if not key:
        raise AccountError("An access key is required to register.", "access_key", "required")
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", key):
        raise AccountError("This access key is malformed.", "access_key", "malformed")
    row = db.session.scalars(select(AccessKey).where(AccessKey.key_hash == _sha256(key))).first()
    if row is None:
        raise AccountError("Unknown access key.", "access_key", "unknown")
    if row.used_at is not None:
        raise AccountError("This access key has already been used.", "access_key", "used")
    if row.revoked_at is not None:
        raise AccountError("This access key has been revoked.", "access_key", "revoked")
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise AccountError("This access key has expired.", "access_key", "expired")
    return row


def new_access_key(
    note: str = "", created_by: User | None = None, expires_at: datetime | None = None
) -> tuple[AccessKey, str]:
    """Add a one-time registration key to the session (the caller commits); the clear key is
    returned once and never stored."""
    clear = secrets.token_urlsafe(24)
    row = AccessKey(
        key_hash=_sha256(clear),
        note=note[:200],
        created_by_id=created_by.id if created_by else None,
        expires_at=expires_at,
    )
    db.session.add(row)
    return row, clear


def create_access_key(
    note: str = "", created_by: User | None = None, expires_at: datetime | None = None
) -> tuple[AccessKey, str]:
    """Create and commit a one-time registration key (see `new_access_key`)."""
    row, clear = new_access_key(note, created_by, expires_at)
    db.session.commit()
    return row, clear


def authenticate(identifier: str, password: str) -> User | None:
    """Find the user by username or email and check the password.

    Unknown users still cost one hash verification so timing does not reveal who exists.
    A disabled user with the right password is returned (the caller says "disabled") without
    counting as a login. Every attempt is written to the access log.
    """
    ident = (identifier or "").strip().lower()
    user = db.session.scalars(
        select(User).where(or_(User.username_key == ident, User.email == ident))
    ).first()
    if user is None:
        verify_password(_dummy_hash(), password or "")
        audit.log_login(ident, None, "unknown user")
        db.session.commit()
        return None
    if not verify_password(user.password_hash, password or ""):
        audit.log_login(ident, user, "wrong password")
        db.session.commit()
        return None
    if not user.active:
        audit.log_login(ident, user, "account disabled")
        db.session.commit()
        return user
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.log_login(ident, user)
    db.session.commit()
    return user


def revoke_sessions(user: User) -> None:
    """End every session, remember cookie and JWT of `user` (API keys are separate)."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(token_version=func.coalesce(User.token_version, 0) + 1)
    )
    db.session.commit()
    db.session.refresh(user)


def deactivate_user(user: User) -> int:
    """Disable the account: logins and every issued credential stop working, and its API keys
    are revoked (reactivating the account does not bring them back). Returns the number of
    keys revoked."""
    user.active = False
    revoked = db.session.execute(
        update(ApiKey)
        .where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    db.session.flush()
    revoke_sessions(user)
    return int(revoked or 0)


def change_password(user: User, current: str | None, new: str) -> None:
    """Set a new password (checked against the current one unless `current` is None, as for an
    admin reset) and revoke every credential issued under the old one."""
    if current is not None and not verify_password(user.password_hash, current):
        raise AccountError("The current password is wrong.", "current_password")
    problem = password_problem(new or "", user.username, user.email)
    if problem:
        raise AccountError(problem, "password")
    if verify_password(user.password_hash, new):
        raise AccountError("The new password must differ from the current one.", "password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    db.session.flush()
    revoke_sessions(user)


RESET_LINK_SALT = "tradedeck.password-reset"
RESET_LINK_MAX_AGE = timedelta(hours=24)


def _reset_fingerprint(user: User) -> str:
    """Changes whenever the password or the credential version does: a used link (or one
    issued before a later reset or sign-out-everywhere) no longer matches."""
    return _sha256(f"{user.password_hash}:{user.token_version or 0}")[:24]


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_LINK_SALT)


def password_reset_token(user: User) -> str:
    """A signed one-time token for `/password/reset/<token>`, valid RESET_LINK_MAX_AGE."""
    return str(_reset_serializer().dumps([user.id, _reset_fingerprint(user)]))


def user_for_reset_token(token: str) -> User:
    """The user a reset token is for; expired, tampered or already used tokens are refused."""
    try:
        user_id, fingerprint = _reset_serializer().loads(
            token, max_age=int(RESET_LINK_MAX_AGE.total_seconds())
        )
    except SignatureExpired:
        raise AccountError(
            "This reset link has expired. Ask an administrator for a new one.", "token", "expired"
        ) from None
    except (BadSignature, ValueError, TypeError):
        raise AccountError("This reset link is not valid.", "token", "invalid") from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not hmac.compare_digest(str(fingerprint), _reset_fingerprint(user)):
        raise AccountError("This reset link was already used or replaced.", "token", "used")
    if not user.active:
        raise AccountError("This account is disabled.", "token", "disabled")
    return user


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def set_theme(user: User, theme: str) -> None:
    if theme not in THEMES:
        raise AccountError(f"Theme must be one of {', '.join(THEMES)}.", "theme")
    set_preference(user, "theme", theme)


def set_preference(user: User, key: str, value: object) -> None:
    """Store one preference (a new dict, so SQLAlchemy sees the JSON column change)."""
    user.preferences = {**(user.preferences or {}), key: value}
    db.session.commit()


def create_admin(username: str, email: str, password: str) -> User:
    return register_user(username, email, password, role="admin")


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


@dataclass(frozen=True)
class NewApiKey:
    row: ApiKey
    clear: str


def create_api_key(user: User, name: str) -> NewApiKey:
    """Create a personal API key `td_<prefix>_<secret>`; only its SHA-256 is stored."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 64:
        raise AccountError("Key name must be 1 to 64 characters.", "name")
    prefix = secrets.token_hex(6)
    clear = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(user_id=user.id, name=name, prefix=prefix, key_hash=_sha256(clear))
    db.session.add(row)
    db.session.commit()
    return NewApiKey(row, clear)


def revoke_api_key(user: User, key_id: int) -> None:
    row = db.session.get(ApiKey, key_id)
    if row is None or row.user_id != user.id:
        raise AccountError("No such API key.", "key_id", "not_found")
    row.revoked_at = utcnow()
    db.session.commit()


def user_for_api_key(clear: str) -> User | None:
    """Resolve an `X-API-Key`: deny unless the key exists, is not revoked and its user is active."""
    match = re.fullmatch(rf"{API_KEY_PREFIX}([0-9a-f]{{12}})_[A-Za-z0-9_-]{{20,64}}", clear or "")
    if match is None:
        return None
    row = db.session.scalars(select(ApiKey).where(ApiKey.prefix == match.group(1))).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, _sha256(clear)):
        return None
    if not row.user.active:
        return None
    row.last_used_at = utcnow()
    audit.count_api_key_use(row.id, row.user)
    db.session.commit()
    return row.user
