"""Bearer JWTs verified once per app and process, then recognised by their exact header.

An API client sends the same `Authorization: Bearer …` header with every request until the
token expires, and flask-jwt-extended decodes the token four times per request (claims and
header, unverified then verified) and checks its HMAC: about a tenth of an order's CPU
(bench/orders_api.py). What it verified cannot change, so the claims of a header it
accepted are kept in a bounded per-app map and each later use re-checks only the expiry.
Anything not yet known - a new, tampered or expired token, or a JWT cookie with its CSRF
token - goes through `verify_jwt_in_request`, with its usual errors; failures are never kept.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from flask import current_app, request
from flask_jwt_extended import (
    get_jwt,
    get_jwt_identity,
    get_jwt_request_location,
    verify_jwt_in_request,
)

MAX_TOKENS = 10_000
EXTENSION_KEY = "tradedeck.verified_tokens"


class VerifiedTokens:
    """Claims of verified tokens by header, oldest dropped first once `limit` are held."""

    def __init__(self, limit: int = MAX_TOKENS) -> None:
        self.limit = limit
        self._claims: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, header: str, now: float, leeway: float) -> dict[str, Any] | None:
        claims = self._claims.get(header)
        if claims is None:
            return None
        expires = claims.get("exp")
        if expires is not None and expires + leeway <= now:
            with self._lock:
                self._claims.pop(header, None)
            return None
        return claims

    def put(self, header: str, claims: dict[str, Any]) -> None:
        with self._lock:
            if len(self._claims) >= self.limit:
                del self._claims[next(iter(self._claims))]
            self._claims[header] = claims

    def __len__(self) -> int:
        return len(self._claims)


def jwt_claims() -> dict[str, Any] | None:
    """The claims of the request's valid JWT, None when it carries none; an invalid or
    expired one raises flask-jwt-extended's error (answered as a 401). Revocation is not
    checked here: the caller compares the claims' token version with the user row it loads
    anyway, so a cached token stops working as soon as its user's version moves."""
    tokens: VerifiedTokens = current_app.extensions.setdefault(EXTENSION_KEY, VerifiedTokens())
    header = request.headers.get("Authorization", "")
    config = current_app.config
    claim = config.get("JWT_IDENTITY_CLAIM", "sub")
    if header:
        known = tokens.get(header, time.time(), _seconds(config.get("JWT_DECODE_LEEWAY", 0)))
        if known is not None:
            return known
    if verify_jwt_in_request(optional=True) is None:
        return None
    claims = get_jwt()
    if header and get_jwt_request_location() == "headers":
        tokens.put(header, claims)
    return {**claims, claim: str(get_jwt_identity())}


def jwt_identity() -> str | None:
    """The identity of the request's valid JWT, None when it carries none."""
    claims = jwt_claims()
    if claims is None:
        return None
    return str(claims[current_app.config.get("JWT_IDENTITY_CLAIM", "sub")])


def _seconds(leeway: timedelta | float) -> float:
    """JWT_DECODE_LEEWAY may be seconds or a timedelta, as PyJWT accepts both."""
    return leeway.total_seconds() if isinstance(leeway, timedelta) else float(leeway)
