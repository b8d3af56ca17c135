"""Who is calling the API: session cookie, JWT (Bearer or HttpOnly cookie) or `X-API-Key`.

Everything under /api/ is denied unless the view is marked `@public`. Session-authenticated
writes must carry the CSRF token (X-CSRFToken), JWT cookies carry their double-submit token,
and header credentials (Bearer, API key) are not sent by browsers on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_jwt_extended import create_access_token
from flask_login import UserMixin, current_user
from sqlalchemy import bindparam, select

from tradedeck.accounts.models import User
from tradedeck.accounts.services import user_for_api_key
from tradedeck.api.errors import ApiError
from tradedeck.api.token_cache import jwt_claims
from tradedeck.extensions import csrf, db

F = TypeVar("F", bound=Callable[..., Any])
TOKEN_VERSION_CLAIM = "ver"
"""JWT claim holding the user's token version at issue time (see `User.token_version`)."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def public(view: F) -> F:
    """Mark an API view as reachable without credentials."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def admin_only(view: F) -> F:
    """Restrict an API view to admins (authentication is already enforced for all API views)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not current_user.is_admin:
            raise ApiError(403, "forbidden", "Administrator access is required.")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


_USER_BY_ID = select(User).where(User.id == bindparam("id"))
"""Built once: `session.get` assembles its query per call, ~40 µs of every API request."""

PASSWORD_CHANGE_REQUIRED = (
    403,
    "password_change_required",
    "Change the temporary password first (POST /api/v1/auth/password).",
    "password",
)
"""The API's answer to a caller holding an admin-issued temporary password."""


def checks_caller_itself(view: F) -> F:
    """Mark an API view that checks a JWT caller's user row itself, in the first statement
    of its own transaction (`caller_check`), so the request loader skips its user query.

    An order saves a round trip this way (bench/orders_api.py) and still never runs for a
    revoked token, a disabled or deleted user or one who must change the password: the view
    answers exactly as the loader would have, before it writes anything (the order rate
    limit has counted the call by then). API keys and sessions load the user as everywhere
    else."""
    view.checks_caller = True  # type: ignore[attr-defined]
    return view


@dataclass(frozen=True, slots=True)
class CallerState:
    """What the checks read from the caller's user row."""

    active: bool
    token_version: int
    must_change_password: bool


class TokenCaller(UserMixin):
    """The caller of a `checks_caller_itself` view: a verified JWT's user id, not yet checked
    against the user row. Not an admin here; the view's check covers the password change."""

    is_admin = False
    must_change_password = False

    def __init__(self, user_id: int, token_version: int) -> None:
        self.id = user_id
        self.token_version = token_version


def caller_check() -> Callable[[CallerState | None], None] | None:
    """For a `TokenCaller`, the check its view must run on the caller's row (None: no such
    user); None when the user was loaded and checked by the request loader."""
    caller = current_user._get_current_object()
    if not isinstance(caller, TokenCaller):
        return None

    def check(state: CallerState | None) -> None:
        _refuse_unless_valid(state, caller.token_version)
        if state is not None and state.must_change_password:
            raise ApiError(*PASSWORD_CHANGE_REQUIRED)

    return check


def _refuse_unless_valid(state: CallerState | None, token_version: int) -> None:
    """The JWT checks against the user row: it exists, is enabled, and has not revoked the
    token's version since it was issued."""
    if state is None or not state.active:
        raise ApiError(401, "invalid_token", "The token's user no longer exists or is disabled.")
    if token_version != (state.token_version or 0):
        raise ApiError(401, "token_revoked", "The access token has been revoked.")


def load_user_from_request(_request: Any) -> User | None:
    """Flask-Login request loader: header/JWT credentials, only for API paths."""
    if not request.path.startswith("/api/"):
        return None
    api_key = request.headers.get("X-API-Key")
    if api_key is not None:
        user = user_for_api_key(api_key)
        if user is None:
            raise ApiError(401, "invalid_api_key", "The API key is invalid, revoked or disabled.")
        g.auth_method = "api_key"
        return user
    claims = jwt_claims()
    if claims is None:
        return None
    identity = int(claims[current_app.config.get("JWT_IDENTITY_CLAIM", "sub")])
    token_version = claims.get(TOKEN_VERSION_CLAIM, 0)
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "checks_caller", False):
        g.auth_method = "jwt"
        return TokenCaller(identity, token_version)
    user = db.session.execute(_USER_BY_ID, {"id": identity}).scalar_one_or_none()
    state = None if user is None else CallerState(user.active, user.token_version, False)
    _refuse_unless_valid(state, token_version)
    g.auth_method = "jwt"
    return user


def access_token_for(user: User) -> str:
    """A JWT for `user` that stops working when the user's sessions are revoked."""
    return create_access_token(
        identity=str(user.id), additional_claims={TOKEN_VERSION_CLAIM: user.token_version or 0}
    )


def load_user_from_session(user_id: str) -> User | None:
    """Flask-Login user loader: the session or remember cookie holds `id:version`; a version
    other than the user's current one (logout, password change, deactivation) is signed out."""
    ident, _, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or (user.token_version or 0) != int(version):
        return None
    return user


def enforce_api_access() -> None:
    """before_request: deny by default, CSRF for session-authenticated writes."""
    if not request.path.startswith("/api/v1/") or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False):
        return
    if not current_user.is_authenticated:
        raise ApiError(401, "unauthorized", "Authentication is required.")
    if g.get("auth_method", "session") == "session" and request.method not in SAFE_METHODS:
        csrf.protect()
