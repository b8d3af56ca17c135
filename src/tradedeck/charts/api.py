"""`/api/v1/charts`: the user's drawings per instrument and the remembered chart state."""

from __future__ import annotations

from flask import Response, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.api.errors import ErrorBody
from tradedeck.charts import services
from tradedeck.charts.schemas import (
    ChartPrefs,
    Cleared,
    DrawingIn,
    DrawingList,
    DrawingOut,
    DrawingPatch,
    DrawingPath,
    InstrumentRef,
)

bp = APIBlueprint(
    "charts_api",
    __name__,
    url_prefix="/api/v1/charts",
    abp_tags=[Tag(name="charts", description="Chart drawings and chart preferences")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "404": ErrorBody},
)


@bp.get("/drawings", responses={"200": DrawingList})
def list_drawings(query: InstrumentRef) -> Response:
    """The caller's drawings on one instrument, oldest first."""
    found = services.list_drawings(current_user.id, query.symbol, query.venue)
    return jsonify(DrawingList(drawings=[DrawingOut.of(d) for d in found]).model_dump())


@bp.post("/drawings", responses={"201": DrawingOut, "409": ErrorBody})
def create_drawing(body: DrawingIn) -> tuple[Response, int]:
    """Save a trend line (two points) or horizontal line (one point)."""
    drawing = services.create_drawing(current_user.id, body)
    return jsonify(DrawingOut.of(drawing).model_dump()), 201


@bp.put("/drawings/<int:drawing_id>", responses={"200": DrawingOut})
def move_drawing(path: DrawingPath, body: DrawingPatch) -> Response:
    """Replace a drawing's points (it was dragged)."""
    drawing = services.move_drawing(current_user.id, path.drawing_id, body.points)
    return jsonify(DrawingOut.of(drawing).model_dump())


@bp.delete("/drawings/<int:drawing_id>", responses={"204": None})
def delete_drawing(path: DrawingPath) -> tuple[str, int]:
    services.delete_drawing(current_user.id, path.drawing_id)
    return "", 204


@bp.delete("/drawings", responses={"200": Cleared})
def clear_drawings(query: InstrumentRef) -> Response:
    """Remove all of the caller's drawings on one instrument (the toolbar's "Clear")."""
    deleted = services.clear_drawings(current_user.id, query.symbol, query.venue)
    return jsonify(Cleared(deleted=deleted).model_dump())


@bp.get("/preferences", responses={"200": ChartPrefs})
def get_preferences() -> Response:
    return jsonify(services.chart_prefs(current_user).model_dump())


@bp.put("/preferences", responses={"200": ChartPrefs})
def put_preferences(body: ChartPrefs) -> Response:
    """Remember the last symbol, interval, overlays with their parameters, and time zone."""
    return jsonify(services.save_chart_prefs(current_user, body).model_dump())
