"""JWT verification that remembers the tokens it has verified, per app and process.

An API client sends the same access token with every request until it expires, and
flask-jwt-extended decodes it three times per request and checks its HMAC: about a tenth of
an order's CPU (bench/orders_api.py). A verified token's claims cannot change, so they are
kept in a bounded per-app map keyed by the exact token (and the CSRF value it came with);
each use re-checks only the expiry. Tokens that fail verification are never kept, and a
kept token past its expiry is verified again, which raises the usual expired-token error.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config

MAX_TOKENS = 10_000
EXTENSION_KEY = "tradedeck.verified_tokens"


class VerifiedTokens:
    """Claims of verified tokens, oldest dropped first once `limit` are held."""

    def __init__(self, limit: int = MAX_TOKENS) -> None:
        self.limit = limit
        self._claims: dict[tuple[str, str | None], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str | None], now: float, leeway: float) -> dict[str, Any] | None:
        claims = self._claims.get(key)
        if claims is None:
            return None
        expires = claims.get("exp")
        if expires is not None and expires + leeway <= now:
            with self._lock:
                self._claims.pop(key, None)
            return None
        return claims

    def put(self, key: tuple[str, str | None], claims: dict[str, Any]) -> None:
        with self._lock:
            if len(self._claims) >= self.limit:
                del self._claims[next(iter(self._claims))]
            self._claims[key] = claims

    def __len__(self) -> int:
        return len(self._claims)


class CachingJWTManager(JWTManager):
    """flask-jwt-extended's manager with verified tokens remembered (see module docstring)."""

    def init_app(self, app: Any, add_context_processor: bool = False) -> None:
        super().init_app(app, add_context_processor)
        app.extensions[EXTENSION_KEY] = VerifiedTokens()

    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value: str | None = None, allow_expired: bool = False
    ) -> dict[str, Any]:
        if allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        tokens: VerifiedTokens = current_app.extensions[EXTENSION_KEY]
        key = (encoded_token, csrf_value)
        claims = tokens.get(key, time.time(), _seconds(config.leeway))
        if claims is None:
            claims = super()._decode_jwt_from_config(encoded_token, csrf_value)
            tokens.put(key, claims)
        return claims


def _seconds(leeway: timedelta | float) -> float:
    """JWT_DECODE_LEEWAY may be seconds or a timedelta, as PyJWT accepts both."""
    return leeway.total_seconds() if isinstance(leeway, timedelta) else float(leeway)
