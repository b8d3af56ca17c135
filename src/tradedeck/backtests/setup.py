"""`init_backtests(app)`: the backtests pages, API, navbar entry and the huey jobs (run, optimise).

Called after `init_queue`: the run job is a task of this app's queue.
"""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from tradedeck.backtests import api, optimise, services, views
from tradedeck.extensions import csrf
from tradedeck.web.nav import NavItem, register_nav
from tradedeck.worker.queue import get_huey


def init_backtests(app: OpenAPI) -> None:
    app.register_api(api.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(views.bp)
    register_nav(
        app,
        NavItem(
            "backtests.index",
            "Backtests",
            "rewind",
            description="Test a strategy on past candles: trades, equity and statistics.",
        ),
    )

    @get_huey(app).task(name="backtests.run")
    def backtest_task(run_id: int) -> None:
        with app.app_context():
            services.execute(run_id)

    app.extensions[services.TASK_KEY] = backtest_task

    @get_huey(app).task(name="backtests.optimise")
    def optimise_task(optimisation_id: int) -> None:
        with app.app_context():
            optimise.execute(optimisation_id)

    app.extensions[optimise.TASK_KEY] = optimise_task
