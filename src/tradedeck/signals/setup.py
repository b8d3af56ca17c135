"""`init_signals(app)`: watchlist/pattern/signal pages and API, the scanners, the demo data."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from tradedeck.demo import register_seeder
from tradedeck.extensions import csrf
from tradedeck.market.stream import subscribe_ticks
from tradedeck.signals import api, confluence, scanner, views
from tradedeck.signals.demo import seed_demo_rule
from tradedeck.web.nav import NavItem, register_nav
from tradedeck.worker.loop import register_loop_task


def init_signals(app: OpenAPI) -> None:
    app.register_api(api.bp)
    csrf.exempt(api.bp)  # checked centrally for session users (api/auth.py)
    app.register_blueprint(views.bp)
    for item in (
        NavItem(
            "signals.patterns", "Patterns", "bounding-box", description="Scanned zones and setups."
        ),
        NavItem(
            "signals.signals",
            "Signals",
            "broadcast",
            description="Scored signals from your rules on your watchlists' patterns.",
        ),
        NavItem(
            "signals.watchlists",
            "Watchlists",
            "eye",
            description="The symbols scanned for you, in named lists.",
        ),
    ):
        register_nav(app, item)
    subscribe_ticks(scanner.on_ticks)
    scanner.patterns_found.connect(confluence.on_patterns, weak=False)
    config = app.config["TRADEDECK"]
    if config.scan_remote_secs:
        register_loop_task(
            app, "signals.scan_remote", config.scan_remote_secs, scanner.scan_remote, singleton=True
        )
    register_seeder(app, seed_demo_rule)
