"""Pages: `/chart` (symbol and interval in the query string) and `/tickDataForm`, the
symbol-picker modal fragment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from tradedeck.charts import page, services
from tradedeck.core.candles import INTERVALS
from tradedeck.market import catalogue
from tradedeck.market.catalogue import CatalogueError
from tradedeck.market.models import Instrument

bp = Blueprint("charts", __name__)
CHART_JS = Path(__file__).resolve().parents[1] / "web" / "static" / "js"
PRELOAD = sorted(
    ["vendor/lightweight-charts/lightweight-charts.standalone.production.mjs", "js/app.js"]
    + [f"js/{p.relative_to(CHART_JS).as_posix()}" for p in (CHART_JS / "chart").rglob("*.js")]
)
"""Static paths of the chart's module graph: preloaded in parallel instead of import by import."""


def _bad_request(exc: page.PageArgError) -> tuple[str, int]:
    return render_template(
        "errors/error.html", code=400, title="Bad request", message=exc.message
    ), 400


def _instrument(symbol: str | None, venue: str | None) -> Instrument | None:
    """The requested instrument, else the catalogue's first one (a fresh user sees a chart)."""
    if symbol:
        return catalogue.get_instrument(symbol, venue)
    found = catalogue.search_instruments("", venue, 1)
    return found[0] if found else None


@bp.get("/chart")
@login_required
def chart() -> Any:
    """The chart workstation; data comes from the JSON API, set up by `js/chart/page.js`.
    `?pattern=<id>` (the /patterns chart links) singles out one scanned pattern."""
    prefs = services.chart_prefs(current_user)
    try:
        req = page.parse_chart_args(request.args.to_dict(), prefs)
    except page.PageArgError as exc:
        return _bad_request(exc)
    try:
        instrument = _instrument(req.symbol, req.venue)
    except CatalogueError as exc:
        html = render_template("charts/chart.html", req=req, instrument=None, error=exc.message)
        return html, exc.status
    config = {
        "symbol": instrument.symbol if instrument else None,
        "venue": instrument.venue.code if instrument else None,
        "interval": req.interval,
        "start": req.start_epoch,
        "end": req.end_epoch,
        "overlays": req.overlays,
        "timezone": req.timezone,
        "pattern": (request.args.get("pattern") or "").strip()[:32] or None,
        "id": "main",
        "persist": True,
    }
    return render_template(
        "charts/chart.html",
        req=req,
        instrument=instrument,
        error=None,
        config=json.dumps(config),
        preload=PRELOAD,
    )


@bp.route("/tickDataForm", methods=["GET", "POST"])
@login_required
def tick_data_form() -> Any:
    """Modal body: symbol, venue, period preset or dates, interval; submits to `/chart`."""
    values = request.values
    interval = values.get("interval") or services.chart_prefs(current_user).interval
    return render_template(
        "charts/tick_data_form.html",
        symbol=values.get("symbol", ""),
        venue=(values.get("venue") or "").upper(),
        interval=interval if interval in INTERVALS else page.DEFAULT_INTERVAL,
        start=values.get("startDate", ""),
        end=values.get("endDate", ""),
        venues=catalogue.list_venues(),
        intervals=page.PICKER_INTERVALS,
        presets=page.PRESETS,
    )
