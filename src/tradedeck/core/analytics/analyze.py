"""Run several studies on one series and return the JSON-ready answer of the API."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .candles import to_arrays
from .encode import study_json
from .errors import AnalyticsInputError
from .registry import run_study, study_named, to_json


def analyze(
    candles: Any,
    studies: str | Iterable[str],
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """`{study: {"study", "params", "events" | "values"}}` for each requested study.

    `studies` is a list of names or a comma-separated string; `params` maps a study name to
    its parameters. Candles are validated once and shared by all studies.
    """
    return _answer(candles, studies, params, to_json)


def analyze_json(
    candles: Any,
    studies: str | Iterable[str],
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """`analyze()`'s answer for orjson: event lists pre-encoded, indicator values as arrays.

    Encoded with OPT_SERIALIZE_NUMPY it parses to exactly `analyze()`'s answer, without a
    Python object per event (the API's path; `analyze()` is for callers that read records).
    """
    return _answer(candles, studies, params, study_json)


def _answer(
    candles: Any,
    studies: str | Iterable[str],
    params: Mapping[str, Mapping[str, Any]] | None,
    shape: Callable[[str, dict[str, Any], Any], dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    names = [s.strip() for s in studies.split(",")] if isinstance(studies, str) else list(studies)
    names = [name for name in names if name]
    for name in names:
        study_named(name)
    params = params or {}
    for name in params:
        if name not in names:
            raise AnalyticsInputError(
                f"parameters given for '{name}', which is not among the studies", f"params.{name}"
            )
    c = to_arrays(candles)
    answer = {}
    for name in names:
        canonical, used, result = run_study(c, name, params.get(name, {}))
        answer[name] = shape(canonical, used, result)
    return answer
