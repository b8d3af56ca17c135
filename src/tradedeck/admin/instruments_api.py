"""`/api/v1/admin/instruments`: list, create a simulated stock, edit it, halt and resume.

Numbers are decimal strings (numbers are accepted); the service validates them and a bad
one is a 400 naming its field. Every write is audited in its own transaction.
"""

from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from tradedeck.admin import instruments_service as service
from tradedeck.api.auth import admin_only
from tradedeck.api.errors import ErrorBody
from tradedeck.market.store import last_price

ADMIN_TAGS = [Tag(name="admin", description="Admin console (admins only)")]
ADMIN_ERRORS = {code: ErrorBody for code in ("400", "401", "403", "404", "409")}
bp = APIBlueprint(
    "admin_instruments_api",
    __name__,
    url_prefix="/api/v1/admin",
    abp_tags=ADMIN_TAGS,
    abp_responses=ADMIN_ERRORS,
)
Number = str | int | float | None


class InstrumentQuery(BaseModel):
    q: str = Field(default="", max_length=80)
    venue: str = Field(default="", max_length=32)
    page: int = Field(default=1, ge=1, le=100_000)


class InstrumentPath(BaseModel):
    instrument_id: int


class StockEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    drift: Number = Field(default=None, description="daily drift, -0.05 to 0.05")
    volatility: Number = Field(default=None, description="daily volatility, 0.0001 to 0.5")
    tick_size: Number = None
    lot_size: Number = None

    def stock_input(self) -> service.StockInput:
        return service.StockInput(
            name=self.name,
            drift=self.drift,
            volatility=self.volatility,
            tick_size=self.tick_size,
            lot_size=self.lot_size,
        )


class StockCreate(StockEdit):
    symbol: str | None = Field(default=None, max_length=40)
    price: Number = Field(default=None, description="start price, a multiple of tick_size")

    def stock_input(self) -> service.StockInput:
        base = super().stock_input()
        return service.StockInput(**{**base.__dict__, "symbol": self.symbol, "price": self.price})


class AdminInstrumentOut(BaseModel):
    id: int
    symbol: str
    venue: str
    venue_kind: str
    name: str
    status: str
    halted: bool
    tick_size: str | None
    lot_size: str | None
    drift: str | None
    volatility: str | None
    price: str | None


class AdminInstrumentList(BaseModel):
    instruments: list[AdminInstrumentOut]
    total: int
    page: int


def _answer(instrument_id: int, status: int = 200) -> tuple[Response, int]:
    instrument = service.get_instrument(instrument_id)
    return jsonify(service.instrument_json(instrument, last_price(instrument.id))), status


@bp.get("/instruments", responses={"200": AdminInstrumentList})
@admin_only
def list_instruments(query: InstrumentQuery) -> Response:
    """Instruments of every venue with last price and halt flag, 50 a page."""
    found = service.list_instruments(query.q, query.venue, query.page)
    items = [service.instrument_json(r.instrument, r.price) for r in found.rows]
    return jsonify({"instruments": items, "total": found.total, "page": found.page})


@bp.post("/instruments", responses={"201": AdminInstrumentOut})
@admin_only
def create_instrument(body: StockCreate) -> tuple[Response, int]:
    """Create a simulated SIM stock with CANDLE_BACKFILL_DAYS of generated history."""
    instrument = service.create_stock(body.stock_input())
    return _answer(instrument.id, 201)


@bp.patch("/instruments/<int:instrument_id>", responses={"200": AdminInstrumentOut})
@admin_only
def edit_instrument(path: InstrumentPath, body: StockEdit) -> tuple[Response, int]:
    """Change a simulated stock's name, drift, volatility, tick or lot size."""
    service.update_stock(path.instrument_id, body.stock_input())
    return _answer(path.instrument_id)


@bp.post("/instruments/<int:instrument_id>/halt", responses={"200": AdminInstrumentOut})
@admin_only
def halt_instrument(path: InstrumentPath) -> tuple[Response, int]:
    """Halt trading (an exchange instrument: disable it): new orders get 409 `halted`."""
    service.set_halted(path.instrument_id, True)
    return _answer(path.instrument_id)


@bp.post("/instruments/<int:instrument_id>/resume", responses={"200": AdminInstrumentOut})
@admin_only
def resume_instrument(path: InstrumentPath) -> tuple[Response, int]:
    """Resume trading (enable an exchange instrument)."""
    service.set_halted(path.instrument_id, False)
    return _answer(path.instrument_id)
