"""GET /api/v1/patterns/<id>, what the chart's pattern highlight reads: owner-scoped, with the
kind's label, the time expiry of an active pattern and the best score of the caller's own
signals on it."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.helpers import create_user, web_login
from tests.signals.helpers import NOW
from tradedeck.core.candles import interval_seconds
from tradedeck.core.patterns import EXPIRY_BARS
from tradedeck.extensions import db
from tradedeck.market.models import Instrument
from tradedeck.signals import scanner, services
from tradedeck.signals.models import Pattern, Signal


def _signal(user_id: int, pattern: Pattern, score: int, key: str) -> Signal:
    return Signal(
        user_id=user_id,
        instrument_id=pattern.instrument_id,
        setup_key=key,
        direction=pattern.direction,
        score=score,
        reasons=["test"],
        entry=pattern.entry,
        stop=pattern.stop,
        target=pattern.target,
        zone_pattern_id=pattern.id,
        details={},
    )


def test_detail_is_owner_scoped_with_label_expiry_and_own_score(
    app: Flask, client: FlaskClient, acme: dict
) -> None:
    alice = create_user(app, "alice")
    bob = create_user(app, "bob", email="bob@example.com")
    with app.app_context():
        services.create_watchlist(alice.id, "Mine", ["15m"], ["ACME"])
        acme_row = db.session.scalars(select(Instrument).where(Instrument.symbol == "ACME")).one()
        assert scanner.scan_many([(acme_row, "15m")], now=NOW).new
        patterns = list(db.session.scalars(select(Pattern).order_by(Pattern.id)))
        active, resolved = patterns[0], patterns[-1]
        assert active.status == "active"
        resolved.status, resolved.status_time = "filled", resolved.confirmed_time + 900
        db.session.add(_signal(alice.id, resolved, 77, "a"))
        db.session.add(_signal(alice.id, resolved, 64, "b"))
        db.session.add(_signal(bob.id, resolved, 95, "c"))
        db.session.commit()
        ids = {"active": active.id, "resolved": resolved.id}
        expected_expiry = active.confirmed_time + EXPIRY_BARS["15m"] * interval_seconds("15m")
        resolved_status_time = resolved.status_time
        resolved_top = str(resolved.top)

    web_login(client, "alice")
    body = client.get(f"/api/v1/patterns/{ids['active']}").get_json()
    assert body["expires_time"] == expected_expiry
    assert body["score"] is None
    assert body["label"] == scanner.kind_label(body["kind"])
    body = client.get(f"/api/v1/patterns/{ids['resolved']}").get_json()
    assert body["expires_time"] is None and body["status_time"] == resolved_status_time
    assert body["score"] == 77  # alice's best; bob's 95 is not hers
    assert Decimal(body["top"]) == Decimal(resolved_top)
    assert f"pattern={ids['resolved']}" in body["chart_url"]
    missing = client.get("/api/v1/patterns/999999")
    assert missing.status_code == 404 and missing.get_json()["error"]["field"] == "pattern_id"

    other = app.test_client()
    web_login(other, "bob")
    for pattern_id in ids.values():
        response = other.get(f"/api/v1/patterns/{pattern_id}")
        assert response.status_code == 404, pattern_id
        assert response.get_json()["error"]["field"] == "pattern_id"
