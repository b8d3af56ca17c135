"""Instruments, their rules and current prices, as the trading services need them."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from tradedeck.core.errors import DomainError
from tradedeck.core.orders import Costs, InstrumentRules
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, LastPrice, Venue


def find_instrument(symbol: object, venue: str | None = None) -> Instrument:
    """The tradable instrument called `symbol` (on `venue` when given), else DomainError."""
    if not isinstance(symbol, str) or not symbol.strip():
        raise DomainError("symbol is required", field="symbol", code="required")
    statement = select(Instrument).join(Venue).where(Instrument.symbol == symbol.strip().upper())
    if venue:
        statement = statement.where(Venue.code == venue.strip().upper())
    instrument = db.session.scalars(statement.order_by(Instrument.id)).first()
    if instrument is None:
        raise DomainError(f"unknown symbol {symbol!r}", field="symbol", code="not_found")
    if instrument.status != "active":
        raise DomainError(
            f"{instrument.symbol} is {instrument.status} and cannot be traded",
            field="symbol",
            code="not_tradable",
        )
    return instrument


def rules_of(instrument: Instrument) -> InstrumentRules:
    return InstrumentRules(tick_size=instrument.tick_size, lot_size=instrument.lot_size)


def costs() -> Costs:
    config = current_app.config["TRADEDECK"]
    return Costs(fee_bps=config.fee_bps, slippage_bps=config.slippage_bps)


def allow_short() -> bool:
    return bool(current_app.config["TRADEDECK"].allow_short)


def last_price(instrument_id: int) -> Decimal | None:
    return db.session.scalar(
        select(LastPrice.price).where(LastPrice.instrument_id == instrument_id)
    )


def require_price(instrument: Instrument) -> Decimal:
    price = last_price(instrument.id)
    if price is None or price <= 0:
        raise DomainError(
            f"no price for {instrument.symbol} yet; try again shortly",
            field="symbol",
            code="no_price",
        )
    return price
