"""`init_market(app)`: everything the market feature adds to an app."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from tradedeck.demo import register_seeder
from tradedeck.extensions import csrf
from tradedeck.market.api import bp as market_api
from tradedeck.market.candle_cache import init_candle_cache
from tradedeck.market.cli import market_group
from tradedeck.market.engine import run_engine_step
from tradedeck.market.quotes import refresh_working
from tradedeck.market.seed import seed_market
from tradedeck.market.store import prune_ticks
from tradedeck.market.views import bp as market_web
from tradedeck.web.nav import NavItem, register_nav
from tradedeck.worker.loop import register_loop_task

PRUNE_EVERY_SECS = 3_600


def init_market(app: OpenAPI) -> None:
    config = app.config["TRADEDECK"]
    app.register_blueprint(market_web)
    app.register_api(market_api)
    csrf.exempt(market_api)
    register_nav(
        app,
        NavItem(
            "market.saved_tickers",
            "Tickers",
            "list-ul",
            description="The instrument catalogue by venue, with live prices.",
        ),
    )
    register_nav(
        app,
        NavItem(
            "market.fetch_tickers",
            "Fetch tickers",
            "cloud-download",
            True,
            "Pull a venue's symbols into the catalogue.",
        ),
    )
    init_candle_cache(app)
    app.cli.add_command(market_group)
    register_loop_task(app, "market.price_engine", config.tick_interval_secs, run_engine_step)
    if config.quote_poll_secs > 0:
        register_loop_task(
            app, "market.quotes", config.quote_poll_secs, refresh_working, singleton=True
        )
    register_loop_task(
        app,
        "market.prune_ticks",
        PRUNE_EVERY_SECS,
        lambda: prune_ticks(config.tick_retention_days),
        singleton=True,
    )
    register_seeder(app, seed_market)
