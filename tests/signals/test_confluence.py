"""Confluence: a lower-timeframe trigger scored against the higher-timeframe bias and a
middle-timeframe zone; one signal per setup, also after restarts; rules per user."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.charts.factories import seed_instrument
from tests.signals.helpers import headers
from tradedeck.extensions import db
from tradedeck.market.models import Instrument
from tradedeck.signals import confluence, services
from tradedeck.signals.models import Pattern, Signal

T = 1_790_000_000


def _pattern(interval: str, kind: str, direction: str, at: int, top: str, bottom: str) -> Pattern:
    instrument = db.session.scalars(select(Instrument)).one()
    top_d, bottom_d = Decimal(top), Decimal(bottom)
    entry = top_d if direction == "bullish" else bottom_d
    stop = bottom_d - 1 if direction == "bullish" else top_d + 1
    p = Pattern(
        instrument_id=instrument.id,
        interval=interval,
        key=f"{kind}:{direction}:{at}:{at}",
        kind=kind,
        direction=direction,
        bar_time=at,
        confirmed_time=at,
        top=top_d,
        bottom=bottom_d,
        entry=entry,
        stop=stop,
        target=entry + 2 * (entry - stop),
        atr=Decimal(1),
        status="active",
        detected_at=datetime.fromtimestamp(at, UTC),
    )
    db.session.add(p)
    db.session.commit()
    return p


def _signals() -> int:
    return db.session.scalar(select(func.count(Signal.id))) or 0


def test_bias_zone_and_trigger_make_one_signal_per_setup(app: Flask, user) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    with app.app_context():
        services.create_watchlist(user.id, "W", ["5m"], ["ACME"])
        rule = services.create_rule(user.id, "HTF", "1h", "15m", "5m", 60)
        _pattern("1h", "bos", "bullish", T - 7200, "105", "105")
        zone = _pattern("15m", "fvg", "bullish", T - 1800, "101", "99")
        _pattern("15m", "order_block", "bullish", T - 2700, "100.5", "98")
        trigger = _pattern("5m", "choch", "bullish", T, "100", "100")
        made = confluence.evaluate([trigger])
        assert len(made) == 1
        signal = made[0]
        assert signal.score == min(40 + 30 + 10 + 25, 100) and signal.direction == "bullish"
        assert signal.zone_pattern_id == zone.id and signal.rule_id == rule.id
        assert any("1h BOS bias bullish" in r for r in signal.reasons)
        assert signal.stop < signal.entry < signal.target
        # The same trigger again (rescan, restart) and a later trigger in the same zone.
        assert confluence.evaluate([trigger]) == []
        later = _pattern("5m", "liquidity_sweep", "bullish", T + 300, "100.2", "99.5")
        assert confluence.evaluate([later]) == [] and _signals() == 1


def test_score_below_the_rule_or_against_the_bias_makes_no_signal(app: Flask, user) -> None:
    seed_instrument(app, "ACME", intervals=(), n=1)
    with app.app_context():
        services.create_watchlist(user.id, "W", ["5m"], ["ACME"])
        services.create_rule(user.id, "strict", "1h", "15m", "5m", 90)
        _pattern("1h", "bos", "bearish", T - 7200, "95", "95")
        _pattern("15m", "fvg", "bullish", T - 1800, "101", "99")
        trigger = _pattern("5m", "choch", "bullish", T, "100", "100")
        assert confluence.evaluate([trigger]) == []  # 30 + 25: no bias, under 90


def test_rules_api(app: Flask, logged_in: FlaskClient) -> None:
    h = headers(logged_in)
    bad = logged_in.post(
        "/api/v1/signals/rules",
        json={"name": "x", "higher": "5m", "middle": "15m", "lower": "1h"},
        headers=h,
    )
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "middle"
    made = logged_in.post("/api/v1/signals/rules", json={"name": "Swing"}, headers=h)
    assert made.status_code == 201
    assert [r["name"] for r in logged_in.get("/api/v1/signals/rules").get_json()["rules"]] == [
        "Swing"
    ]
    assert logged_in.get("/api/v1/signals").get_json() == {"signals": []}
    rid = made.get_json()["id"]
    assert logged_in.delete(f"/api/v1/signals/rules/{rid}", headers=h).status_code == 204
