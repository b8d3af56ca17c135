"""`/api/v1/backtests`: start a run, list, read (with results) and delete the caller's runs;
the same for optimisations (grid search and walk-forward as a background job)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.api.errors import ErrorBody
from tradedeck.backtests import optimise, serialize, services
from tradedeck.backtests.schemas import (
    OptimisationBody,
    OptimisationDetail,
    OptimisationList,
    OptimisationPath,
    RunBody,
    RunDetail,
    RunList,
    RunPath,
)
from tradedeck.core.backtest import STRATEGIES
from tradedeck.core.errors import DomainError

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


def _optimise_form(body: OptimisationBody) -> dict[str, Any]:
    """The body as the optimise form's fields (`<strategy>.<param>`, `grid.<param>`), so the
    page shows an optimisation started here like one of its own."""
    data = body.model_dump(exclude_none=True, exclude={"params", "grid"})
    strategy = body.strategy
    known = STRATEGIES[strategy].params if strategy in STRATEGIES else None
    for name, values in body.grid.items():
        if known is not None and name not in known:
            raise DomainError(f"{strategy} has no parameter {name}", field=f"grid.{name}")
        text = values if isinstance(values, str) else ",".join(str(v) for v in values)
        data[f"grid.{name}"] = text
    return data | {f"{strategy}.{name}": value for name, value in body.params.items()}


@bp.get("/backtests/optimisations", responses={"200": OptimisationList})
def list_optimisations() -> Response:
    """The caller's latest optimisations (without results), newest first."""
    rows = optimise.optimisations_of(_uid())
    return jsonify({"optimisations": [serialize.optimisation(r, full=False) for r in rows]})


@bp.post("/backtests/optimisations", responses={"202": OptimisationDetail, "409": ErrorBody})
def start_optimisation(body: OptimisationBody) -> tuple[Response, int]:
    """Queue a grid search; poll `GET /backtests/optimisations/<id>` for `progress` until
    `status` is done (with `result`) or failed."""
    row = optimise.create_optimisation(_uid(), _optimise_form(body))
    return jsonify({"optimisation": serialize.optimisation(row)}), 202


@bp.get("/backtests/optimisations/<int:optimisation_id>", responses={"200": OptimisationDetail})
def get_optimisation(path: OptimisationPath) -> Response:
    """Progress, and when done the ranked points, the heatmap and the walk-forward windows."""
    row = optimise.optimisation_of(_uid(), path.optimisation_id)
    return jsonify({"optimisation": serialize.optimisation(row)})


@bp.delete("/backtests/optimisations/<int:optimisation_id>", responses={"204": None})
def delete_optimisation(path: OptimisationPath) -> tuple[str, int]:
    optimise.delete_optimisation(_uid(), path.optimisation_id)
    return "", 204
