"""Journal: named portfolios, one entry per trade (paper fills and manual logs), its tags.

Facts the analytics group by (entry weekday and hour, holding time, exit day) are stored on
the entry when it is written, so every breakdown is one portable GROUP BY on both databases.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradedeck.database import Money, TimestampMixin, UTCDateTime
from tradedeck.extensions import db


class Portfolio(TimestampMixin, db.Model):
    __tablename__ = "journal_portfolios"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    initial_balance: Mapped[Decimal] = mapped_column(Money())


class JournalEntry(TimestampMixin, db.Model):
    """A trade in the journal; `pnl` is null while it is open (a paper buy, a manual trade
    without an exit)."""

    __tablename__ = "journal_entries"
    __table_args__ = (Index("ix_journal_entries_user_id_entry_at", "user_id", "entry_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    portfolio_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_portfolios.id", ondelete="SET NULL"), nullable=True, index=True
    )
    trade_id: Mapped[int | None] = mapped_column(
        ForeignKey("trades.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    source: Mapped[str] = mapped_column(String(8))
    symbol: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(5))
    quantity: Mapped[Decimal] = mapped_column(Money())
    entry_price: Mapped[Decimal] = mapped_column(Money())
    stop_price: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    exit_price: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    entry_at: Mapped[datetime] = mapped_column(UTCDateTime())
    exit_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    pnl: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    r_multiple: Mapped[float | None] = mapped_column(Float, nullable=True)
    entry_weekday: Mapped[int] = mapped_column(Integer)
    entry_hour: Mapped[int] = mapped_column(Integer)
    holding_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    exit_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    setup: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(String(2000), default="")
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mistakes: Mapped[str] = mapped_column(String(300), default="")

    tags: Mapped[list[JournalTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="JournalTag.tag"
    )


class JournalTag(TimestampMixin, db.Model):
    __tablename__ = "journal_tags"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(30), primary_key=True)
