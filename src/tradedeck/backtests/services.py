"""Backtest use cases: validate a request, save it, run it in the background, read it back.

A request names an instrument, an interval, a date range, a strategy with its parameters and
the engine settings; every field is checked here (DomainError naming it), for the page and the
API alike. The run itself is a huey job (`execute`): it reads the stored candles of the range
(fetching missing spans from remote venues), runs `core.backtest` and stores the results,
updating `progress` between the stages so the page can show a bar.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import func, select

from tradedeck.backtests.models import BacktestJob, BacktestRun
from tradedeck.core.analytics import Candles, to_arrays
from tradedeck.core.backtest import STRATEGIES, BacktestError, Settings, compute_stats
from tradedeck.core.backtest.engine import FILLS, SIZINGS, STOPS, TARGETS
from tradedeck.core.backtest.run import (
    Backtest,
    build_signals,
    equity_drawdown,
    resolve_params,
    simulate_bars,
)
from tradedeck.core.candles import INTERVALS
from tradedeck.core.errors import DomainError
from tradedeck.database import ID_MAX, utcnow
from tradedeck.extensions import db
from tradedeck.market import catalogue
from tradedeck.market import services as market
from tradedeck.market.models import Instrument
from tradedeck.market.services import CandleRange

log = logging.getLogger(__name__)
TASK_KEY = "tradedeck.backtests.task"
Job = TypeVar("Job", bound=BacktestJob)
MAX_CASH = Decimal(1_000_000_000)
PERCENT_KINDS = ("percent",)


class RunNotFound(DomainError):
    status = 404


@dataclass(frozen=True)
class RunRequest:
    """A validated request: what `create_run` stores and the job runs."""

    instrument: Instrument
    interval: str
    start: int
    end: int
    strategy: str
    params: dict[str, Any]
    settings: Settings


def _text(data: Mapping[str, Any], name: str, default: str = "") -> str:
    value = data.get(name, default)
    if value is None:
        return default
    return str(value).strip()


def _number(data: Mapping[str, Any], name: str, default: str) -> Decimal:
    raw = _text(data, name, default) or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError(f"{name} must be a number", field=name) from None
    if not value.is_finite():
        raise DomainError(f"{name} must be a finite number", field=name)
    return value


def _day(data: Mapping[str, Any], name: str) -> int:
    """Epoch seconds of a date (YYYY-MM-DD, UTC midnight) or ISO-8601 time."""
    raw = _text(data, name)
    if not raw:
        raise DomainError(f"{name} is required", field=name)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp())
    except (ValueError, OverflowError):
        raise DomainError(f"{name} must be a date (YYYY-MM-DD)", field=name) from None


def _choice(data: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = _text(data, name, default) or default
    if value not in allowed:
        raise DomainError(f"{name} must be one of {', '.join(allowed)}", field=name)
    return value


def _flag(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name)
    if isinstance(value, bool):
        return value
    return _text(data, name).lower() in ("1", "true", "on", "yes", "y")


def engine_settings(data: Mapping[str, Any]) -> tuple[Settings, Decimal]:
    """Settings from page/API fields (commission, slippage and percent sizes in percent)."""
    cash = _number(data, "cash", "10000")
    if not 0 < cash < MAX_CASH:
        raise DomainError("cash must be above 0 and below 1,000,000,000", field="cash")
    if cash != cash.quantize(Decimal("0.01")):
        raise DomainError("cash has at most 2 decimal places", field="cash")
    sizing = _choice(data, "sizing", SIZINGS, "equity")
    stop = _choice(data, "stop", STOPS, "none")
    target = _choice(data, "target", TARGETS, "none")
    size = _number(data, "size", "100" if sizing == "equity" else "1")
    stop_value = _number(data, "stop_value", "0")
    target_value = _number(data, "target_value", "0")
    fields = {
        "cash": float(cash),
        "commission": float(_number(data, "commission_pct", "0") / 100),
        "slippage": float(_number(data, "slippage_pct", "0") / 100),
        "fill": _choice(data, "fill", FILLS, "open"),
        "sizing": sizing,
        "size": float(size / 100) if sizing != "units" else float(size),
        "whole_units": _flag(data, "whole_units"),
        "stop": stop,
        "stop_value": float(stop_value / 100 if stop in PERCENT_KINDS else stop_value),
        "target": target,
        "target_value": float(target_value / 100 if target in PERCENT_KINDS else target_value),
    }
    if sizing == "equity" and fields["size"] == 1.0:
        fields.pop("size")  # all of it, as the engine's default (less one ulp)
    try:
        return Settings(**fields), cash
    except BacktestError as error:
        raise DomainError(error.message, field=_form_field(error.field)) from None


def _form_field(field: str | None) -> str | None:
    return {"commission": "commission_pct", "slippage": "slippage_pct"}.get(field or "", field)


def strategy_params(strategy: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The chosen strategy's parameters from `params` (a mapping) or `<strategy>.<name>` keys."""
    given = data.get("params")
    if given is None:
        prefix = f"{strategy}."
        given = {k.removeprefix(prefix): v for k, v in data.items() if k.startswith(prefix)}
    if not isinstance(given, Mapping):
        raise DomainError("params must be an object", field="params")
    try:
        return resolve_params(strategy, {k: v for k, v in given.items() if v != ""})
    except BacktestError as error:
        raise DomainError(error.message, field=error.field) from None


def parse_request(data: Mapping[str, Any]) -> tuple[RunRequest, Decimal]:
    """Validate every field of a run request; DomainError names the first bad one."""
    symbol = _text(data, "symbol")
    if not symbol:
        raise DomainError("symbol is required", field="symbol")
    instrument = catalogue.get_instrument(symbol, _text(data, "venue") or None)
    interval = _choice(data, "interval", tuple(INTERVALS), "1h")
    start, end = _day(data, "start"), _day(data, "end")
    if len(_text(data, "end")) == 10:
        end += 86_400  # a date means the whole day
    max_bars = current_app.config["TRADEDECK"].backtest_max_bars
    span = market.resolve_range(interval, start, end, max_bars, max_bars)
    strategy = _choice(data, "strategy", tuple(STRATEGIES), "sma_cross")
    params = strategy_params(strategy, data)
    settings, cash = engine_settings(data)
    request = RunRequest(instrument, interval, span.start, span.end, strategy, params, settings)
    return request, cash


def queue_job(
    model: type[Job],
    user_id: int,
    request: RunRequest,
    task_key: str,
    field: str,
    **columns: Any,
) -> Job:
    """Save a queued row (a run, an optimisation) of `request` and enqueue its job; 409
    `too_many_runs` naming `field` beyond BACKTEST_MAX_RUNS saved rows of that kind."""
    limit = current_app.config["TRADEDECK"].backtest_max_runs
    count = db.session.scalar(
        select(func.count()).select_from(model).where(model.user_id == user_id)
    )
    if (count or 0) >= limit:
        noun = model.__tablename__.removeprefix("backtest_")
        raise DomainError(
            f"you have {limit} saved {noun}: delete some first",
            field=field,
            code="too_many_runs",
            status=409,
        )
    row = model(
        user_id=user_id,
        instrument_id=request.instrument.id,
        symbol=request.instrument.symbol,
        venue=request.instrument.venue.code,
        interval=request.interval,
        start_time=request.start,
        end_time=request.end,
        strategy=request.strategy,
        settings=dict(request.settings.__dict__),
        status="queued",
        progress=0,
        message="Waiting for a worker…",
        **columns,
    )
    db.session.add(row)
    db.session.commit()
    current_app.extensions[task_key](row.id)
    db.session.refresh(row)
    return row


def create_run(user_id: int, request: RunRequest, cash: Decimal) -> BacktestRun:
    """Save a queued run and enqueue its job (409 beyond BACKTEST_MAX_RUNS saved runs)."""
    return queue_job(
        BacktestRun, user_id, request, TASK_KEY, "strategy", params=request.params, cash=cash
    )


def _stage(run: Job, progress: int, message: str, status: str = "running") -> None:
    run.status, run.progress, run.message = status, progress, message
    db.session.commit()


def run_job(model: type[Job], job_id: int, work: Callable[[Job], None], what: str) -> None:
    """Run one queued row (a run, an optimisation) through `work` once: a DomainError marks it
    failed with its message; anything else is logged, marks it failed and is re-raised."""
    row = db.session.get(model, job_id)
    if row is None or row.finished:
        return
    try:
        work(row)
    except DomainError as error:
        db.session.rollback()
        _fail(model, job_id, error.message)
    except Exception:
        db.session.rollback()
        log.exception("%s %s failed", what, job_id)
        _fail(model, job_id, f"the {what} failed unexpectedly; the error is in the worker's log")
        raise


def _fail(model: type[Job], job_id: int, message: str) -> None:
    row = db.session.get(model, job_id)
    if row is not None:
        row.finished_at = utcnow()
        _stage(row, row.progress, message[:300], status="failed")


def execute(run_id: int) -> None:
    """The job: load candles, build signals, simulate, compute statistics, store the results."""
    run_job(BacktestRun, run_id, _execute, "backtest")


def _execute(run: BacktestRun) -> None:
    _stage(run, 10, "Loading candles")
    instrument = db.session.get(Instrument, run.instrument_id)
    if instrument is None:
        raise DomainError("the instrument no longer exists")
    candles = load_candles(instrument, run.interval, run.start_time, run.end_time)
    _stage(run, 35, f"Building {run.strategy} signals on {len(candles)} bars")
    signals = build_signals(candles, run.strategy, run.params)
    _stage(run, 60, "Simulating")
    result = simulate_bars(candles, signals, Settings(**run.settings))
    _stage(run, 80, "Computing statistics")
    backtest = Backtest(
        candles,
        run.strategy,
        run.params,
        result,
        compute_stats(candles.time, candles.close, result),
    )
    equity, drawdown = equity_drawdown(result)
    run.bars = len(candles)
    run.stats = clean(backtest.stats)
    run.series = {
        "time": candles.time.tolist(),
        **{name: getattr(candles, name).tolist() for name in ("open", "high", "low", "close")},
        "equity": clean(equity.tolist()),
        "drawdown": clean((drawdown * 100).tolist()),
    }
    run.trades = clean(backtest.trade_records())
    run.open_trade = clean(_open_trade(backtest))
    run.finished_at = utcnow()
    _stage(run, 100, f"{len(result.trades)} trades on {len(candles)} bars", status="done")


def load_candles(instrument: Instrument, interval: str, start: int, end: int) -> Candles:
    """Stored candles of [start, end) (remote venues' gaps fetched first), at least 2."""
    max_bars = current_app.config["TRADEDECK"].backtest_max_bars
    ohlcv = market.candles_for(instrument, interval, CandleRange(start, end), max_bars)
    if len(ohlcv.time) < 2:
        raise DomainError(
            f"{len(ohlcv.time)} candles in that range: a backtest needs 2 or more", field="start"
        )
    return to_arrays({name: getattr(ohlcv, name) for name in ohlcv.__dataclass_fields__})


def _open_trade(backtest: Backtest) -> dict[str, Any] | None:
    trade = backtest.result.open_trade
    if trade is None:
        return None
    entry_time = int(backtest.candles.time[trade["entry_bar"]])
    return {**{k: v for k, v in trade.items() if k != "entry_bar"}, "entry_time": entry_time}


def clean(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become None (PostgreSQL JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


def runs_of(user_id: int) -> list[BacktestRun]:
    """The user's saved runs, newest first."""
    statement = (
        select(BacktestRun).where(BacktestRun.user_id == user_id).order_by(BacktestRun.id.desc())
    )
    return list(db.session.scalars(statement))


def job_of(model: type[Job], user_id: int, job_id: int, noun: str) -> Job:
    """One of the user's runs or optimisations; another user's is a 404 as if it did not
    exist."""
    row = db.session.get(model, job_id) if 1 <= job_id <= ID_MAX else None
    if row is None or row.user_id != user_id:
        raise RunNotFound(f"no such {noun}", field="id", code="not_found")
    return row


def run_of(user_id: int, run_id: int) -> BacktestRun:
    return job_of(BacktestRun, user_id, run_id, "backtest")


def delete_run(user_id: int, run_id: int) -> None:
    db.session.delete(run_of(user_id, run_id))
    db.session.commit()


TRADE_COLUMNS = (
    ("entry_time", "Entry time"),
    ("exit_time", "Exit time"),
    ("size", "Size"),
    ("entry_price", "Entry price"),
    ("exit_price", "Exit price"),
    ("stop", "Stop"),
    ("target", "Target"),
    ("commission", "Commission"),
    ("pnl", "P&L"),
    ("return_pct", "Return %"),
    ("r_multiple", "R"),
    ("reason", "Exit"),
)


def iso(epoch: int | None) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()


def trade_rows(run: BacktestRun) -> list[list[Any]]:
    """One CSV row per closed trade, times ISO-8601 UTC, empty cells for undefined values."""
    rows = []
    for trade in run.trades or []:
        row = []
        for key, _ in TRADE_COLUMNS:
            value = trade.get(key)
            row.append(iso(value) if key.endswith("_time") else ("" if value is None else value))
        rows.append(row)
    return rows


def default_range(today: date | None = None) -> tuple[str, str]:
    """The form's initial dates: the last 60 days."""
    end = today or utcnow().date()
    return (end - timedelta(days=60)).isoformat(), end.isoformat()
