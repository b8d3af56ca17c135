"""Alert rules, in-app notifications, delivery channels (apprise URLs) and the delivery log."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradedeck.database import Money, TimestampMixin, UTCDateTime
from tradedeck.extensions import db
from tradedeck.market.models import Instrument
from tradedeck.sealed import seal, unseal

URL_PURPOSE = "notification-channel-url"
URL_MAX = 600  # sealed (Fernet, base64) it must fit the 1,000-character column
RULE_KINDS = ("price_cross", "line_cross", "pattern", "signal_score", "order_filled", "cash_below")


class AlertRule(TimestampMixin, db.Model):
    """One user rule. Which columns matter depends on `kind`:

    price_cross: instrument + level; line_cross: a chart drawing (its line's level at the
    tick's time); pattern: optional watchlist (else any watched symbol); signal_score and
    cash_below: threshold; order_filled: nothing. `last_side` (-1 below / +1 above) is the
    side of the level at the last fire, `armed` re-arms threshold rules once they recover.
    """

    __tablename__ = "alert_rules"
    __table_args__ = (Index("ix_alert_rules_kind_enabled", "kind", "enabled"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(60))
    instrument_id: Mapped[int | None] = mapped_column(
        ForeignKey("instruments.id", ondelete="CASCADE"), nullable=True
    )
    level: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    drawing_id: Mapped[int | None] = mapped_column(
        ForeignKey("chart_drawings.id", ondelete="CASCADE"), nullable=True
    )
    watchlist_id: Mapped[int | None] = mapped_column(
        ForeignKey("watchlists.id", ondelete="CASCADE"), nullable=True
    )
    threshold: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_side: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    armed: Mapped[bool] = mapped_column(Boolean, default=True)
    last_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    instrument: Mapped[Instrument | None] = relationship(lazy="joined")


class Notification(TimestampMixin, db.Model):
    """An in-app notification (the bell); `key` makes each event notify a user once."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notifications_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="SET NULL"), nullable=True
    )
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Channel(TimestampMixin, db.Model):
    """A user's delivery channel: any apprise URL (ntfy://, json://, mailto://, tgram://,
    discord://, slack:// …) with its quiet hours (UTC minutes of the day) and rate limit."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    url_sealed: Mapped[str] = mapped_column("url", String(1000))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    quiet_start: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    quiet_end: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    max_per_hour: Mapped[int] = mapped_column(Integer, default=30)

    @property
    def url(self) -> str:
        """The apprise URL; stored sealed, since it often carries a token or a password."""
        return unseal(self.url_sealed, URL_PURPOSE) or ""

    @url.setter
    def url(self, value: str) -> None:
        self.url_sealed = seal(value, URL_PURPOSE)


class Delivery(TimestampMixin, db.Model):
    """One notification to one channel: pending until sent, or failed after the last attempt."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel_id"),
        Index("ix_notification_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_notification_deliveries_channel_sent", "channel_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    notification: Mapped[Notification] = relationship(lazy="joined")
    channel: Mapped[Channel] = relationship(lazy="joined")
