"""`/api/v1/analytics`: studies on stored candles (GET) and on caller candles (POST).

Both need an authenticated user (session + X-CSRFToken for POST, JWT or X-API-Key), as every
`/api/v1` route: the chart page calls them for a logged-in user, and they cost CPU.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.analysis import services
from tradedeck.analysis.schemas import (
    AnalyticsOut,
    AnalyticsQuery,
    CandlesBody,
    StudyPath,
    StudyResult,
    parse_time,
)
from tradedeck.api.errors import ErrorBody
from tradedeck.json_provider import encode
from tradedeck.market import catalogue
from tradedeck.market.limits import limit_per_user

bp = APIBlueprint(
    "analysis_api",
    __name__,
    url_prefix="/api/v1/analytics",
    abp_tags=[Tag(name="analytics", description="Smart-money studies and indicators")],
    abp_responses={
        "400": ErrorBody,
        "401": ErrorBody,
        "404": ErrorBody,
        "409": ErrorBody,
        "429": ErrorBody,
    },
)


def json_response(body: Any) -> Response:
    """Compact, unsorted JSON straight to bytes: answers carry tens of thousands of numbers
    (indicator arrays and pre-encoded event lists, see core.analytics.encode)."""
    return Response(encode(body), mimetype="application/json")


@bp.get("", responses={"200": AnalyticsOut, "502": ErrorBody, "503": ErrorBody})
@limit_per_user("analytics_rate_limit", "analytics")
def analytics(query: AnalyticsQuery) -> Response:
    """Studies on stored candles of the window [start, end) (`end` exclusive, as /candles).

    Each study runs on warm-up history before `start` too, so the first visible bars are the
    same as on the full series (up to ANALYTICS_MAX_WARMUP_BARS bars of it: studies that need
    more, like `ema.length=100000`, start from that much). The window holds at most
    ANALYTICS_MAX_BARS bars. Values cover the window's bars (top-level `time`); events are
    those reaching into the window, with indexes counted from its first bar (negative for
    anchors before it; `*_time` fields are exact). Per-study parameters: `rsi.length=21`.
    """
    requests = services.parse_studies(query.studies, query.model_extra or {})
    instrument = catalogue.get_instrument(query.symbol, query.venue)
    body = services.stored_analytics(
        instrument,
        query.interval,
        parse_time(query.start),
        parse_time(query.end),
        requests,
    )
    return json_response(body)


@bp.post("/<study>", responses={"200": StudyResult})
def study(path: StudyPath, body: CandlesBody) -> Response:
    """One study on the candles in the body: the same answer as `analyze()`.

    At most 200,000 candles (MAX_CANDLES). Needs an authenticated user like every /api/v1 route
    (a browser session sends X-CSRFToken).
    """
    return json_response(services.study_on(path.study, body.data, body.params))
