"""Multi-timeframe confluence: new lower-timeframe patterns scored against each user's rules.

A rule names three timeframes. When a pattern confirms on its `lower` one (the trigger), the
latest structure break on `higher` gives the bias and an FVG / order block on `middle`
holding the trigger's entry gives the zone. Each part adds to the score with a reason; a score
of at least the rule's `min_score` makes a signal. The setup key is the rule plus the zone
(or the trigger when there is no zone), unique per user: later triggers inside the same zone,
rescans and restarts add no second signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from tradedeck.core.patterns import REWARD_RISK
from tradedeck.extensions import db, events
from tradedeck.signals import services
from tradedeck.signals.models import Pattern, Signal, SignalRule
from tradedeck.signals.scanner import dialect_insert, kind_label

signal_created = events.signal("signals.signal_created")
"""Sent after commit with `signals=[Signal]` (alerts listen)."""

BIAS_POINTS = {"bos": 40, "choch": 30}
ZONE_POINTS = 30
OVERLAP_POINTS = 10
TRIGGER_POINTS = {"choch": 25, "liquidity_sweep": 30, "bos": 20, "fvg": 15, "order_block": 15}
ZONE_SLACK_ATR = Decimal("0.5")
"""A trigger within half an ATR of a zone counts as inside it."""
LIVE = ("active", "mitigated")


@dataclass(frozen=True)
class Score:
    score: int
    reasons: list[str]
    bias: Pattern | None
    zone: Pattern | None


def _latest(
    instrument_id: int, interval: str, kinds: tuple[str, ...], before: int
) -> list[Pattern]:
    stmt = (
        select(Pattern)
        .where(
            Pattern.instrument_id == instrument_id,
            Pattern.interval == interval,
            Pattern.kind.in_(kinds),
            Pattern.confirmed_time <= before,
        )
        .order_by(Pattern.confirmed_time.desc(), Pattern.id.desc())
    )
    return list(db.session.scalars(stmt.limit(50)))


def score(rule: SignalRule, trigger: Pattern, at: int) -> Score:
    """Score one trigger under one rule, using only patterns confirmed by `at`."""
    reasons = [f"{kind_label(trigger.kind)} {trigger.direction} trigger on {rule.lower}"]
    points = TRIGGER_POINTS.get(trigger.kind, 0)
    breaks = _latest(trigger.instrument_id, rule.higher, ("bos", "choch"), at)
    bias = breaks[0] if breaks and breaks[0].status == "active" else None
    if bias is not None and bias.direction == trigger.direction:
        points += BIAS_POINTS[bias.kind]
        reasons.append(f"{rule.higher} {kind_label(bias.kind)} bias {bias.direction}")
    else:
        bias = None
    zones = [
        z
        for z in _latest(trigger.instrument_id, rule.middle, ("fvg", "order_block"), at)
        if z.direction == trigger.direction
        and z.status in LIVE
        and z.bottom - ZONE_SLACK_ATR * z.atr <= trigger.entry <= z.top + ZONE_SLACK_ATR * z.atr
    ]
    zone = zones[0] if zones else None
    if zone is not None:
        points += ZONE_POINTS
        reasons.append(f"inside {rule.middle} {kind_label(zone.kind)} {zone.bottom}-{zone.top}")
        if {z.kind for z in zones} == {"fvg", "order_block"}:
            points += OVERLAP_POINTS
            reasons.append(f"{rule.middle} FVG and order block overlap")
    return Score(min(points, 100), reasons, bias, zone)


def _levels(trigger: Pattern, zone: Pattern | None) -> tuple[Decimal, Decimal, Decimal]:
    entry = trigger.entry
    stop = zone.stop if zone is not None else trigger.stop
    if (trigger.direction == "bullish") != (stop < entry):
        stop = trigger.stop
    return entry, stop, entry + Decimal(str(REWARD_RISK)) * (entry - stop)


def evaluate(patterns: list[Pattern]) -> list[Signal]:
    """Signals the new patterns make for the users watching their instruments; commits."""
    created: list[Signal] = []
    for trigger in patterns:
        for user_id in services.watchers(trigger.instrument_id):
            rules = db.session.scalars(
                select(SignalRule).where(
                    SignalRule.user_id == user_id,
                    SignalRule.enabled.is_(True),
                    SignalRule.lower == trigger.interval,
                )
            )
            for rule in rules:
                result = score(rule, trigger, trigger.confirmed_time)
                if result.score < rule.min_score:
                    continue
                signal = _store(user_id, rule, trigger, result)
                if signal is not None:
                    created.append(signal)
    db.session.commit()
    if created:
        signal_created.send(current_app._get_current_object(), signals=created)  # type: ignore[attr-defined]
    return created


def _store(user_id: int, rule: SignalRule, trigger: Pattern, result: Score) -> Signal | None:
    anchor = f"z{result.zone.id}" if result.zone is not None else f"t{trigger.id}"
    entry, stop, target = _levels(trigger, result.zone)
    row = {
        "user_id": user_id,
        "rule_id": rule.id,
        "instrument_id": trigger.instrument_id,
        "setup_key": f"r{rule.id}:{trigger.direction}:{anchor}",
        "direction": trigger.direction,
        "score": result.score,
        "reasons": result.reasons,
        "entry": entry,
        "stop": stop,
        "target": target,
        "zone_pattern_id": result.zone.id if result.zone else None,
        "trigger_pattern_id": trigger.id,
        "details": {
            "rule": rule.name,
            "timeframes": [rule.higher, rule.middle, rule.lower],
            "bias_pattern_id": result.bias.id if result.bias else None,
        },
        "created_at": trigger.detected_at,
        "updated_at": trigger.detected_at,
    }
    stmt = (
        dialect_insert()(Signal.__table__)
        .on_conflict_do_nothing(index_elements=["user_id", "setup_key"])
        .returning(Signal.__table__.c.id)
    )
    new_id = db.session.execute(stmt, row).scalar()
    return db.session.get(Signal, new_id) if new_id is not None else None


def on_patterns(_sender: object, patterns: list[Pattern]) -> None:
    """`signals.patterns_found` receiver."""
    evaluate(patterns)
