"""Shared by every admin page blueprint: the admin gate and the form-error helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import Blueprint, abort
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select

from tradedeck.core.errors import DomainError
from tradedeck.extensions import db

PER_PAGE = 25
T = TypeVar("T")


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


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows plus what the pager needs."""

    rows: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw: str | None) -> int:
    """The `page` query argument: a positive integer (default 1), else a 400 naming it."""
    text = (raw or "1").strip()
    if not text.isdigit() or int(text) < 1 or int(text) > 1_000_000:
        raise DomainError("page must be a positive whole number.", field="page")
    return int(text)


def paginate(
    statement: Select[Any], page: int = 1, per_page: int | None = None, scalars: bool = True
) -> Page[Any]:
    """Rows of `statement` (already ordered) for `page`, with the total count; `scalars=False`
    keeps multi-column rows as tuples."""
    size = per_page or PER_PAGE
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    query = statement.limit(size).offset((page - 1) * size)
    rows = db.session.scalars(query).all() if scalars else db.session.execute(query).all()
    return Page(list(rows), page, size, int(total or 0))


def page_meta(found: Page[Any]) -> dict[str, int]:
    """`page`, `per_page` and `total` of a page, for the JSON list answers."""
    return {"page": found.page, "per_page": found.per_page, "total": found.total}
