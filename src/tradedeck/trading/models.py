"""Paper-trading books: cash account and ledger, orders, fills, positions, equity history.

The `accounts` row is the lock every money-moving transaction takes first, so concurrent
orders, cancels and withdrawals on one account run one after another. Its `cash` always equals
the sum of its ledger rows; `trades.order_id` is unique, so an order can never fill twice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradedeck.database import Money, TimestampMixin, UTCDateTime, utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Instrument

LEDGER_TYPES = ("deposit", "withdrawal", "buy", "sell", "fee")


class Account(TimestampMixin, db.Model):
    """One cash account per user; the row every trading transaction locks first."""

    __tablename__ = "trading_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    currency: Mapped[str] = mapped_column(String(12), default="USD")
    cash: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))


class CashTransaction(TimestampMixin, db.Model):
    """A ledger row: signed amount (+ in, - out) and the balance right after it."""

    __tablename__ = "cash_transactions"
    __table_args__ = (Index("ix_cash_transactions_account_id_id", "account_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("trading_accounts.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(12))
    amount: Mapped[Decimal] = mapped_column(Money())
    balance_after: Mapped[Decimal] = mapped_column(Money())
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), nullable=True
    )
    note: Mapped[str] = mapped_column(String(120), default="")


class Order(TimestampMixin, db.Model):
    """An order and its life: status with the time of each transition."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("user_id", "client_order_id"),
        Index("ix_orders_status_instrument_id", "status", "instrument_id"),
        Index("ix_orders_account_id_status", "account_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("trading_accounts.id", ondelete="CASCADE"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    client_order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    side: Mapped[str] = mapped_column(String(4))
    type: Mapped[str] = mapped_column(String(10))
    time_in_force: Mapped[str] = mapped_column(String(4), default="day")
    quantity: Mapped[Decimal] = mapped_column(Money())
    limit_price: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    stop_price: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    status: Mapped[str] = mapped_column(String(10))
    triggered: Mapped[bool] = mapped_column(Boolean, default=False)
    reserved_cash: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    reserved_quantity: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    fill_price: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    fee: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    reject_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    instrument: Mapped[Instrument] = relationship(lazy="joined")


class Trade(TimestampMixin, db.Model):
    """A fill. One per order at most (all-or-nothing fills), enforced by the unique key."""

    __tablename__ = "trades"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("trading_accounts.id", ondelete="CASCADE"), index=True
    )
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[Decimal] = mapped_column(Money())
    price: Mapped[Decimal] = mapped_column(Money())
    notional: Mapped[Decimal] = mapped_column(Money())
    fee: Mapped[Decimal] = mapped_column(Money())
    realized_pnl: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    executed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    instrument: Mapped[Instrument] = relationship(lazy="joined")


class Position(TimestampMixin, db.Model):
    """Average-cost holding: quantity, cost basis (incl. opening fees) and realized P&L."""

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("account_id", "instrument_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("trading_accounts.id", ondelete="CASCADE"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    quantity: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    cost_basis: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    realized_pnl: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))

    instrument: Mapped[Instrument] = relationship(lazy="joined")


class EquitySnapshot(TimestampMixin, db.Model):
    """Account value at one moment, sampled by the worker for the portfolio chart."""

    __tablename__ = "equity_snapshots"
    __table_args__ = (Index("ix_equity_snapshots_account_id_time", "account_id", "time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("trading_accounts.id", ondelete="CASCADE"))
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    cash: Mapped[Decimal] = mapped_column(Money())
    equity: Mapped[Decimal] = mapped_column(Money())
