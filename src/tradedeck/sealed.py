"""Secrets kept at rest (TradingView cookies, notification channel URLs) sealed with Fernet.

The key is derived (HKDF-SHA256) from SECRET_KEY and a purpose, so a database dump alone hands
out nothing, and one purpose's token never opens as another's. A token that no longer opens
(SECRET_KEY rotated, corrupted or partial write) reads as None: callers treat it as unset.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _fernet(purpose: str) -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"tradedeck", info=purpose.encode()
    ).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str, purpose: str) -> str:
    return _fernet(purpose).encrypt(text.encode()).decode()


def unseal(token: str | None, purpose: str) -> str | None:
    if not token:
        return None
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
