"""Instruments, their rules and current prices, as the trading services need them."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from tradedeck.core.orders import Costs, InstrumentRules
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, LastPrice


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
