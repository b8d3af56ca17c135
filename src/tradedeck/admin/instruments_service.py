"""Instrument administration: create and edit simulated stocks, halt/resume any instrument.

Every write validates its input first (a `DomainError` naming the field, nothing written),
then changes the rows and adds its audit row (`audit.services.record`) in one transaction:
a refused change leaves neither. Halting sets `Instrument.halted`; the order path refuses
new orders on a halted instrument (409 `halted`) and the matcher leaves its working orders
alone until it resumes. An exchange instrument has no simulation parameters to edit (its
provider owns them), so "disable" on it is the same halt flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from tradedeck.admin.common import Page, paginate
from tradedeck.audit import services as audit
from tradedeck.core.errors import DomainError
from tradedeck.core.money import is_multiple_of_step, parse_decimal
from tradedeck.database import ID_MAX
from tradedeck.extensions import db
from tradedeck.market import history
from tradedeck.market.models import Instrument, LastPrice, Venue

SYMBOL = re.compile(r"[A-Z][A-Z0-9.]{0,11}")
MAX_NAME = 120
MAX_PRICE = Decimal(1_000_000)
MAX_DRIFT = Decimal("0.05")
MAX_VOLATILITY = Decimal("0.5")
MAX_STEP = Decimal(1_000)
SIM_VENUE = "SIM"
AUDITED = ("symbol", "name", "tick_size", "lot_size", "min_qty", "sim_drift", "sim_volatility")
PAGE_SIZE = 50


@dataclass(frozen=True)
class StockInput:
    """Raw values from the form or the JSON body; `validate_stock` checks them."""

    name: object
    drift: object
    volatility: object
    tick_size: object
    lot_size: object
    symbol: object = None
    price: object = None


@dataclass(frozen=True)
class StockSpec:
    symbol: str
    name: str
    price: Decimal | None
    drift: Decimal
    volatility: Decimal
    tick_size: Decimal
    lot_size: Decimal


@dataclass(frozen=True)
class InstrumentRow:
    instrument: Instrument
    price: Decimal | None

    @property
    def simulated(self) -> bool:
        return self.instrument.venue.kind == "simulated"


def _bounded(value: object, field: str, low: Decimal, high: Decimal, **kw: Any) -> Decimal:
    number = parse_decimal(value, field=field, max_places=8, **kw)
    if not low <= number <= high:
        raise DomainError(
            f"{field} must be between {low} and {high}", field=field, code="out_of_range"
        )
    return number


def _name(value: object) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise DomainError("name is required", field="name", code="required")
    if len(name) > MAX_NAME:
        raise DomainError(f"name must be at most {MAX_NAME} characters", field="name")
    return name


def _symbol(value: object) -> str:
    symbol = value.strip().upper() if isinstance(value, str) else ""
    if not symbol:
        raise DomainError("symbol is required", field="symbol", code="required")
    if not SYMBOL.fullmatch(symbol):
        raise DomainError(
            "symbol must be 1-12 letters, digits or dots, starting with a letter",
            field="symbol",
        )
    return symbol


def validate_stock(data: StockInput, *, creating: bool) -> StockSpec:
    """Check every field in form order; the first problem raises, naming its field."""
    symbol = _symbol(data.symbol) if creating else ""
    name = _name(data.name)
    tick = _bounded(data.tick_size, "tick_size", Decimal("0.00000001"), MAX_STEP, positive=True)
    price = None
    if creating:
        price = _bounded(data.price, "price", tick, MAX_PRICE, positive=True)
        if not is_multiple_of_step(price, tick):
            raise DomainError(
                f"price must be a multiple of the tick size {tick}", field="price", code="tick"
            )
    drift = _bounded(data.drift, "drift", -MAX_DRIFT, MAX_DRIFT, allow_negative=True)
    vol = _bounded(data.volatility, "volatility", Decimal("0.0001"), MAX_VOLATILITY)
    lot = _bounded(data.lot_size, "lot_size", Decimal("0.00000001"), MAX_STEP, positive=True)
    return StockSpec(symbol, name, price, drift, vol, tick, lot)


def create_stock(data: StockInput) -> Instrument:
    """A new SIM stock with CANDLE_BACKFILL_DAYS of history and its price; audited, committed."""
    spec = validate_stock(data, creating=True)
    venue = db.session.scalar(select(Venue).where(Venue.code == SIM_VENUE))
    if venue is not None and db.session.scalar(
        select(Instrument.id).where(
            Instrument.venue_id == venue.id, Instrument.symbol == spec.symbol
        )
    ):
        raise DomainError(
            f"{spec.symbol} already exists on {SIM_VENUE}", field="symbol", code="taken", status=409
        )
    assert spec.price is not None
    instrument = history.create_simulated_instrument(
        spec.symbol,
        spec.name,
        spec.price,
        drift=spec.drift,
        volatility=spec.volatility,
        tick_size=spec.tick_size,
        lot_size=spec.lot_size,
    )
    after = audit.snapshot(instrument, *AUDITED) | {"price": str(spec.price)}
    audit.record("instrument.create", instrument, None, after)
    db.session.commit()
    return instrument


def get_instrument(instrument_id: int, *, for_update: bool = False) -> Instrument:
    """The instrument, or a 404 naming `id` (ids beyond the database's integers included)."""
    instrument = None
    if 1 <= instrument_id <= ID_MAX:
        statement = select(Instrument).where(Instrument.id == instrument_id)
        if for_update:
            statement = statement.with_for_update(of=Instrument)
        instrument = db.session.scalar(statement)
    if instrument is None:
        raise DomainError(
            f"instrument {instrument_id} not found", field="id", code="not_found", status=404
        )
    return instrument


def update_stock(instrument_id: int, data: StockInput) -> Instrument:
    """Rename a simulated stock or change its simulation and trading steps; audited."""
    instrument = get_instrument(instrument_id, for_update=True)
    if instrument.venue.kind != "simulated":
        raise DomainError(
            f"{instrument.symbol} is an {instrument.venue.kind} instrument: its provider sets "
            "its details; only enabling and disabling it is offered",
            field="id",
            code="not_simulated",
            status=409,
        )
    spec = validate_stock(data, creating=False)
    before = audit.snapshot(instrument, *AUDITED)
    instrument.name = spec.name
    instrument.sim_drift = spec.drift
    instrument.sim_volatility = spec.volatility
    instrument.tick_size = spec.tick_size
    instrument.lot_size = spec.lot_size
    instrument.min_qty = spec.lot_size
    db.session.flush()
    after = audit.snapshot(instrument, *AUDITED)
    if after != before:
        audit.record("instrument.update", instrument, before, after)
    db.session.commit()
    return instrument


def set_halted(instrument_id: int, halted: bool) -> Instrument:
    """Halt (or resume) trading in one instrument; a no-op change writes no audit row."""
    instrument = get_instrument(instrument_id, for_update=True)
    if instrument.halted != halted:
        instrument.halted = halted
        action = "instrument.halt" if halted else "instrument.resume"
        audit.record(action, instrument, {"halted": not halted}, {"halted": halted})
    db.session.commit()
    return instrument


def list_instruments(q: str = "", venue: str = "", page: int = 1) -> Page[InstrumentRow]:
    """One page of instruments (symbol/name filter, venue filter) with last prices."""
    statement = select(Instrument, LastPrice.price).join(Instrument.venue)
    statement = statement.outerjoin(LastPrice, LastPrice.instrument_id == Instrument.id)
    if venue:
        statement = statement.where(Venue.code == venue.strip().upper())
    text = q.strip().lower()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(
            func.lower(Instrument.symbol).like(pattern, escape="\\")
            | func.lower(Instrument.name).like(pattern, escape="\\")
        )
    found = paginate(
        statement.order_by(Venue.code, Instrument.symbol), page, PAGE_SIZE, scalars=False
    )
    rows = [InstrumentRow(instrument, price) for instrument, price in found.rows]
    return Page(rows, found.page, found.per_page, found.total)


def plain(value: Decimal | None) -> str | None:
    """`100`, `0.0002`: a Decimal without trailing zeros or exponent (None stays None)."""
    return None if value is None else format(value.normalize(), "f")


def instrument_json(instrument: Instrument, price: Decimal | None = None) -> dict[str, Any]:
    """The admin API's view of an instrument (decimal strings)."""

    return {
        "id": instrument.id,
        "symbol": instrument.symbol,
        "venue": instrument.venue.code,
        "venue_kind": instrument.venue.kind,
        "name": instrument.name,
        "status": instrument.status,
        "halted": instrument.halted,
        "tick_size": plain(instrument.tick_size),
        "lot_size": plain(instrument.lot_size),
        "drift": plain(instrument.sim_drift),
        "volatility": plain(instrument.sim_volatility),
        "price": plain(price),
    }
