"""`init_journal(app)`: journal pages, navbar entry and the paper-fill subscriber."""

from __future__ import annotations

from flask import Flask

from tradedeck.extensions import events
from tradedeck.journal import services, views
from tradedeck.web.nav import NavItem, register_nav


def init_journal(app: Flask) -> None:
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
    events.signal("trading.order_filled").connect(services.on_order_filled, weak=False)
