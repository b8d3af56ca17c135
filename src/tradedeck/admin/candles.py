"""Admin candle pages: `/admin/candles` (candle counts per instrument and interval),
`/admin/candles/<id>` (count, first/last and gaps per interval, backfill / gap-repair jobs
with their progress polled by htmx) and the seed's JSON `/admin/api/candles/<id>`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.wrappers import Response
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import Length

from tradedeck.admin import candles_jobs, candles_stats
from tradedeck.admin import instruments_service as service
from tradedeck.admin.common import attach_error, form_problem, guard, page_number
from tradedeck.api.errors import error_response
from tradedeck.core.candles import INTERVALS
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market.models import Candle, Instrument, Venue
from tradedeck.worker.queue import get_huey

bp = guard(Blueprint("admin_candles", __name__, url_prefix="/admin"))


class JobForm(FlaskForm):
    kind = HiddenField("Job", default="repair")
    interval = SelectField("Interval", choices=list(INTERVALS), default="1h")
    days = StringField("Days", default="30", validators=[Length(max=4)])
    submit = SubmitField("Start")


def utc(epoch: int | None) -> str:
    """`2026-12-04 14:30` (UTC) for an epoch second, an em dash for none."""
    if epoch is None:
        return "—"
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%d %H:%M")


@bp.get("/candles")
def index() -> str:
    q = (request.args.get("q") or "").strip()[:80]
    found = service.list_instruments(q, "", page_number(request.args.get("page")))
    ids = [row.instrument.id for row in found.rows]
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        for iid, interval, count in db.session.execute(
            select(Candle.instrument_id, Candle.interval, func.count())
            .where(Candle.instrument_id.in_(ids))
            .group_by(Candle.instrument_id, Candle.interval)
        ):
            counts[iid][interval] = count
    return render_template(
        "admin/candles.html", found=found, counts=counts, intervals=list(INTERVALS), q=q
    )


def _detail(instrument: Instrument, form: JobForm | None = None) -> str:
    huey = get_huey(current_app)
    return render_template(
        "admin/candles_detail.html",
        instrument=instrument,
        coverage=candles_stats.coverage(instrument),
        form=form or JobForm(formdata=None),
        job=candles_jobs.latest(huey, instrument.id),
        utc=utc,
        max_gaps=candles_stats.MAX_LISTED_GAPS,
    )


@bp.get("/candles/<int:instrument_id>")
def detail(instrument_id: int) -> str:
    return _detail(service.get_instrument(instrument_id))


@bp.post("/candles/<int:instrument_id>/jobs")
def start(instrument_id: int) -> Any:
    instrument = service.get_instrument(instrument_id)
    form = JobForm()
    if not form.validate_on_submit():
        flash(f"Job not started — {form_problem(form)}.", "danger")
        return _detail(instrument, form)
    try:
        job = candles_jobs.start_job(instrument, form.kind.data, form.interval.data, form.days.data)
    except DomainError as exc:
        db.session.rollback()
        attach_error(form, exc)
        flash(f"Job not started — {exc.message}.", "danger")
        return _detail(instrument, form)
    flash(f"{job.kind.title()} of {instrument.symbol} {job.interval} candles started.", "success")
    return redirect(url_for("admin_candles.detail", instrument_id=instrument.id))


@bp.get("/candles/<int:instrument_id>/job")
def job_progress(instrument_id: int) -> str:
    """htmx partial: the latest job's progress (polls itself while the job runs)."""
    instrument = service.get_instrument(instrument_id)
    job = candles_jobs.latest(get_huey(current_app), instrument.id)
    return render_template("admin/candles_job.html", instrument=instrument, job=job)


def coverage_json(instrument: Instrument) -> dict[str, Any]:
    """The candle summary of one instrument: every interval's coverage and the latest job."""
    job = candles_jobs.latest(get_huey(current_app), instrument.id)
    venue: Venue = instrument.venue
    return {
        "instrument": {"id": instrument.id, "symbol": instrument.symbol, "venue": venue.code},
        "intervals": [c.to_json() for c in candles_stats.coverage(instrument)],
        "job": job.to_json() if job else None,
    }


@bp.get("/api/candles/<int:instrument_id>")
def candles_json(instrument_id: int) -> Response:
    """The seed's candle data API (`/admin/api/candles/<stock_id>`), session-authenticated."""
    try:
        instrument = service.get_instrument(instrument_id)
    except DomainError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.field)
    return jsonify(coverage_json(instrument))
