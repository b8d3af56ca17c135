"""`init_journal(app)`: journal pages, JSON API, navbar entry, paper fills (`journal.paper`)."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from tradedeck.extensions import csrf
from tradedeck.journal import api, paper, views
from tradedeck.trading.fill_companions import register_fill_companion
from tradedeck.web.nav import NavItem, register_nav


def init_journal(app: OpenAPI) -> None:
    app.register_api(api.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(views.bp)
    register_nav(
        app,
        NavItem(
            "journal.index",
            "Journal",
            "journal-text",
            description="Every trade with setup, tags, notes and rating; performance analytics.",
        ),
    )
    register_fill_companion(app, paper.PAPER_ENTRY)
