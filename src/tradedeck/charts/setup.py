"""`init_charts(app)`: the chart page, the picker fragment and the chart API."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from tradedeck.charts import api, views
from tradedeck.extensions import csrf
from tradedeck.web.nav import NavItem, register_nav


def init_charts(app: OpenAPI) -> None:
    app.register_api(api.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(views.bp)
    register_nav(
        app,
        NavItem(
            "charts.chart",
            "Chart",
            "bar-chart-line",
            description="Candles with smart-money overlays and drawings.",
        ),
    )
