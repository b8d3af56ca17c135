"""`/api/v1/admin/instruments/<id>/candles`: candle coverage and gaps of one instrument, and
backfill / gap-repair jobs (202 with the job; poll `/api/v1/admin/candles/jobs/<id>`)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel, ConfigDict, Field

from tradedeck.admin import candles_jobs
from tradedeck.admin import instruments_service as service
from tradedeck.admin.candles import coverage_json
from tradedeck.admin.instruments_api import ADMIN_ERRORS, ADMIN_TAGS
from tradedeck.api.auth import admin_only
from tradedeck.api.errors import ApiError
from tradedeck.worker.queue import get_huey

bp = APIBlueprint(
    "admin_candles_api",
    __name__,
    url_prefix="/api/v1/admin",
    abp_tags=ADMIN_TAGS,
    abp_responses=ADMIN_ERRORS,
)


class InstrumentPath(BaseModel):
    instrument_id: int


class JobPath(BaseModel):
    job_id: str = Field(max_length=64)


class JobBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="repair or backfill")
    interval: str = Field(description="1m, 5m, 15m, 30m, 1h, 4h, 1d or 1w")
    days: int | str | None = Field(default=None, description="backfill: 1 to 365 days back")


class CoverageOut(BaseModel):
    instrument: dict[str, Any]
    intervals: list[dict[str, Any]]
    job: dict[str, Any] | None


@bp.get("/instruments/<int:instrument_id>/candles", responses={"200": CoverageOut})
@admin_only
def candle_coverage(path: InstrumentPath) -> Response:
    """Count, first/last open time and gaps (while the venue was open) per interval."""
    return jsonify(coverage_json(service.get_instrument(path.instrument_id)))


@bp.post("/instruments/<int:instrument_id>/candles/jobs", responses={"202": candles_jobs.Job})
@admin_only
def start_candle_job(path: InstrumentPath, body: JobBody) -> tuple[Response, int]:
    """Start a backfill or gap repair of one interval as a background job."""
    instrument = service.get_instrument(path.instrument_id)
    job = candles_jobs.start_job(instrument, body.kind, body.interval, body.days)
    return jsonify(job.to_json()), 202


@bp.get("/candles/jobs/<job_id>", responses={"200": candles_jobs.Job})
@admin_only
def candle_job(path: JobPath) -> Response:
    """A job's state and progress."""
    job = candles_jobs.load(get_huey(current_app), path.job_id)
    if job is None:
        raise ApiError(404, "not_found", f"no candle job {path.job_id!r}", "job_id")
    return jsonify(job.to_json())
