"""Argon2id password hashing with transparent re-hashing when parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

COMMON_PASSWORDS = frozenset(
    {"password", "password1", "12345678", "123456789", "qwerty123", "letmein1", "iloveyou"}
)
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Constant-time check; malformed stored hashes count as a mismatch, never a crash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, username: str = "", email: str = "") -> str | None:
    """Why a new password is too weak, or None. Shared by the web form and the JSON API."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > 256:
        return "Password must be at most 256 characters."
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        return "This password is too common."
    if username and lowered == username.lower():
        return "Password must differ from the username."
    if email and lowered == email.lower():
        return "Password must differ from the email address."
    if password.isdigit() or password.isalpha():
        return "Password must mix letters with digits or symbols."
    return None
