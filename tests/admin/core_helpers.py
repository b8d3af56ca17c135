"""Fixtures and helpers of the admin-core tests (users, access keys, audit and access logs)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.helpers import csrf_token
from tradedeck.accounts.models import User
from tradedeck.audit.models import AuditEntry
from tradedeck.extensions import db


def post_form(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST a page form with the session's CSRF token, as the browser would."""
    token = csrf_token(client, "/admin/users")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kw)


def audit_rows(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        db.session.expunge_all()
        return rows


def fresh_user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user
