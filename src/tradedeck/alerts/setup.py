"""`init_alerts(app)`: alert pages and API, the bell, rule evaluation and delivery in the worker."""

from __future__ import annotations

from flask_login import current_user
from flask_openapi3 import OpenAPI

from tradedeck.alerts import api, delivery, evaluator, services, views
from tradedeck.demo import register_seeder
from tradedeck.extensions import csrf
from tradedeck.market.stream import subscribe_ticks
from tradedeck.signals.confluence import signal_created
from tradedeck.signals.scanner import patterns_found
from tradedeck.web.nav import NavItem, register_nav
from tradedeck.worker.loop import register_loop_task

CASH_CHECK_SECS = 30


def init_alerts(app: OpenAPI) -> None:
    app.register_api(api.bp)
    csrf.exempt(api.bp)  # checked centrally for session users (api/auth.py)
    app.register_blueprint(views.bp)
    register_nav(
        app,
        NavItem(
            "alerts.alerts",
            "Alerts",
            "bell",
            description="Rules on prices, lines, patterns, signals, fills and cash; channels.",
        ),
    )
    subscribe_ticks(evaluator.on_ticks)
    patterns_found.connect(evaluator.on_patterns, weak=False)
    signal_created.connect(evaluator.on_signals, weak=False)
    config = app.config["TRADEDECK"]
    register_loop_task(
        app, "alerts.deliver", config.alert_delivery_secs, delivery.deliver_due, singleton=True
    )
    register_loop_task(app, "alerts.cash", CASH_CHECK_SECS, evaluator.check_cash, singleton=True)
    register_loop_task(
        app, "alerts.fills", evaluator.FILL_CHECK_SECS, evaluator.check_fills, singleton=True
    )
    register_seeder(app, seed_demo_alerts)

    @app.context_processor
    def _bell() -> dict[str, object]:
        def unread_notifications() -> int:
            return services.unread_count(current_user.id) if current_user.is_authenticated else 0

        return {"unread_notifications": unread_notifications}


def seed_demo_alerts(customer: object) -> None:
    """Demo: the customer hears about new patterns on any of their watchlists."""
    user_id = customer.id  # type: ignore[attr-defined]
    if not services.list_rules(user_id):
        services.create_rule(
            user_id, services.RuleSpec(kind="pattern", name="New patterns on my watchlists")
        )
