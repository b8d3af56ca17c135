"""Pydantic request models of the trading API (they also feed the OpenAPI document).

Amounts arrive as decimal strings (or JSON numbers); the domain parses them strictly, so the
models only pin down the shape and leave the number rules to `core.money`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from tradedeck.api.paging import NEXT, PageQuery
from tradedeck.database import ID_MAX

# Any JSON value: `core.money.parse_decimal` accepts decimal strings and numbers and refuses
# the rest with an error naming the field (a pydantic union would blame `quantity.str`).
Number = Annotated[Any, Field(json_schema_extra={"type": "string", "example": "10"})]


class OrderBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    symbol: StrictStr = Field(min_length=1, max_length=40)
    side: StrictStr
    type: StrictStr = "market"
    quantity: Number
    limit_price: Number | None = None
    stop_price: Number | None = None
    time_in_force: StrictStr | None = Field(default=None, description="day (default) or gtc")
    client_order_id: StrictStr | None = Field(default=None, max_length=64)
    venue: StrictStr | None = Field(default=None, max_length=32)


class TradeBody(BaseModel):
    """Market-order shorthand of `POST /trade/buy|sell`."""

    model_config = ConfigDict(extra="forbid")

    symbol: StrictStr = Field(min_length=1, max_length=40)
    quantity: Number
    client_order_id: StrictStr | None = Field(default=None, max_length=64)
    venue: StrictStr | None = Field(default=None, max_length=32)


class AmountBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Number


class OrderPath(BaseModel):
    order_id: int = Field(ge=1, le=ID_MAX)


class TradeSide(BaseModel):
    side: StrictStr


class OrderList(BaseModel):
    orders: list[dict[str, Any]]
    next: str | None = NEXT


class TradeList(BaseModel):
    trades: list[dict[str, Any]]
    next: str | None = NEXT


class CashLedger(BaseModel):
    balance: str
    available: str = Field(description="Cash minus what working buy orders reserve")
    transactions: list[dict[str, Any]]
    next: str | None = NEXT


class OrdersQuery(PageQuery):
    status: str | None = Field(default=None, description="Comma-separated statuses")
    symbol: str | None = None
    side: str | None = None
