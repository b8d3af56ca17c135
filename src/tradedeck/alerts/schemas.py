"""Request and response models of the alerts, notifications and channels API."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from tradedeck.alerts.models import URL_MAX, AlertRule, Channel, Delivery, Notification
from tradedeck.alerts.services import masked
from tradedeck.api.schemas import QueryModel
from tradedeck.database import ID_MAX

MAX_AMOUNT = Decimal("1e10")
"""Levels and thresholds stay below this: a money column on SQLite holds 1e-8 units in 63 bits."""
_ID = Field(ge=1, le=ID_MAX)
_OPTIONAL_ID = Field(default=None, ge=1, le=ID_MAX)
RuleKind = Literal[
    "price_cross", "line_cross", "pattern", "signal_score", "order_filled", "cash_below"
]


class AlertRuleIn(BaseModel):
    kind: RuleKind
    name: str = Field(min_length=1, max_length=60)
    symbol: str | None = Field(default=None, min_length=1, max_length=60)
    venue: str | None = Field(default=None, min_length=1, max_length=32)
    level: Decimal | None = Field(default=None, gt=0, lt=MAX_AMOUNT, decimal_places=8)
    drawing_id: int | None = _OPTIONAL_ID
    watchlist_id: int | None = _OPTIONAL_ID
    threshold: Decimal | None = Field(default=None, ge=0, lt=MAX_AMOUNT, decimal_places=8)


class AlertRulePatch(BaseModel):
    enabled: bool


class AlertRulePath(BaseModel):
    rule_id: int = _ID


class AlertRuleOut(BaseModel):
    id: int
    kind: str
    name: str
    enabled: bool
    symbol: str | None
    venue: str | None
    level: str | None
    drawing_id: int | None
    watchlist_id: int | None
    threshold: str | None
    last_fired_at: str | None

    @classmethod
    def of(cls, r: AlertRule) -> AlertRuleOut:
        return cls(
            id=r.id,
            kind=r.kind,
            name=r.name,
            enabled=r.enabled,
            symbol=r.instrument.symbol if r.instrument else None,
            venue=r.instrument.venue.code if r.instrument else None,
            level=None if r.level is None else str(r.level),
            drawing_id=r.drawing_id,
            watchlist_id=r.watchlist_id,
            threshold=None if r.threshold is None else str(r.threshold),
            last_fired_at=r.last_fired_at.isoformat() if r.last_fired_at else None,
        )


class AlertRuleList(BaseModel):
    rules: list[AlertRuleOut]


class NotificationQuery(QueryModel):
    limit: int = Field(default=50, ge=1, le=200)
    after: int = Field(default=0, ge=0, le=ID_MAX)


class NotificationStreamQuery(QueryModel):
    after: int | None = Field(default=None, ge=0, le=ID_MAX)


class NotificationPath(BaseModel):
    notification_id: int = _ID


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    url: str
    read: bool
    created_at: str

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(
            id=n.id,
            kind=n.kind,
            title=n.title,
            body=n.body,
            url=n.url,
            read=n.read_at is not None,
            created_at=n.created_at.isoformat(),
        )


class NotificationList(BaseModel):
    unread: int
    notifications: list[NotificationOut]


class NotificationsMarked(BaseModel):
    marked: int
    unread: int


class ChannelIn(BaseModel):
    name: str = Field(min_length=1, max_length=60)
    url: str = Field(min_length=3, max_length=URL_MAX, description="An apprise URL.")
    quiet_start: int | None = Field(default=None, ge=0, le=1439, description="UTC minute.")
    quiet_end: int | None = Field(default=None, ge=0, le=1439, description="UTC minute.")
    max_per_hour: int = Field(default=30, ge=1, le=3600)


class ChannelPath(BaseModel):
    channel_id: int = _ID


class ChannelOut(BaseModel):
    id: int
    name: str
    url: str = Field(description="Masked: scheme and host only.")
    enabled: bool
    quiet_start: int | None
    quiet_end: int | None
    max_per_hour: int

    @classmethod
    def of(cls, c: Channel) -> ChannelOut:
        return cls(
            id=c.id,
            name=c.name,
            url=masked(c.url),
            enabled=c.enabled,
            quiet_start=c.quiet_start,
            quiet_end=c.quiet_end,
            max_per_hour=c.max_per_hour,
        )


class ChannelList(BaseModel):
    channels: list[ChannelOut]


class ChannelTestResult(BaseModel):
    ok: bool
    error: str


class DeliveryOut(BaseModel):
    id: int
    channel: str
    title: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: str | None
    sent_at: str | None

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(
            id=d.id,
            channel=d.channel.name,
            title=d.notification.title,
            status=d.status,
            attempts=d.attempts,
            last_error=d.last_error,
            next_attempt_at=d.next_attempt_at.isoformat() if d.status == "pending" else None,
            sent_at=d.sent_at.isoformat() if d.sent_at else None,
        )


class DeliveryList(BaseModel):
    deliveries: list[DeliveryOut]
