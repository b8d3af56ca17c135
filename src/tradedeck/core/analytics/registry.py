"""The study catalogue: name -> function and parameters, and each result's JSON form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import fvg as fvg_module
from . import gaps as gaps_module
from . import indicators, liquidity, order_blocks, previous_hl, structure, swings
from .candles import Candles
from .errors import AnalyticsInputError
from .events import Events
from .params import Param, resolve


@dataclass(frozen=True)
class Study:
    function: Callable[..., Any]
    params: Mapping[str, Param]


STUDIES: dict[str, Study] = {
    "sma": Study(indicators.sma, indicators.SMA_PARAMS),
    "ema": Study(indicators.ema, indicators.EMA_PARAMS),
    "rsi": Study(indicators.rsi, indicators.RSI_PARAMS),
    "atr": Study(indicators.atr, indicators.ATR_PARAMS),
    "macd": Study(indicators.macd, indicators.MACD_PARAMS),
    "bollinger": Study(indicators.bollinger, indicators.BOLLINGER_PARAMS),
    "swings": Study(swings.swings, swings.PARAMS),
    "structure": Study(structure.structure, structure.PARAMS),
    "gaps": Study(gaps_module.gaps, gaps_module.PARAMS),
    "fvg": Study(fvg_module.fvg, fvg_module.PARAMS),
    "order_blocks": Study(order_blocks.order_blocks, order_blocks.PARAMS),
    "liquidity": Study(liquidity.liquidity, liquidity.PARAMS),
    "previous_hl": Study(previous_hl.previous_hl, previous_hl.PARAMS),
}

ALIASES = {"bos": "structure", "ob": "order_blocks"}
"""Short names used by the chart's query string (`studies=swings,bos,ob`)."""


def study_named(name: str) -> tuple[str, Study]:
    """Canonical name and study for a name or alias, or an error listing the known ones."""
    canonical = ALIASES.get(name, name)
    if canonical not in STUDIES:
        known = ", ".join([*STUDIES, *ALIASES])
        raise AnalyticsInputError(f"unknown study '{name}' (known: {known})", "studies")
    return canonical, STUDIES[canonical]


def run_study(candles: Candles, name: str, given: Mapping[str, Any]) -> tuple[str, dict, Any]:
    """Validate parameters and run one study: (canonical name, parameters used, result)."""
    canonical, study = study_named(name)
    if not isinstance(given, Mapping):
        raise AnalyticsInputError(f"parameters of {name} must be an object", f"params.{name}")
    params = resolve(canonical, study.params, given)
    return canonical, params, study.function(candles, **params)


def to_json(name: str, params: dict[str, Any], result: Any) -> dict[str, Any]:
    """`{"study", "params", "events" | "values"}` as the API answers it."""
    if isinstance(result, Events):
        return result.to_json()
    if isinstance(result, np.ndarray):
        values: Any = nullable(result)
    elif hasattr(result, "to_json"):
        values = result.to_json()
    else:
        values = {field: nullable(column) for field, column in result._asdict().items()}
    return {"study": name, "params": dict(params), "values": values}


def nullable(values: np.ndarray) -> list[float | None]:
    """Floats with NaN as None, ready for JSON (NaNs are few: warm-up bars)."""
    column = values.tolist()
    for i in np.flatnonzero(np.isnan(values)).tolist():
        column[i] = None
    return column
