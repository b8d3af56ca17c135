"""Pydantic models of the backtests API (shape only; `services.parse_request` does the rules)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from tradedeck.database import ID_MAX

Number = Annotated[Any, Field(json_schema_extra={"type": "string", "example": "0.1"})]


class RunBody(BaseModel):
    """A backtest to run: percentages in percent (`commission_pct: 0.1` is 0.1%)."""

    model_config = ConfigDict(extra="forbid")

    symbol: StrictStr = Field(min_length=1, max_length=40)
    venue: StrictStr | None = Field(default=None, max_length=32)
    interval: StrictStr = Field("1h", description="1m, 5m, 15m, 30m, 1h, 4h, 1d or 1w.")
    start: StrictStr = Field(description="First day (YYYY-MM-DD) or ISO-8601 time, UTC.")
    end: StrictStr = Field(description="Last day (inclusive) or ISO-8601 time (exclusive).")
    strategy: StrictStr = Field(
        "sma_cross", description="sma_cross, fvg_retrace, order_block_retest or sweep_reversal."
    )
    params: dict[str, Any] = Field(default_factory=dict)
    cash: Number = "10000"
    commission_pct: Number = "0"
    slippage_pct: Number = "0"
    fill: StrictStr = Field("open", description="open (next bar's open) or close.")
    sizing: StrictStr = Field("equity", description="equity, units or risk.")
    size: Number | None = Field(None, description="% of equity, units, or % of equity risked.")
    whole_units: StrictBool = False
    stop: StrictStr = Field("none", description="none, percent, atr or level.")
    stop_value: Number = "0"
    target: StrictStr = Field("none", description="none, percent, atr or r.")
    target_value: Number = "0"


class RunPath(BaseModel):
    run_id: int = Field(ge=1, le=ID_MAX)


class RunSummary(BaseModel):
    id: int
    symbol: str
    venue: str
    interval: str
    strategy: str
    status: str
    progress: int
    message: str
    created_at: str


class RunList(BaseModel):
    runs: list[RunSummary]


class RunDetail(BaseModel):
    run: dict[str, Any]


class OptimisationBody(RunBody):
    """A grid search: `grid` gives a parameter several values (a list, `"5,10,20"` or the
    range `"5-30:5"`); parameters left out keep their `params` value. `windows` > 0 adds
    walk-forward windows with `train_pct` % in-sample."""

    grid: dict[str, StrictStr | list[StrictInt | StrictStr]] = Field(default_factory=dict)
    metric: StrictStr = Field("sharpe", description="The statistic that ranks the points.")
    windows: StrictInt = Field(0, ge=0, le=50)
    train_pct: Number = "70"


class OptimisationPath(BaseModel):
    optimisation_id: int = Field(ge=1, le=ID_MAX)


class OptimisationList(BaseModel):
    optimisations: list[dict[str, Any]]


class OptimisationDetail(BaseModel):
    optimisation: dict[str, Any]
