"""Evaluating alert rules: level and line crosses on every tick, and the event-driven rules.

Cross rules (price levels and chart lines) live in NumPy arrays per process, reloaded when a
rule or drawing changes (an aggregate query, at most every VERSION_CHECK_SECS). A tick costs a
lookup of each rule's instrument price and a vectorised side comparison, so thousands of
rules cost microseconds; only rules that crossed touch the database. A rule fires when the
price moves from one side of its level to the other; the first price seen after a (re)load
only sets the side, except that the side of the last fire is remembered in the row.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from flask import Flask, current_app
from sqlalchemy import func, select

from tradedeck.alerts import services
from tradedeck.alerts.models import AlertRule
from tradedeck.charts.models import ChartDrawing
from tradedeck.extensions import db
from tradedeck.signals.api import chart_path
from tradedeck.signals.models import Pattern, Signal
from tradedeck.signals.scanner import kind_label
from tradedeck.signals.services import display_price as price
from tradedeck.signals.services import watchers

log = logging.getLogger(__name__)
CROSS_KEY = "tradedeck.alerts.cross_rules"
CROSS_KINDS = ("price_cross", "line_cross")
VERSION_CHECK_SECS = 5.0
FILLS_KEY = "tradedeck.alerts.fills_checked_at"
FILL_LOOKBACK = timedelta(minutes=10)
"""A worker's first pass notifies the fills of this long ago it may have missed."""
FILL_OVERLAP = timedelta(seconds=30)
FILL_CHECK_SECS = 2
"""New, changed or deleted cross rules and drawings take effect within this many seconds."""


@dataclass
class CrossRules:
    """Columns of the enabled cross rules: level at time t is `level + slope * (t - t0)`."""

    version: tuple[Any, ...] = ()
    checked_at: float = 0.0
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    users: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    instruments: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    level: np.ndarray = field(default_factory=lambda: np.zeros(0))
    slope: np.ndarray = field(default_factory=lambda: np.zeros(0))
    t0: np.ndarray = field(default_factory=lambda: np.zeros(0))
    side: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))

    @classmethod
    def load(cls, version: tuple[Any, ...]) -> CrossRules:
        rows = db.session.execute(
            select(
                AlertRule.id,
                AlertRule.user_id,
                AlertRule.instrument_id,
                AlertRule.level,
                AlertRule.last_side,
                ChartDrawing.points,
            )
            .outerjoin(ChartDrawing, AlertRule.drawing_id == ChartDrawing.id)
            .where(AlertRule.kind.in_(CROSS_KINDS), AlertRule.enabled.is_(True))
            .order_by(AlertRule.id)
        ).all()
        n = len(rows)
        level, slope, t0 = np.zeros(n), np.zeros(n), np.zeros(n)
        for i, row in enumerate(rows):
            level[i], slope[i], t0[i] = _line(row.level, row.points)
        return cls(
            version=version,
            ids=np.array([r.id for r in rows], np.int64),
            users=np.array([r.user_id for r in rows], np.int64),
            instruments=np.array([r.instrument_id for r in rows], np.int64),
            level=level,
            slope=slope,
            t0=t0,
            side=np.array([r.last_side or 0 for r in rows], np.int8),
        )

    def crossed(self, prices: dict[int, float], at: float) -> np.ndarray:
        """Indexes of rules whose instrument's price is now on the other side of the level;
        updates the remembered sides."""
        if not self.ids.size or not prices:
            return np.zeros(0, np.int64)
        keys = np.fromiter(prices, np.int64, len(prices))
        values = np.fromiter(prices.values(), np.float64, len(prices))
        order = np.argsort(keys)
        keys, values = keys[order], values[order]
        slot = np.minimum(np.searchsorted(keys, self.instruments), keys.size - 1)
        ticked = keys[slot] == self.instruments
        level = self.level + self.slope * (at - self.t0)
        now = np.sign(values[slot] - level).astype(np.int8)
        moved = ticked & (now != 0)
        fired = moved & (self.side != 0) & (now != self.side)
        self.side = np.where(moved, now, self.side)
        return np.flatnonzero(fired)


def _line(
    level: Decimal | None, points: list[dict[str, float]] | None
) -> tuple[float, float, float]:
    """(level, slope per second, anchor time): a price level, a horizontal line or a trend
    line through its two points, extended both ways."""
    if not points:
        return float(level or 0), 0.0, 0.0
    if len(points) == 1:
        return float(points[0]["price"]), 0.0, 0.0
    (a, b) = sorted(points[:2], key=lambda p: p["time"])
    span = b["time"] - a["time"]
    slope = (b["price"] - a["price"]) / span if span else 0.0
    return float(a["price"]), slope, float(a["time"])


def _version() -> tuple[Any, ...]:
    rules = db.session.execute(
        select(func.count(AlertRule.id), func.max(AlertRule.updated_at)).where(
            AlertRule.kind.in_(CROSS_KINDS)
        )
    ).one()
    drawings = db.session.scalar(select(func.max(ChartDrawing.updated_at)))
    return (*rules, drawings)


def cross_rules(app: Flask) -> CrossRules:
    """This process's cross rules, reloaded when a rule or drawing changed (checked at most
    every VERSION_CHECK_SECS: the check is an aggregate over the rules table)."""
    current: CrossRules | None = app.extensions.get(CROSS_KEY)
    now = time.monotonic()
    if current is not None and now - current.checked_at < VERSION_CHECK_SECS:
        return current
    version = _version()
    if current is None or current.version != version:
        current = app.extensions[CROSS_KEY] = CrossRules.load(version)
    current.checked_at = now
    return current


def on_ticks(app: Flask, ticks: list[Any]) -> None:
    """`market.tick` receiver: fire the level and line rules the prices crossed."""
    rules = cross_rules(app)
    if not rules.ids.size:
        return
    prices = {t.instrument_id: float(t.price) for t in ticks}
    fired = rules.crossed(prices, float(ticks[-1].time))
    if not fired.size:
        return
    by_id = {t.instrument_id: t for t in ticks}
    for i in fired.tolist():
        rule = db.session.get(AlertRule, int(rules.ids[i]))
        if rule is None:
            continue
        tick = by_id[rule.instrument_id]
        side = int(rules.side[i])
        rule.last_side = side
        level = rules.level[i] + rules.slope[i] * (tick.time - rules.t0[i])
        what = "line" if rule.kind == "line_cross" else "level"
        verb = "crossed above" if side > 0 else "crossed below"
        services.notify(
            rule.user_id,
            f"cross:{rule.id}:{tick.time}",
            rule.kind,
            f"{tick.symbol} {verb} {what} {level:.6g}",
            f"{rule.name}: {tick.symbol} at {tick.price} ({tick.venue}).",
            f"/chart?symbol={tick.symbol}&venue={tick.venue}",
            rule.id,
        )
    db.session.commit()
    # Our own writes changed the rules' version: keep the sides already in memory.
    rules.version = _version()


def on_patterns(_sender: object, patterns: list[Pattern]) -> None:
    """`signals.patterns_found` receiver: `pattern` rules of the users watching them."""
    for pattern in patterns:
        users = watchers(pattern.instrument_id)
        if not users:
            continue
        rules = db.session.scalars(
            select(AlertRule).where(
                AlertRule.kind == "pattern",
                AlertRule.enabled.is_(True),
                AlertRule.user_id.in_(list(users)),
            )
        )
        for rule in rules:
            if rule.watchlist_id is not None and rule.watchlist_id not in users[rule.user_id]:
                continue
            label = kind_label(pattern.kind)
            services.notify(
                rule.user_id,
                f"pattern:{pattern.id}",
                "pattern",
                f"{pattern.instrument.symbol} {pattern.interval}: {pattern.direction} {label}",
                f"Zone {price(pattern.bottom)}-{price(pattern.top)}, entry "
                f"{price(pattern.entry)}, stop {price(pattern.stop)}, target "
                f"{price(pattern.target)}.",
                chart_path(pattern),
                rule.id,
            )
    db.session.commit()


def on_signals(_sender: object, signals: list[Signal]) -> None:
    """`signals.signal_created` receiver: `signal_score` rules at or below the score."""
    for signal in signals:
        rules = db.session.scalars(
            select(AlertRule).where(
                AlertRule.kind == "signal_score",
                AlertRule.enabled.is_(True),
                AlertRule.user_id == signal.user_id,
                AlertRule.threshold <= Decimal(signal.score),
            )
        )
        for rule in rules:
            services.notify(
                rule.user_id,
                f"signal:{signal.id}",
                "signal",
                f"{signal.instrument.symbol}: {signal.direction} signal, score {signal.score}",
                "; ".join(signal.reasons),
                "/signals",
                rule.id,
            )
    db.session.commit()


def check_fills() -> int:
    """`order_filled` rules, then the cash rules of the users who traded: a worker loop task
    over the trades table, so an order request pays nothing for alerts. Each pass reads the
    trades executed since FILL_OVERLAP before the previous pass (the first: FILL_LOOKBACK),
    so a fill committed late is still seen; the notification key makes a fill notify once
    however often it is read. Returns how many notifications were new."""
    from tradedeck.market.models import Instrument
    from tradedeck.trading.models import Account, Trade

    started = datetime.now(UTC)
    since = current_app.extensions.get(FILLS_KEY, started - FILL_LOOKBACK + FILL_OVERLAP)
    trades = db.session.execute(
        select(Trade, Account.user_id, Instrument.symbol)
        .join(Account, Account.id == Trade.account_id)
        .join(Instrument, Instrument.id == Trade.instrument_id)
        .where(Trade.executed_at >= since - FILL_OVERLAP)
        .order_by(Trade.id)
    ).all()
    current_app.extensions[FILLS_KEY] = started
    if not trades:
        return 0
    users = sorted({user_id for _, user_id, _ in trades})
    rules = dict(
        db.session.execute(
            select(AlertRule.user_id, func.min(AlertRule.id))
            .where(
                AlertRule.kind == "order_filled",
                AlertRule.enabled.is_(True),
                AlertRule.user_id.in_(users),
            )
            .group_by(AlertRule.user_id)
        ).all()
    )
    notified = 0
    for trade, user_id, symbol in trades:
        if user_id in rules:
            notified += (
                services.notify(
                    user_id,
                    f"fill:{trade.id}",
                    "order_filled",
                    f"Filled: {trade.side} {trade.quantity.normalize():f} {symbol}"
                    f" @ {trade.price.normalize():f}",
                    f"Order #{trade.order_id}, notional {trade.notional}, fee {trade.fee}.",
                    "/trades",
                    rules[user_id],
                )
                is not None
            )
    db.session.commit()
    check_cash(users)
    return notified


def check_cash(user_ids: list[int] | None = None) -> int:
    """`cash_below` rules: fire once when cash drops below the threshold, re-arm when it is
    back at or above it. Also a loop task (deposits and withdrawals send no event)."""
    from tradedeck.trading.models import Account

    stmt = (
        select(AlertRule, Account.cash)
        .join(Account, Account.user_id == AlertRule.user_id)
        .where(AlertRule.kind == "cash_below", AlertRule.enabled.is_(True))
    )
    if user_ids is not None:
        stmt = stmt.where(AlertRule.user_id.in_(user_ids))
    fired = 0
    now = datetime.now(UTC)
    for rule, cash in db.session.execute(stmt).all():
        below = cash < (rule.threshold or Decimal(0))
        if below and rule.armed:
            rule.armed = False
            services.notify(
                rule.user_id,
                f"cash:{rule.id}:{int(now.timestamp())}",
                "cash_below",
                f"Cash below {rule.threshold.normalize():f}" if rule.threshold else "Cash low",
                f"{rule.name}: cash is {cash}.",
                "/cash",
                rule.id,
            )
            fired += 1
        elif not below and not rule.armed:
            rule.armed = True
    db.session.commit()
    return fired
