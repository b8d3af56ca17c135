"""`/api/v1/auth`: register, login (JWT + HttpOnly cookie), logout, me."""

from __future__ import annotations

from flask import Response, current_app, g, jsonify, session
from flask_jwt_extended import set_access_cookies, unset_jwt_cookies
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.accounts import services
from tradedeck.accounts.schemas import (
    LoginBody,
    LoginOut,
    PasswordBody,
    PreferencesBody,
    RegisterBody,
    UserEnvelope,
    UserOut,
)
from tradedeck.accounts.views import login_account_key
from tradedeck.api.auth import access_token_for, public
from tradedeck.api.errors import ApiError, ErrorBody
from tradedeck.audit.services import log_logout
from tradedeck.extensions import csrf, limiter

bp = APIBlueprint(
    "auth_api",
    __name__,
    url_prefix="/api/v1/auth",
    abp_tags=[Tag(name="auth", description="Accounts and tokens")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "429": ErrorBody},
)


def _auth_limit() -> str:
    return str(current_app.config["TRADEDECK"].auth_rate_limit)


def _account_limit() -> str:
    return str(current_app.config["TRADEDECK"].login_account_rate_limit)


@bp.post("/register", responses={"201": UserEnvelope})
@limiter.limit(_auth_limit)
@public
def register(body: RegisterBody) -> tuple[Response, int]:
    """Create an account (an access key is required when REGISTRATION_MODE=key)."""
    user = services.register_user(
        body.username,
        body.email,
        body.password,
        access_key=body.access_key,
        registration_mode=current_app.config["TRADEDECK"].registration_mode,
    )
    return jsonify(UserEnvelope(user=UserOut.of(user)).model_dump(mode="json")), 201


@bp.post("/login", responses={"200": LoginOut})
@limiter.limit(_auth_limit)
@limiter.limit(_account_limit, key_func=login_account_key)
@public
def login(body: LoginBody) -> Response:
    """Exchange username-or-email and password for a JWT (also set as an HttpOnly cookie)."""
    identifier = body.username or body.email
    if not identifier:
        raise ApiError(400, "validation_error", "Field 'username' is required.", "username")
    user = services.authenticate(identifier, body.password)
    if user is None:
        raise ApiError(401, "invalid_credentials", "Invalid username/email or password.")
    if not user.active:
        raise ApiError(401, "account_disabled", "This account is disabled.")
    token = access_token_for(user)
    response = jsonify(LoginOut(user=UserOut.of(user), access_token=token).model_dump(mode="json"))
    set_access_cookies(response, token)
    return response


@bp.post("/logout")
@public
def logout() -> Response:
    """Revoke the caller's tokens and sessions, clear the JWT cookie and the browser session.

    A cookie-authenticated caller must send its CSRF token (session: X-CSRFToken; JWT cookie:
    its double-submit header), so another site cannot sign the user out."""
    if current_user.is_authenticated:
        if g.get("auth_method", "session") == "session":
            csrf.protect()
        log_logout(current_user)
        services.revoke_sessions(current_user)
    session.clear()
    response = jsonify({"ok": True})
    unset_jwt_cookies(response)
    return response


@bp.get("/me", responses={"200": UserEnvelope})
def me() -> Response:
    """The authenticated user."""
    return jsonify(UserEnvelope(user=UserOut.of(current_user)).model_dump(mode="json"))


@bp.patch("/me/preferences", responses={"200": UserEnvelope})
def update_preferences(body: PreferencesBody) -> Response:
    """Change the caller's preferences (theme now; chart settings later)."""
    if body.theme is not None:
        services.set_theme(current_user, body.theme)
    return jsonify(UserEnvelope(user=UserOut.of(current_user)).model_dump(mode="json"))


@bp.post("/password", responses={"200": LoginOut})
def change_password(body: PasswordBody) -> Response:
    """Change the caller's password (a temporary one included). Every earlier token and
    session stops working; the answer carries a fresh token (also set as the cookie)."""
    user = current_user._get_current_object()
    services.change_password(user, body.current_password, body.new_password)
    token = access_token_for(user)
    response = jsonify(LoginOut(user=UserOut.of(user), access_token=token).model_dump(mode="json"))
    set_access_cookies(response, token)
    return response
