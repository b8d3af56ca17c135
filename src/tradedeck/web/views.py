"""Home page: a landing page for visitors, an overview for signed-in users."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template
from flask_login import current_user

bp = Blueprint("web", __name__)


@bp.get("/")
def index() -> str:
    if current_user.is_authenticated:
        return render_template("web/dashboard.html")
    return render_template("web/landing.html")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on pages without an icon link (JSON, API docs)."""
    return current_app.send_static_file("img/logo.svg")
