"""Alert use cases: rules and channels per user, notifying (in-app + queued deliveries),
and the bell's queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import apprise
from sqlalchemy import func, select, update

from tradedeck.alerts.models import (
    RULE_KINDS,
    URL_MAX,
    AlertRule,
    Channel,
    Delivery,
    Notification,
)
from tradedeck.charts.models import ChartDrawing
from tradedeck.core.errors import DomainError
from tradedeck.extensions import db
from tradedeck.market.catalogue import get_instrument
from tradedeck.signals.models import Watchlist
from tradedeck.signals.scanner import dialect_insert

MAX_RULES = 200
MAX_CHANNELS = 10
PAGE_MAX = 200


class AlertError(DomainError):
    def __init__(self, message: str, field: str, status: int = 400) -> None:
        code = {404: "not_found", 409: "limit_reached"}.get(status, "invalid")
        super().__init__(message, field=field, code=code, status=status)


@dataclass(frozen=True)
class RuleSpec:
    """What a rule watches; which fields are needed depends on `kind`."""

    kind: str
    name: str
    symbol: str | None = None
    venue: str | None = None
    level: Decimal | None = None
    drawing_id: int | None = None
    watchlist_id: int | None = None
    threshold: Decimal | None = None


def _need(value: object, field: str, kind: str) -> None:
    if value is None:
        raise AlertError(f"A {kind} rule needs {field}.", field)


def create_rule(user_id: int, spec: RuleSpec) -> AlertRule:
    """Validate and store a rule (404 on an unknown symbol, drawing or watchlist)."""
    if spec.kind not in RULE_KINDS:
        raise AlertError(f"Unknown rule kind; choose from {', '.join(RULE_KINDS)}.", "kind")
    name = spec.name.strip()
    if not name:
        raise AlertError("Give the rule a name.", "name")
    count = db.session.scalar(select(func.count(AlertRule.id)).where(AlertRule.user_id == user_id))
    if (count or 0) >= MAX_RULES:
        raise AlertError(f"At most {MAX_RULES} alert rules.", "name", 409)
    rule = AlertRule(user_id=user_id, kind=spec.kind, name=name)
    if spec.kind == "price_cross":
        _need(spec.symbol, "symbol", spec.kind)
        _need(spec.level, "level", spec.kind)
        rule.instrument_id = get_instrument(spec.symbol or "", spec.venue).id
        rule.level = spec.level
    elif spec.kind == "line_cross":
        _need(spec.drawing_id, "drawing_id", spec.kind)
        drawing = db.session.get(ChartDrawing, spec.drawing_id)
        if drawing is None or drawing.user_id != user_id:
            raise AlertError(f"No drawing {spec.drawing_id}.", "drawing_id", 404)
        rule.drawing_id = drawing.id
        rule.instrument_id = get_instrument(drawing.symbol, drawing.venue).id
    elif spec.kind == "pattern" and spec.watchlist_id is not None:
        watchlist = db.session.get(Watchlist, spec.watchlist_id)
        if watchlist is None or watchlist.user_id != user_id:
            raise AlertError(f"No watchlist {spec.watchlist_id}.", "watchlist_id", 404)
        rule.watchlist_id = watchlist.id
    elif spec.kind in ("signal_score", "cash_below"):
        _need(spec.threshold, "threshold", spec.kind)
        rule.threshold = spec.threshold
    db.session.add(rule)
    db.session.commit()
    return rule


def list_rules(user_id: int) -> list[AlertRule]:
    stmt = select(AlertRule).where(AlertRule.user_id == user_id).order_by(AlertRule.id)
    return list(db.session.scalars(stmt))


def _owned_rule(user_id: int, rule_id: int) -> AlertRule:
    rule = db.session.get(AlertRule, rule_id)
    if rule is None or rule.user_id != user_id:
        raise AlertError(f"No alert rule {rule_id}.", "rule_id", 404)
    return rule


def set_rule_enabled(user_id: int, rule_id: int, enabled: bool) -> AlertRule:
    rule = _owned_rule(user_id, rule_id)
    rule.enabled = enabled
    db.session.commit()
    return rule


def delete_rule(user_id: int, rule_id: int) -> None:
    db.session.delete(_owned_rule(user_id, rule_id))
    db.session.commit()


# --- channels ---------------------------------------------------------------------------


def check_url(url: str) -> str:
    """An apprise URL apprise can parse (its scheme names the service)."""
    url = url.strip()
    if len(url) > URL_MAX:
        raise AlertError(f"At most {URL_MAX} characters.", "url")
    if not url or apprise.Apprise.instantiate(url) is None:
        raise AlertError(
            "Not a notification URL apprise knows (e.g. ntfy://host/topic, json://host/path,"
            " mailto://user:pass@host, tgram://token/chat, discord://id/token,"
            " slack://a/b/c).",
            "url",
        )
    return url


def _minute(value: int | None, field: str) -> int | None:
    if value is not None and not 0 <= value < 1440:
        raise AlertError("Quiet hours are minutes of the day, 0 to 1439 (UTC).", field)
    return value


def create_channel(
    user_id: int,
    name: str,
    url: str,
    quiet_start: int | None = None,
    quiet_end: int | None = None,
    max_per_hour: int = 30,
) -> Channel:
    name = name.strip()
    if not name:
        raise AlertError("Give the channel a name.", "name")
    if (quiet_start is None) != (quiet_end is None):
        raise AlertError("Give both ends of the quiet hours, or neither.", "quiet_end")
    if not 1 <= max_per_hour <= 3600:
        raise AlertError("Between 1 and 3600 messages per hour.", "max_per_hour")
    count = db.session.scalar(select(func.count(Channel.id)).where(Channel.user_id == user_id))
    if (count or 0) >= MAX_CHANNELS:
        raise AlertError(f"At most {MAX_CHANNELS} channels.", "name", 409)
    channel = Channel(
        user_id=user_id,
        name=name,
        url=check_url(url),
        quiet_start=_minute(quiet_start, "quiet_start"),
        quiet_end=_minute(quiet_end, "quiet_end"),
        max_per_hour=max_per_hour,
    )
    db.session.add(channel)
    db.session.commit()
    return channel


def list_channels(user_id: int) -> list[Channel]:
    stmt = select(Channel).where(Channel.user_id == user_id).order_by(Channel.id)
    return list(db.session.scalars(stmt))


def owned_channel(user_id: int, channel_id: int) -> Channel:
    channel = db.session.get(Channel, channel_id)
    if channel is None or channel.user_id != user_id:
        raise AlertError(f"No channel {channel_id}.", "channel_id", 404)
    return channel


def delete_channel(user_id: int, channel_id: int) -> None:
    db.session.delete(owned_channel(user_id, channel_id))
    db.session.commit()


def masked(url: str) -> str:
    """The URL as pages show it: scheme and host, secrets (tokens, passwords) hidden."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "…"
    host = rest.split("@")[-1].split("/")[0].split("?")[0]
    return f"{scheme}://{host}/…"


# --- notifying --------------------------------------------------------------------------


def notify(
    user_id: int,
    key: str,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    rule_id: int | None = None,
) -> Notification | None:
    """Store an in-app notification once per (user, key) and queue a delivery to each of the
    user's enabled channels; None when that key was notified before. The caller commits."""
    now = datetime.now(UTC)
    row = {
        "user_id": user_id,
        "rule_id": rule_id,
        "key": key[:120],
        "kind": kind,
        "title": title[:200],
        "body": body,
        "url": url[:500],
        "created_at": now,
        "updated_at": now,
    }
    stmt = (
        dialect_insert()(Notification.__table__)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(Notification.__table__.c.id)
    )
    new_id = db.session.execute(stmt, row).scalar()
    if new_id is None:
        return None
    channels = db.session.scalars(
        select(Channel.id).where(Channel.user_id == user_id, Channel.enabled.is_(True))
    )
    for channel_id in channels:
        db.session.add(Delivery(notification_id=new_id, channel_id=channel_id, next_attempt_at=now))
    if rule_id is not None:
        db.session.execute(
            update(AlertRule).where(AlertRule.id == rule_id).values(last_fired_at=now)
        )
    return db.session.get(Notification, new_id)


def notifications(user_id: int, limit: int = 50, after_id: int = 0) -> list[Notification]:
    """Newest first; with `after_id`, only newer ones (the stream's catch-up)."""
    stmt = select(Notification).where(Notification.user_id == user_id)
    if after_id:
        stmt = stmt.where(Notification.id > after_id)
    stmt = stmt.order_by(Notification.id.desc()).limit(min(limit, PAGE_MAX))
    return list(db.session.scalars(stmt))


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def latest_id(user_id: int) -> int:
    return (
        db.session.scalar(select(func.max(Notification.id)).where(Notification.user_id == user_id))
        or 0
    )


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one notification (or all of them) read; returns how many changed."""
    stmt = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    changed = db.session.execute(stmt.values(read_at=datetime.now(UTC))).rowcount or 0
    db.session.commit()
    return changed


def delivery_log(user_id: int, limit: int = 100) -> list[Delivery]:
    stmt = (
        select(Delivery)
        .join(Channel, Delivery.channel_id == Channel.id)
        .where(Channel.user_id == user_id)
        .order_by(Delivery.id.desc())
        .limit(min(limit, PAGE_MAX))
    )
    return list(db.session.scalars(stmt))
