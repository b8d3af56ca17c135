"""Admin pages for users: `/admin/users` (search, filters, pages), a user's detail, edit,
temporary-password reset, deactivate/reactivate.

Writes are POST forms with their CSRF token; a refused write re-renders with the field's error
(status 200 like the other form pages: browsers log a 4xx document as a console error).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from tradedeck.accounts.models import ROLES
from tradedeck.admin import users_service as users
from tradedeck.admin.common import attach_error, form_problem, guard, page_number
from tradedeck.core.errors import DomainError

bp = guard(Blueprint("admin_users", __name__, url_prefix="/admin/users"))


class UserEditForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired("Enter an email."), Length(max=254)])
    role = SelectField("Role", choices=list(ROLES))
    active = BooleanField("Active (may sign in)")
    submit = SubmitField("Save changes")


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (deactivate, reactivate, reset password)."""

    submit = SubmitField("Confirm")


@bp.get("")
def index() -> str:
    error = None
    try:
        flt = users.user_filter(request.args)
        found = users.list_users(flt, page_number(request.args.get("page")))
    except DomainError as exc:
        error, flt, found = exc, users.UserFilter(), None
    template = "admin/users_table.html" if request.headers.get("HX-Request") else "admin/users.html"
    return render_template(
        template, found=found, flt=flt, error=error, roles=ROLES, args=request.args
    )


@bp.get("/<int:user_id>")
def detail(user_id: int) -> str:
    return render_template(
        "admin/user_detail.html", d=users.detail(user_id), action_form=ActionForm()
    )


def _render_edit(user_id: int, form: UserEditForm) -> str:
    return render_template("admin/user_edit.html", user=users.get_user(user_id), form=form)


@bp.get("/<int:user_id>/edit")
def edit(user_id: int) -> str:
    user = users.get_user(user_id)
    form = UserEditForm(formdata=None, email=user.email, role=user.role, active=user.active)
    return _render_edit(user_id, form)


@bp.post("/<int:user_id>/edit")
def save(user_id: int) -> Any:
    users.get_user(user_id)
    form = UserEditForm()
    if not form.validate_on_submit():
        flash(f"Not saved — {form_problem(form)}.", "danger")
        return _render_edit(user_id, form)
    try:
        user = users.update_user(user_id, form.email.data, form.role.data, bool(form.active.data))
    except DomainError as exc:
        attach_error(form, exc)
        flash(f"Not saved — {exc.message}", "danger")
        return _render_edit(user_id, form)
    flash(f"Saved {user.username}.", "success")
    return redirect(url_for("admin_users.detail", user_id=user_id))


def _action(user_id: int, run: Any, done: str) -> Response:
    if not ActionForm().validate_on_submit():
        flash("The form expired. Please try again.", "danger")
    else:
        try:
            user = run(user_id)
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            flash(done.format(name=user.username), "success")
    return redirect(url_for("admin_users.detail", user_id=user_id))


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Response:
    return _action(
        user_id,
        users.deactivate,
        "{name} is deactivated: signed out everywhere, tokens and API keys revoked.",
    )


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id: int) -> Response:
    return _action(user_id, users.reactivate, "{name} is active again (API keys stay revoked).")


@bp.post("/<int:user_id>/reset-link")
def reset_link(user_id: int) -> Any:
    """Show a one-time reset link once, on this response only."""
    user = users.get_user(user_id)
    if not ActionForm().validate_on_submit():
        flash("The form expired. Please try again.", "danger")
        return redirect(url_for("admin_users.detail", user_id=user_id))
    try:
        link = users.reset_link(user_id)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("admin_users.detail", user_id=user_id))
    url = url_for("accounts.reset_password", token=link.token, _external=True)
    return render_template("admin/user_password.html", user=user, link=url, expires=link.expires_at)


@bp.post("/<int:user_id>/reset-password")
def reset_password(user_id: int) -> Any:
    """Show the temporary password once, on this response only (never flashed or stored)."""
    user = users.get_user(user_id)
    if not ActionForm().validate_on_submit():
        flash("The form expired. Please try again.", "danger")
        return redirect(url_for("admin_users.detail", user_id=user_id))
    try:
        temporary = users.reset_password(user_id)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("admin_users.detail", user_id=user_id))
    return render_template("admin/user_password.html", user=user, temporary=temporary)
