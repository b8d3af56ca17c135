"""The chart's overlay routes at the root: `POST /swings`, `/BOS`, `/getGap` on posted candles.

They are JSON API routes outside /api/v1, so the API's central checks do not reach them:
this blueprint requires the logged-in (session) user and the X-CSRFToken header itself, and
answers every error in the API's JSON format. Scripts use /api/v1/analytics/<study> instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tradedeck.analysis.api import body_field, invalid, json_response
from tradedeck.analysis.overlays import gap_boxes, structure_lines, swing_markers
from tradedeck.analysis.schemas import CandlesBody, GapBoxes, StructureLines, SwingMarkers
from tradedeck.analysis.services import caller_candles
from tradedeck.api.errors import ApiError, ErrorBody, error_response
from tradedeck.core.analytics import AnalyticsInputError, Events
from tradedeck.core.analytics.registry import run_study
from tradedeck.core.errors import DomainError
from tradedeck.extensions import csrf

bp = APIBlueprint(
    "analysis_aliases",
    __name__,
    abp_tags=[Tag(name="chart overlays", description="Root overlay routes (session + CSRF)")],
    abp_responses={"400": ErrorBody, "401": ErrorBody},
)


@bp.before_request
def _require_session_user() -> None:
    """Deny by default, then CSRF, before the body is even validated."""
    if not current_user.is_authenticated:
        raise ApiError(401, "unauthorized", "Authentication is required.")
    try:
        csrf.protect()
    except CSRFError as exc:
        raise ApiError(400, "csrf_failed", exc.description) from exc


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> Response:
    """JSON like the API's although these paths are outside /api/ (pages answer HTML)."""
    return error_response(exc.status, exc.code, exc.message, exc.field)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    return error_response(code, (exc.name or "error").lower().replace(" ", "_"), exc.description)


def _overlay(study: str, shape: Callable[[Events], dict[str, Any]], body: CandlesBody) -> Response:
    try:
        _, _, events = run_study(caller_candles(body.data), study, body.params)
    except AnalyticsInputError as exc:
        raise invalid(exc, body_field(exc.field)) from exc
    return json_response(shape(events))


@bp.post("/swings", responses={"200": SwingMarkers})
def swings(body: CandlesBody) -> Response:
    """Swing highs/lows as markers `{time, type, level, confirmed_time, position, shape}`."""
    return _overlay("swings", swing_markers, body)


@bp.post("/BOS", responses={"200": StructureLines})
def bos(body: CandlesBody) -> Response:
    """BOS/CHoCH segments `{from_time, to_time, level, direction, kind}`."""
    return _overlay("structure", structure_lines, body)


@bp.post("/getGap", responses={"200": GapBoxes})
def get_gap(body: CandlesBody) -> Response:
    """Price gaps `{from_time, to_time (fill, null while open), top, bottom, direction}`."""
    return _overlay("gaps", gap_boxes, body)
