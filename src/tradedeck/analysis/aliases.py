"""The chart's overlay routes at the root: `POST /swings`, `/BOS`, `/getGap` on posted candles.

They are JSON API routes outside /api/v1, so the API's central checks do not reach them:
this blueprint requires the logged-in (session) user and the X-CSRFToken header itself; the
one error handler answers its errors as JSON (`api.errors.answer_json`, in init_analysis).
Scripts use /api/v1/analytics/<study> instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.analysis.api import json_response
from tradedeck.analysis.overlays import gap_boxes, structure_lines, swing_markers
from tradedeck.analysis.schemas import CandlesBody, GapBoxes, StructureLines, SwingMarkers
from tradedeck.analysis.services import events_on
from tradedeck.api.errors import ApiError, ErrorBody
from tradedeck.core.analytics import Events
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
    csrf.protect()


def _overlay(study: str, shape: Callable[[Events], dict[str, Any]], body: CandlesBody) -> Response:
    return json_response(shape(events_on(study, body.data, body.params)))


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
