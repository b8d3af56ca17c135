"""TradingView access tables: the session, registered scripts, username links, grants,
the access-operation log and bulk jobs.

Grants mirror what TradeDeck asked TradingView for and what list_users confirmed; the
TradingView username is kept on the grant by value so a removal still names the right person
after the link changes. `expires_at` None means lifetime access.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradedeck.database import TimestampMixin, UTCDateTime
from tradedeck.extensions import db


class TradingViewSession(TimestampMixin, db.Model):
    """The one TradingView account session (row id 1); cookies only ever stored encrypted."""

    __tablename__ = "tradingview_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cookies_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    mode: Mapped[str] = mapped_column(String(16), default="cookie")
    account: Mapped[str] = mapped_column(String(64), default="")
    set_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    set_by: Mapped[str] = mapped_column(String(64), default="")
    probed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    valid: Mapped[bool] = mapped_column(Boolean, default=False)
    problem: Mapped[str] = mapped_column(String(300), default="")
    signin_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    pending_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Pre-auth cookies of a sign-in waiting for its TOTP code (encrypted)."""


class PineScript(TimestampMixin, db.Model):
    __tablename__ = "tradingview_scripts"

    id: Mapped[int] = mapped_column(primary_key=True)
    pine_id: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")

    grants: Mapped[list[AccessGrant]] = relationship(
        back_populates="script", cascade="all, delete-orphan", passive_deletes=True
    )


class TradingViewLink(TimestampMixin, db.Model):
    """A TradeDeck user's TradingView username (canonical case); one account per username."""

    __tablename__ = "tradingview_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    username: Mapped[str] = mapped_column(String(64))
    username_key: Mapped[str] = mapped_column(String(64), unique=True)


class AccessGrant(TimestampMixin, db.Model):
    __tablename__ = "tradingview_grants"
    __table_args__ = (UniqueConstraint("user_id", "script_id", name="uq_tradingview_grants_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    script_id: Mapped[int] = mapped_column(
        ForeignKey("tradingview_scripts.id", ondelete="CASCADE"), index=True
    )
    tv_username: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    script: Mapped[PineScript] = relationship(back_populates="grants")

    @property
    def lifetime(self) -> bool:
        return self.expires_at is None


class AccessOperation(TimestampMixin, db.Model):
    """One access operation: who, what, for whom on which script, the result, TradingView's
    answer. Kept by value so it reads right after users, links or scripts are gone."""

    __tablename__ = "tradingview_operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    tv_username: Mapped[str] = mapped_column(String(64), default="")
    pine_id: Mapped[str] = mapped_column(String(80), default="")
    result: Mapped[str] = mapped_column(String(24))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answer: Mapped[str] = mapped_column(String(1000), default="")
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class BulkJob(TimestampMixin, db.Model):
    """A bulk grant/remove of N users by M scripts run by the queue; `report` has one entry
    per item with its result."""

    __tablename__ = "tradingview_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    duration: Mapped[str] = mapped_column(String(16), default="")
    user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    script_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    stopped_reason: Mapped[str] = mapped_column(String(300), default="")
