"""The admin dashboard's figures, each one SQL aggregate (no rows are loaded to be counted).

"Today" is the UTC day. A user is *active* when, in the last ACTIVE_MINUTES, they signed in,
placed an order or used an API key. The engine's rate is read from the ticks it wrote in the
last minute (one step writes one tick per open simulated instrument). Queue depth and failed
jobs come from huey (`dashboard_jobs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, distinct, func, literal, select, union
from sqlalchemy.sql.elements import ColumnClause

from tradedeck.accounts.models import ApiKey, User
from tradedeck.audit.models import LOGIN_SUCCESS, AccessLogEntry
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.market.models import Tick, Venue
from tradedeck.trading.models import Order, Trade
from tradedeck.venues import schedule
from tradedeck.worker.heartbeat import heartbeat_status

ACTIVE_MINUTES = 15
TICK_WINDOW_SECS = 60
SERIES_HOURS = 24
HOUR = 3_600


@dataclass(frozen=True)
class VenueState:
    code: str
    name: str
    is_open: bool
    next_open: datetime | None
    next_close: datetime | None
    emergency: bool


@dataclass(frozen=True)
class Stats:
    at: datetime
    users_total: int
    users_active: int
    users_today: int
    orders_today: int
    trades_today: int
    notional_today: Decimal
    venues: list[VenueState]
    worker: dict[str, Any]
    ticks_per_sec: float
    steps_per_min: int

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "users": {
                "total": self.users_total,
                "active": self.users_active,
                "signed_up_today": self.users_today,
            },
            "orders_today": self.orders_today,
            "trades_today": self.trades_today,
            "notional_today": str(self.notional_today),
            "venues": [
                {
                    "code": v.code,
                    "is_open": v.is_open,
                    "next_open": v.next_open.isoformat() if v.next_open else None,
                    "next_close": v.next_close.isoformat() if v.next_close else None,
                    "emergency": v.emergency,
                }
                for v in self.venues
            ],
            "worker": self.worker,
            "engine": {"ticks_per_sec": self.ticks_per_sec, "steps_per_min": self.steps_per_min},
        }


def day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _active_ids(since: datetime) -> Any:
    """User ids that did something since `since`: a sign-in, an order, an API key use."""
    return union(
        select(User.id).where(User.last_login_at >= since),
        select(Order.user_id).where(Order.created_at >= since),
        select(ApiKey.user_id).where(ApiKey.last_used_at >= since),
    ).subquery()


def collect(now: datetime | None = None) -> Stats:
    now = now or utcnow()
    today = day_start(now)
    users_total, users_today = db.session.execute(
        select(
            func.count(User.id),
            func.coalesce(func.sum(case((User.created_at >= today, 1), else_=0)), 0),
        )
    ).one()
    active = _active_ids(now - timedelta(minutes=ACTIVE_MINUTES))
    users_active = db.session.scalar(select(func.count(distinct(active.c[0])))) or 0
    orders_today = db.session.scalar(select(func.count(Order.id)).where(Order.created_at >= today))
    trades_today, notional = db.session.execute(
        select(func.count(Trade.id), func.coalesce(func.sum(Trade.notional), 0)).where(
            Trade.executed_at >= today
        )
    ).one()
    window_ms = int((now.timestamp() - TICK_WINDOW_SECS) * 1000)
    ticks, steps = db.session.execute(
        select(func.count(Tick.id), func.count(distinct(Tick.time_ms))).where(
            Tick.time_ms >= window_ms
        )
    ).one()
    return Stats(
        at=now,
        users_total=users_total or 0,
        users_active=users_active,
        users_today=int(users_today or 0),
        orders_today=orders_today or 0,
        trades_today=trades_today or 0,
        notional_today=_money(notional),
        venues=venue_states(now),
        worker=heartbeat_status(now),
        ticks_per_sec=round((ticks or 0) / TICK_WINDOW_SECS, 2),
        steps_per_min=steps or 0,
    )


def _money(value: Any) -> Decimal:
    """SUM over a Money column comes back through the column type: a Decimal (or 0)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def venue_states(now: datetime) -> list[VenueState]:
    states = []
    for venue in db.session.scalars(select(Venue).order_by(Venue.code)):
        clock = schedule.clock(venue, now)
        states.append(
            VenueState(
                venue.code,
                venue.name,
                clock.is_open,
                clock.next_open,
                clock.next_close,
                clock.emergency,
            )
        )
    return states


def hour_bucket(column: Any) -> ColumnElement[int]:
    """The UTC epoch hour of a datetime column, in the database's own dialect."""
    if db.session.get_bind().dialect.name == "sqlite":
        seconds: Any = cast(func.strftime("%s", column), Integer)
    else:
        seconds = cast(func.floor(func.extract("epoch", column)), Integer)
    return (seconds // literal(HOUR)).label("hour")


def hourly_series(now: datetime | None = None, hours: int = SERIES_HOURS) -> dict[str, Any]:
    """Orders and active users per UTC hour over the last `hours` hours (zeros included),
    as chart points `{time: epoch s, value}`."""
    now = now or utcnow()
    first = int(now.timestamp()) // HOUR - hours + 1
    since = datetime.fromtimestamp(first * HOUR, now.tzinfo)
    order_hour = hour_bucket(Order.created_at)
    orders = dict(
        db.session.execute(
            select(order_hour, func.count(Order.id))
            .where(Order.created_at >= since)
            .group_by(order_hour)
        ).all()
    )
    activity = union(
        select(hour_bucket(Order.created_at), Order.user_id.label("user_id")).where(
            Order.created_at >= since
        ),
        select(
            hour_bucket(AccessLogEntry.created_at), AccessLogEntry.user_id.label("user_id")
        ).where(
            AccessLogEntry.created_at >= since,
            AccessLogEntry.event == LOGIN_SUCCESS,
            AccessLogEntry.user_id.is_not(None),
        ),
    ).subquery()
    hour_column: ColumnClause[Any] = activity.c.hour
    users = dict(
        db.session.execute(
            select(hour_column, func.count(distinct(activity.c.user_id))).group_by(hour_column)
        ).all()
    )
    hours_range = range(first, first + hours)
    return {
        "orders": [{"time": h * HOUR, "value": int(orders.get(h, 0))} for h in hours_range],
        "active_users": [{"time": h * HOUR, "value": int(users.get(h, 0))} for h in hours_range],
    }
