"""`/api/v1/backtests`: start a run, list, read (with results) and delete the caller's runs."""

from __future__ import annotations

from flask import Response, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.api.errors import ErrorBody
from tradedeck.backtests import serialize, services
from tradedeck.backtests.schemas import RunBody, RunDetail, RunList, RunPath

bp = APIBlueprint(
    "backtests_api",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="backtests", description="Strategy backtests on stored candles")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "404": ErrorBody, "429": ErrorBody},
)


def _uid() -> int:
    return int(current_user.id)


@bp.get("/backtests", responses={"200": RunList})
def list_runs() -> Response:
    """The caller's saved runs, newest first."""
    return jsonify({"runs": [serialize.summary(run) for run in services.runs_of(_uid())]})


@bp.post("/backtests", responses={"202": RunDetail, "409": ErrorBody})
def start_run(body: RunBody) -> tuple[Response, int]:
    """Queue a backtest; poll `GET /backtests/<id>` until `status` is done or failed."""
    request, cash = services.parse_request(body.model_dump(exclude_none=True))
    run = services.create_run(_uid(), request, cash)
    return jsonify({"run": serialize.detail(run)}), 202


@bp.get("/backtests/<int:run_id>", responses={"200": RunDetail})
def get_run(path: RunPath) -> Response:
    """One run with its progress and, when done, its statistics, series and trades."""
    return jsonify({"run": serialize.detail(services.run_of(_uid(), path.run_id))})


@bp.delete("/backtests/<int:run_id>", responses={"204": None})
def delete_run(path: RunPath) -> tuple[str, int]:
    services.delete_run(_uid(), path.run_id)
    return "", 204
