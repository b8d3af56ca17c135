"""Analytics use cases: studies on stored candles (with warm-up) and on caller candles.

Bad studies, parameters or candles raise `AnalyticsInputError` (its `field` names the input);
stored candles come from the market feature's store and services, which raise `RangeError`
and `ProviderError`. All are DomainErrors, which the one error handler answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import numpy as np
from flask import current_app

from tradedeck.analysis.window import cut_events, cut_values, period_floor, warmup_bars
from tradedeck.core.analytics import (
    MAX_CANDLES,
    AnalyticsInputError,
    Candles,
    Events,
    to_arrays,
)
from tradedeck.core.analytics.encode import study_json
from tradedeck.core.analytics.params import resolve
from tradedeck.core.analytics.registry import run_study, study_named
from tradedeck.core.candles import OHLCV, interval_seconds
from tradedeck.market import services as market
from tradedeck.market import store
from tradedeck.market.models import Instrument
from tradedeck.market.services import CandleRange

P = ParamSpec("P")
R = TypeVar("R")
COLUMNS = ("time", "open", "high", "low", "close", "volume")
DEFAULT_BARS = 1_000
"""Window size when the caller gives no `start` (as /api/v1/candles)."""


@dataclass(frozen=True)
class StudyRequest:
    """One requested study: the name as asked (key of the answer), its canonical name, params."""

    name: str
    canonical: str
    given: Mapping[str, Any]
    params: dict[str, Any]


def parse_studies(studies: str, extra: Mapping[str, str]) -> list[StudyRequest]:
    """`studies=swings,bos` and `swings.length=5` keys into validated study requests."""
    names = list(dict.fromkeys(s.strip() for s in studies.split(",") if s.strip()))
    if not names:
        raise AnalyticsInputError("name at least one study", "studies")
    given: dict[str, dict[str, str]] = {name: {} for name in names}
    for key, value in extra.items():
        study, dot, param = key.partition(".")
        if not dot or not param:
            raise AnalyticsInputError(f"unknown query parameter '{key}'", key)
        if study not in given:
            raise AnalyticsInputError(
                f"parameter '{key}' is for '{study}', which is not among the studies", key
            )
        given[study][param] = value
    requests = []
    for name in names:
        canonical, study = study_named(name)
        params = resolve(name, study.params, given[name])
        requests.append(StudyRequest(name, canonical, given[name], params))
    return requests


def _history(
    instrument: Instrument,
    interval: str,
    start: int,
    requests: list[StudyRequest],
    max_bars: int,
) -> OHLCV:
    """Stored candles before `start` that make every study right at `start`.

    The latest `warmup_bars` candles by count (venues with closed hours have gaps in time),
    and for previous_hl everything from the start of the last period with bars before the
    current one. Spans remote venues lack are fetched first (the read of 1 row is discarded).
    At most `max_bars` (ANALYTICS_MAX_WARMUP_BARS) are read or fetched: parameters up to
    100,000 would otherwise ask for millions of bars and an upstream backfill of years.
    """
    bars = min(max(warmup_bars(r.canonical, r.params) for r in requests), max_bars)
    lower = None
    for r in requests:
        if r.canonical == "previous_hl":
            period = r.params["period"]
            last = store.read_candles(instrument.id, interval, 0, period_floor(start, period), 1)
            if len(last):
                floor = period_floor(int(last.time[0]), period)
                lower = floor if lower is None else min(lower, floor)
    if bars:
        span = CandleRange(start - bars * interval_seconds(interval), start)
        market.candles_for(instrument, interval, span, 1)
    by_count = store.read_candles(instrument.id, interval, 0, start, bars) if bars else None
    if lower is None or (by_count is not None and len(by_count) and by_count.time[0] <= lower):
        return by_count if by_count is not None else OHLCV.empty()
    return store.read_candles(instrument.id, interval, lower, start, max_bars)


def stored_analytics(
    instrument: Instrument,
    interval: str,
    start: int | None,
    end: int | None,
    requests: list[StudyRequest],
) -> dict[str, Any]:
    """Studies over the window [start, end) that /api/v1/candles resolves for the same bounds,
    computed with warm-up history before it. The window holds at most ANALYTICS_MAX_BARS bars
    (RangeError beyond) and the warm-up at most ANALYTICS_MAX_WARMUP_BARS. Raises RangeError,
    ProviderError."""
    config = current_app.config["TRADEDECK"]
    max_bars = min(config.analytics_max_bars, MAX_CANDLES)
    span = market.resolve_window(instrument, interval, start, end, DEFAULT_BARS, max_bars)
    window = market.candles_for(instrument, interval, span, max_bars)
    history = _history(instrument, interval, span.start, requests, config.analytics_max_warmup_bars)
    candles = to_arrays(
        {name: np.concatenate((getattr(history, name), getattr(window, name))) for name in COLUMNS}
    )
    first = len(history)
    return {
        "symbol": instrument.symbol,
        "venue": instrument.venue.code,
        "interval": interval,
        "start": span.start,
        "end": span.end,
        "time": window.time.tolist(),
        "studies": {r.name: _windowed(candles, r, first) for r in requests},
    }


def _windowed(candles: Candles, request: StudyRequest, first: int) -> dict[str, Any]:
    """One study on the whole history, answered for bars `first`.. only (pre-encoded)."""
    canonical, params, result = run_study(candles, request.name, request.given)
    if isinstance(result, Events):
        return {"study": canonical, "params": params, "events": cut_events(result, first)}
    return study_json(canonical, params, cut_values(result, first))


def in_request_body(run: Callable[P, R]) -> Callable[P, R]:
    """Name a bad input by its path in the request body (`data.high`, `params.length`,
    `study`) instead of the engine's field, for studies on caller-supplied candles."""

    @wraps(run)
    def named(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return run(*args, **kwargs)
        except AnalyticsInputError as exc:
            exc.field = body_field(exc.field or "data")
            raise

    return named


def body_field(field: str) -> str:
    """The engine's field as a path in the request: `data.high`, `params.length`, `study`."""
    if field == "studies":
        return "study"
    if field in ("data", "params"):
        return field
    if "." in field:
        return "params." + field.partition(".")[2]
    return "data." + field


@in_request_body
def study_on(study: str, data: Any, params: Any) -> dict[str, Any]:
    """One study on caller-supplied candles, pre-encoded for orjson: once encoded, exactly
    `analyze(data, [study], {study: params})[study]`."""
    study_named(study)
    if not isinstance(params, Mapping):
        raise AnalyticsInputError("params must be an object", "params")
    canonical, used, result = run_study(caller_candles(data), study, params)
    return study_json(canonical, used, result)


@in_request_body
def events_on(study: str, data: Any, params: Any) -> Events:
    """The events of one event study (swings, structure, gaps) on caller-supplied candles."""
    _, _, events = run_study(caller_candles(data), study, params)
    assert isinstance(events, Events)
    return events


def caller_candles(data: Any) -> Candles:
    """Validated caller candles; nested junk the engine does not expect is a 400 too."""
    try:
        return to_arrays(data, max_rows=MAX_CANDLES)
    except AnalyticsInputError:
        raise
    except (TypeError, ValueError) as exc:
        raise AnalyticsInputError(
            "candle values must be numbers (time: ISO-8601 string or epoch seconds)", "data"
        ) from exc
