"""`/api/v1/analytics`: studies on stored candles (GET) and on caller candles (POST).

Both need an authenticated user (session + X-CSRFToken for POST, JWT or X-API-Key), as every
`/api/v1` route: the chart page calls them for a logged-in user, and they cost CPU.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json
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
from tradedeck.api.errors import ApiError, ErrorBody
from tradedeck.core.analytics import AnalyticsInputError
from tradedeck.market import catalogue
from tradedeck.market.limits import limit_per_user
from tradedeck.market.providers.base import ProviderError

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
    """Compact, unsorted JSON: answers carry tens of thousands of numbers."""
    text = json.dumps(body, separators=(",", ":"), sort_keys=False)
    return Response(text, mimetype="application/json")


def invalid(exc: AnalyticsInputError, field: str | None = None) -> ApiError:
    return ApiError(400, "invalid_input", str(exc), field or exc.field)


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
    try:
        requests = services.parse_studies(query.studies, query.model_extra or {})
        instrument = catalogue.get_instrument(query.symbol, query.venue)
        body = services.stored_analytics(
            instrument,
            query.interval,
            parse_time(query.start),
            parse_time(query.end),
            requests,
        )
    except AnalyticsInputError as exc:
        raise invalid(exc) from exc
    except ProviderError as exc:
        status, code = (503, "provider_unavailable") if exc.retryable else (502, "provider_error")
        raise ApiError(status, code, exc.message, "symbol") from exc
    return json_response(body)


@bp.post("/<study>", responses={"200": StudyResult})
def study(path: StudyPath, body: CandlesBody) -> Response:
    """One study on the candles in the body: the same answer as `analyze()`.

    At most 200,000 candles (MAX_CANDLES). Needs an authenticated user like every /api/v1 route
    (a browser session sends X-CSRFToken).
    """
    try:
        result = services.study_on(path.study, body.data, body.params)
    except AnalyticsInputError as exc:
        raise invalid(exc, body_field(exc.field)) from exc
    return json_response(result)


def body_field(field: str) -> str:
    """The engine's field as a path in the request: `data.high`, `params.length`, `study`."""
    if field == "studies":
        return "study"
    if field in ("data", "params"):
        return field
    if "." in field:
        return "params." + field.partition(".")[2]
    return "data." + field
