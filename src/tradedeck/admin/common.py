"""Shared by every admin page blueprint: the admin gate and the form-error helpers."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tradedeck.core.errors import DomainError

PER_PAGE = 25


def guard(blueprint: Blueprint) -> Blueprint:
    """Make every route of `blueprint` admin-only: visitors go to the login page, signed-in
    non-admins get 403. Checked server-side before each request, whatever the route."""

    @blueprint.before_request
    @login_required
    def _require_admin() -> None:
        if not current_user.is_admin:
            abort(403)

    return blueprint


def form_problem(form: FlaskForm) -> str:
    """The first field error as `Label: message`, for the flash message of a refused form."""
    for name, errors in form.errors.items():
        label = getattr(getattr(form, name, None), "label", None)
        return f"{label.text if label else name}: {errors[0]}"
    return "the form could not be read"


def attach_error(form: FlaskForm, exc: DomainError) -> None:
    """Show a service error under the form field it names (when the form has that field)."""
    field = getattr(form, exc.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, exc.message]
