"""`init_tradingview(app)`: Pine script access on TradingView (seed 002).

Called after `init_queue`, because the bulk and revoke jobs are huey tasks of this app's queue.
"""

from __future__ import annotations

from datetime import datetime

from flask_openapi3 import OpenAPI

from tradedeck.extensions import csrf
from tradedeck.tradingview import account_views, api, bulk, deactivation, expiry, views
from tradedeck.tradingview.links import link_of
from tradedeck.web.nav import NavItem, register_nav
from tradedeck.web.user_facts import UserFact, register_user_fact
from tradedeck.worker.loop import register_loop_task
from tradedeck.worker.queue import get_huey


def init_tradingview(app: OpenAPI) -> None:
    app.register_api(api.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(account_views.bp)
    register_nav(
        app,
        NavItem(
            "tradingview_account.page",
            "Pine access",
            "code-square",
            description="Link your TradingView username; the invite-only scripts you may use.",
        ),
    )
    register_nav(
        app,
        NavItem(
            "tradingview.manage",
            "TradingView",
            "key",
            admin_only=True,
            description="Invite-only Pine script access: grant, extend and remove.",
        ),
    )

    @get_huey(app).task(name="tradingview.bulk")
    def bulk_task(job_id: int) -> None:
        with app.app_context():
            bulk.run_job(app, job_id)

    app.extensions[bulk.TASK_KEY] = bulk_task
    register_user_fact(app, UserFact("tradingview-username", "TradingView", linked_username))

    @get_huey(app).task(
        name="tradingview.revoke_user",
        retries=deactivation.RETRIES,
        retry_delay=deactivation.RETRY_DELAY_SECS,
        retry_backoff=deactivation.RETRY_BACKOFF,
    )
    def revoke_task(user_id: int, ended_at: datetime) -> int:
        with app.app_context():
            return deactivation.revoke_user(user_id, ended_at)

    app.extensions[deactivation.TASK_KEY] = revoke_task
    deactivation.listen()
    seconds = app.config["TRADEDECK"].tradingview_expiry_secs
    if seconds > 0:
        register_loop_task(app, "tradingview.expiry", seconds, expiry.run_pass, singleton=True)


def linked_username(user_id: int) -> str | None:
    """The TradingView username `user_id` linked, for the admin user detail page."""
    linked = link_of(user_id)
    return linked.username if linked else None
