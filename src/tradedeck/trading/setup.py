"""`init_trading(app)`: everything the paper-trading feature adds to an app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_openapi3 import OpenAPI
from sqlalchemy import Select, select, union

from tradedeck.accounts.models import User
from tradedeck.demo import register_seeder
from tradedeck.extensions import csrf, events
from tradedeck.market.quotes import set_watched_instruments
from tradedeck.trading import api, day_orders, execution, ledger, portfolio, views
from tradedeck.trading.models import Order, Position
from tradedeck.web.nav import NavItem, register_nav
from tradedeck.worker.loop import register_loop_task

DEMO_DEPOSIT = "100000.00"


def init_trading(app: OpenAPI) -> None:
    app.register_api(api.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(views.bp)
    for item in (
        NavItem(
            "trading.stocks",
            "Stocks",
            "graph-up",
            description="Prices, trends and a trade ticket per instrument.",
        ),
        NavItem(
            "trading.portfolio_page",
            "Portfolio",
            "pie-chart",
            description="Positions, P&L, allocation and equity history.",
        ),
        NavItem(
            "trading.orders_page",
            "Orders",
            "list-check",
            description="Working and past orders; cancel what is still open.",
        ),
        NavItem(
            "trading.trades",
            "Trades",
            "clock-history",
            description="Every fill with its fee and realized P&L; CSV export.",
        ),
        NavItem(
            "trading.cash",
            "Cash",
            "wallet2",
            description="Balance, deposits, withdrawals and the ledger.",
        ),
    ):
        register_nav(app, item)
    day_orders.listen()
    set_watched_instruments(app, _watched_instruments)
    events.signal("market.tick").connect(_on_ticks)
    config = app.config["TRADEDECK"]
    register_loop_task(
        app, "trading.orders", config.tick_interval_secs, execution.run_cycle, singleton=True
    )
    register_loop_task(
        app, "trading.equity", config.equity_sample_secs, portfolio.sample_equity, singleton=True
    )
    register_seeder(app, seed_demo_trading)


def _watched_instruments() -> Select[tuple[int]]:
    """Instruments whose quotes must stay current between requests: someone holds them or
    has a queued or open order on them (stops and limits trigger on their quotes)."""
    held = select(Position.instrument_id).where(Position.quantity != 0)
    working = select(Order.instrument_id).where(Order.status.in_(ledger.WORKING))
    return select(union(held, working).subquery().c[0])


def _on_ticks(_sender: object, ticks: Iterable[Any] = (), **_: object) -> None:
    """Limit and stop orders react to the price engine's ticks as they are published."""
    instrument_ids = sorted({tick.instrument_id for tick in ticks})
    if instrument_ids:
        execution.process_orders(instrument_ids=instrument_ids)


def seed_demo_trading(customer: User) -> None:
    """Demo: the customer's opening deposit."""
    ledger.deposit(customer.id, DEMO_DEPOSIT)
