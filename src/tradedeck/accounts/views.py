"""Account pages: register, login, logout, profile (theme, API keys)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from tradedeck.accounts import services
from tradedeck.accounts.forms import (
    ApiKeyForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    RegisterForm,
    RevokeForm,
)
from tradedeck.api.auth import PASSWORD_CHANGE_REQUIRED
from tradedeck.api.errors import error_response
from tradedeck.audit.services import log_logout
from tradedeck.extensions import limiter

bp = Blueprint("accounts", __name__)


def _auth_limit() -> str:
    return str(current_app.config["TRADEDECK"].auth_rate_limit)


def _account_limit() -> str:
    return str(current_app.config["TRADEDECK"].login_account_rate_limit)


def login_account_key() -> str:
    """Rate-limit key of a login attempt's account (form `identifier`, JSON `username`/`email`),
    so guesses at one account from many IPs share one bucket."""
    if request.is_json:
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        identifier = body.get("username") or body.get("email")
    else:
        identifier = request.form.get("identifier")
    return f"login-account:{str(identifier or '').strip().lower()[:254]}"


def _show_error(form: FlaskForm, exc: services.AccountError) -> None:
    """A service error under the form field it names, and as the flash message."""
    target = getattr(form, exc.field or "", None)
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, exc.message]
    flash(exc.message, "danger")


def _only_post() -> bool:
    return request.method != "POST"


def _safe_next(target: str | None) -> str:
    """Only same-site relative redirects after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("web.index")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_auth_limit, exempt_when=_only_post)
def register() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    form = RegisterForm()
    key_mode = current_app.config["TRADEDECK"].registration_mode == "key"
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.username.data or "",
                form.email.data or "",
                form.password.data or "",
                form.confirm.data,
                access_key=form.access_key.data,
                registration_mode="key" if key_mode else "open",
            )
        except services.AccountError as exc:
            _show_error(form, exc)
        else:
            login_user(user)
            flash(f"Welcome to TradeDeck, {user.username}!", "success")
            return redirect(url_for("web.index"))
    elif request.method == "POST":
        flash("Please correct the highlighted fields.", "danger")
    return render_template("accounts/register.html", form=form, key_mode=key_mode)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, exempt_when=_only_post)
@limiter.limit(_account_limit, key_func=login_account_key, exempt_when=_only_post)
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.identifier.data or "", form.password.data or "")
        if user is None:
            flash("Invalid username/email or password.", "danger")
        elif not user.active:
            flash("This account is disabled. Contact an administrator.", "danger")
        else:
            login_user(user, remember=bool(form.remember.data))
            flash(f"Welcome back, {user.username}.", "success")
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        flash("Please fill in both fields.", "danger")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """POST with the form's CSRF token; revoking rotates the remember cookie and every JWT."""
    log_logout(current_user)
    services.revoke_sessions(current_user)
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("accounts.login"))  # type: ignore[return-value]


PASSWORD_CHANGE_OPEN = frozenset(
    {
        "accounts.change_password",
        "accounts.reset_password",
        "accounts.logout",
        "accounts.set_theme",
        "static",
        "health.health",
    }
)


@bp.before_app_request
def require_password_change() -> Any:
    """A user holding an admin-issued temporary password must choose a new one first: pages
    lead to the change form, the API (except /api/v1/auth/) answers 403."""
    if request.endpoint in PASSWORD_CHANGE_OPEN or request.endpoint is None:
        return None
    is_api = request.path.startswith("/api/")
    if is_api and (
        request.path.startswith("/api/v1/auth/")
        or getattr(current_app.view_functions.get(request.endpoint), "is_public", False)
    ):
        return None  # public views never load the caller (a stale JWT cookie must not 401)
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if is_api:
        return error_response(*PASSWORD_CHANGE_REQUIRED), 403
    return redirect(url_for("accounts.change_password"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change one's password (the temporary one too); other sessions are signed out, this one
    continues under the new credentials."""
    form = PasswordChangeForm()
    forced = bool(current_user.must_change_password)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.password.data or "")
        except services.AccountError as exc:
            _show_error(form, exc)
        else:
            login_user(user)
            flash("Password changed. Other sessions were signed out.", "success")
            return redirect(url_for("web.index"))
    elif request.method == "POST":
        flash("Please correct the highlighted fields.", "danger")
    return render_template("accounts/password.html", form=form, forced=forced)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_auth_limit, exempt_when=_only_post)
def reset_password(token: str) -> Any:
    """The one-time link an admin handed out: set a new password, then log in with it."""
    form = PasswordResetForm()
    try:
        user = services.user_for_reset_token(token)
    except services.AccountError as exc:
        page = render_template("accounts/password_reset.html", form=None, problem=exc.message)
        return page, 400
    if form.validate_on_submit():
        try:
            services.change_password(user, None, form.password.data or "")
        except services.AccountError as exc:
            _show_error(form, exc)
        else:
            if current_user.is_authenticated:
                logout_user()
            flash("Password set. Log in with the new password.", "success")
            return redirect(url_for("accounts.login"))
    elif request.method == "POST":
        flash("Please correct the highlighted fields.", "danger")
    return render_template("accounts/password_reset.html", form=form, user=user, problem=None)


@bp.get("/profile")
@login_required
def profile() -> str:
    return render_template(
        "accounts/profile.html", key_form=ApiKeyForm(), revoke_form=RevokeForm(), new_key=None
    )


@bp.post("/profile/api-keys")
@login_required
def create_api_key() -> Any:
    form = ApiKeyForm()
    if not form.validate_on_submit():
        flash("Give the key a name of 1 to 64 characters.", "danger")
        return redirect(url_for("accounts.profile"))
    new = services.create_api_key(current_user, form.name.data or "")
    flash("API key created. Copy it now: it will not be shown again.", "success")
    return render_template(
        "accounts/profile.html",
        key_form=ApiKeyForm(formdata=None),
        revoke_form=RevokeForm(),
        new_key=new.clear,
    )


@bp.post("/profile/api-keys/<int:key_id>/revoke")
@login_required
def revoke_api_key(key_id: int) -> Response:
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_api_key(current_user, key_id)
            flash("API key revoked.", "info")
        except services.AccountError as exc:
            flash(exc.message, "danger")
    return redirect(url_for("accounts.profile"))  # type: ignore[return-value]


@bp.post("/preferences/theme")
def set_theme() -> tuple[Response, int]:
    """Called by theme.js (CSRF header); anonymous visitors keep the choice in a cookie."""
    data = request.get_json(silent=True) or {}
    theme = data.get("theme") if isinstance(data, dict) else None
    if theme not in services.THEMES:
        return error_response(
            400, "validation_error", "Theme must be 'dark' or 'light'.", "theme"
        ), 400
    if current_user.is_authenticated:
        services.set_theme(current_user, theme)
    response = jsonify({"theme": theme})
    response.set_cookie(
        "theme",
        theme,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response, 200
