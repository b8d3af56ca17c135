"""Portfolio valuation (average-cost method), trade history and equity history."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import delete, select

from tradedeck.core import positions as core_positions
from tradedeck.core.money import exact, quantize_money
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Instrument, LastPrice
from tradedeck.trading import ledger
from tradedeck.trading.locking import lock_account
from tradedeck.trading.models import Account, EquitySnapshot, Position, Trade

log = logging.getLogger(__name__)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Holding:
    instrument: Instrument
    quantity: Decimal
    avg_price: Decimal
    cost_basis: Decimal
    market_price: Decimal | None
    market_value: Decimal
    unrealized_pnl: Decimal
    realized_pnl: Decimal
    day_change: Decimal


@dataclass(frozen=True)
class Portfolio:
    cash: Decimal
    available: Decimal
    equity: Decimal
    market_value: Decimal
    unrealized_pnl: Decimal
    realized_pnl: Decimal
    day_change: Decimal
    holdings: list[Holding]

    @property
    def open_holdings(self) -> list[Holding]:
        return [h for h in self.holdings if h.quantity != 0]


def _holding(row: Position, last: LastPrice | None) -> Holding:
    position = core_positions.Position(row.quantity, row.cost_basis, row.realized_pnl)
    price = last.price if last else None
    value = position.market_value(price) if price is not None else row.cost_basis
    day = ZERO
    if last is not None and last.previous_close is not None:
        with exact():
            day = quantize_money(row.quantity * (last.price - last.previous_close))
    return Holding(
        instrument=row.instrument,
        quantity=row.quantity,
        avg_price=position.avg_price,
        cost_basis=row.cost_basis,
        market_price=price,
        market_value=value,
        unrealized_pnl=value - row.cost_basis,
        realized_pnl=row.realized_pnl,
        day_change=day,
    )


def valuation(account: Account | None) -> Portfolio:
    """Cash, holdings at last prices, and totals; unpriced holdings count at cost."""
    if account is None:
        return Portfolio(ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, [])
    rows = db.session.execute(
        select(Position, LastPrice)
        .outerjoin(LastPrice, LastPrice.instrument_id == Position.instrument_id)
        .where(Position.account_id == account.id)
        .order_by(Position.id)
    ).all()
    holdings = [_holding(position, last) for position, last in rows]
    market_value = sum((h.market_value for h in holdings), ZERO)
    return Portfolio(
        cash=account.cash,
        available=ledger.available_cash(account),
        equity=account.cash + market_value,
        market_value=market_value,
        unrealized_pnl=sum((h.unrealized_pnl for h in holdings), ZERO),
        realized_pnl=sum((h.realized_pnl for h in holdings), ZERO),
        day_change=sum((h.day_change for h in holdings), ZERO),
        holdings=holdings,
    )


def portfolio_of(user_id: int) -> Portfolio:
    return valuation(ledger.find_account(user_id))


def trades_of(user_id: int, limit: int | None = 500) -> list[Trade]:
    account = ledger.find_account(user_id)
    if account is None:
        return []
    statement = select(Trade).where(Trade.account_id == account.id).order_by(Trade.id.desc())
    if limit:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


def sample_equity(now: datetime | None = None) -> int:
    """Worker job: one equity snapshot per account (the portfolio value chart); returns how
    many accounts were sampled.

    Each account is valued in its own transaction under its account lock, so an order
    filling meanwhile cannot be counted half (cash before the fill, the position after it),
    and one account that fails is logged and skipped instead of losing everyone's sample.
    The same transaction prunes that account's samples older than
    EQUITY_SAMPLE_RETENTION_DAYS.
    """
    now = now or utcnow()
    days = current_app.config["TRADEDECK"].equity_sample_retention_days
    cutoff = now - timedelta(days=days)
    user_ids = list(db.session.scalars(select(Account.user_id).order_by(Account.id)))
    db.session.commit()
    sampled = 0
    for user_id in user_ids:
        try:
            _sample_account(user_id, now, cutoff)
        except Exception:
            log.exception("equity of user %s could not be sampled", user_id)
            db.session.rollback()
        else:
            sampled += 1
    return sampled


def _sample_account(user_id: int, now: datetime, cutoff: datetime) -> None:
    account = lock_account(user_id)
    value = valuation(account)
    db.session.add(
        EquitySnapshot(account_id=account.id, time=now, cash=value.cash, equity=value.equity)
    )
    db.session.execute(
        delete(EquitySnapshot).where(
            EquitySnapshot.account_id == account.id, EquitySnapshot.time < cutoff
        )
    )
    db.session.commit()


def equity_history(user_id: int, days: int = 90) -> list[EquitySnapshot]:
    account = ledger.find_account(user_id)
    if account is None:
        return []
    since = utcnow() - timedelta(days=days)
    return list(
        db.session.scalars(
            select(EquitySnapshot)
            .where(EquitySnapshot.account_id == account.id, EquitySnapshot.time >= since)
            .order_by(EquitySnapshot.time)
        )
    )


def sample_interval() -> float:
    return float(current_app.config["TRADEDECK"].equity_sample_secs)
