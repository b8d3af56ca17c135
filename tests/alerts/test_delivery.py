"""Delivery through apprise to a local ntfy-like receiver and json:// hooks: retries with
backoff, then `failed` in the log (the in-app notification stays), quiet hours, rate limits,
and the channel test button."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from tests.helpers import csrf_token
from tradedeck.alerts import delivery, services
from tradedeck.alerts.models import Channel, Delivery, Notification
from tradedeck.extensions import db

NOON = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(12), UTC)
"""Tomorrow noon: after every delivery a test creates now (each is due at once). A fixed date
made these tests fail once the real clock passed it."""


def _notify(user_id: int, key: str = "k1") -> Notification:
    note = services.notify(user_id, key, "pattern", "ACME 15m: bullish FVG", "Zone 1-2", "/chart")
    db.session.commit()
    assert note is not None
    return note


def _deliveries() -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(Delivery).order_by(Delivery.id)))


def test_ntfy_and_json_channels_receive_the_notification(
    app: Flask, user, receiver: HTTPServer
) -> None:
    # ntfy publishes as JSON to the server root, naming the topic in the body.
    receiver.expect_request("/", method="POST").respond_with_json({"id": "x"})
    receiver.expect_request("/hook", method="POST").respond_with_json({})
    with app.app_context():
        services.create_channel(user.id, "Phone", f"ntfy://127.0.0.1:{receiver.port}/alerts")
        services.create_channel(user.id, "Hook", f"json://127.0.0.1:{receiver.port}/hook")
        _notify(user.id)
        assert services.notify(user.id, "k1", "pattern", "again") is None  # once per key
        assert delivery.deliver_due(NOON + timedelta(days=400)) == 2
        assert [d.status for d in _deliveries()] == ["sent", "sent"]
    by_path = {r.path: r for r, _ in receiver.log}
    ntfy = json.loads(by_path["/"].get_data())
    assert ntfy["topic"] == "alerts" and ntfy["title"] == "ACME 15m: bullish FVG"
    assert "Zone 1-2" in ntfy["message"]
    hook = json.loads(by_path["/hook"].get_data())
    assert hook["title"] == "ACME 15m: bullish FVG" and "Zone 1-2" in hook["message"]
    assert hook["message"].endswith("\n/chart")  # no PUBLIC_BASE_URL: the path


def test_links_carry_the_public_base_url(app: Flask, user, receiver: HTTPServer) -> None:
    receiver.expect_request("/hook", method="POST").respond_with_json({})
    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(
        update={"public_base_url": "https://trade.example.com"}
    )
    with app.app_context():
        services.create_channel(user.id, "Hook", f"json://127.0.0.1:{receiver.port}/hook")
        _notify(user.id)
        delivery.deliver_due(NOON)
    message = json.loads(receiver.log[0][0].get_data())["message"]
    assert message.endswith("https://trade.example.com/chart")


def test_a_failing_channel_retries_with_backoff_then_is_logged_failed(
    app: Flask, user, receiver: HTTPServer
) -> None:
    receiver.expect_request("/down", method="POST").respond_with_data("boom", status=500)
    receiver.expect_request("/up", method="POST").respond_with_json({})
    with app.app_context():
        services.create_channel(user.id, "Down", f"json://127.0.0.1:{receiver.port}/down")
        services.create_channel(user.id, "Up", f"json://127.0.0.1:{receiver.port}/up")
        note = _notify(user.id)
        now = NOON
        delivery.deliver_due(now)
        down, up = _deliveries()
        assert up.status == "sent" and down.status == "pending" and down.attempts == 1
        assert down.next_attempt_at == now + timedelta(seconds=30) and down.last_error
        assert delivery.deliver_due(now + timedelta(seconds=29)) == 0  # not due yet
        waits = []
        for _ in range(4):
            now = _deliveries()[0].next_attempt_at
            waits.append(now)
            assert delivery.deliver_due(now) == 1
        down = _deliveries()[0]
        assert down.status == "failed" and down.attempts == 5 and "500" in down.last_error
        gaps = [(b - a).total_seconds() for a, b in zip([NOON, *waits], waits, strict=False)]
        assert gaps == [30, 60, 120, 240]
        assert db.session.get(Notification, note.id) is not None  # nothing lost in-app
    assert len([r for r, _ in receiver.log if r.path == "/down"]) == 5


def test_quiet_hours_defer_and_the_rate_limit_spaces_messages(
    app: Flask, user, receiver: HTTPServer
) -> None:
    receiver.expect_request("/q", method="POST").respond_with_json({})
    with app.app_context():
        services.create_channel(
            user.id, "Night", f"json://127.0.0.1:{receiver.port}/q", 22 * 60, 7 * 60, 2
        )
        for i in range(3):
            _notify(user.id, f"k{i}")
        night = NOON.replace(hour=23, minute=30)
        delivery.deliver_due(night)
        assert all(d.attempts == 0 for d in _deliveries())
        morning = NOON.replace(hour=7) + timedelta(days=1)
        assert {d.next_attempt_at for d in _deliveries()} == {morning}
        delivery.deliver_due(morning)
        first, second, third = _deliveries()
        assert (first.status, second.status, third.status) == ("sent", "sent", "pending")
        assert third.next_attempt_at == morning + timedelta(hours=1)
        delivery.deliver_due(morning + timedelta(hours=1))
        assert _deliveries()[2].status == "sent"
    assert len(receiver.log) == 3


def test_channel_api_masks_urls_and_the_test_button_reports(
    app: Flask, logged_in: FlaskClient, receiver: HTTPServer
) -> None:
    receiver.expect_request("/ok", method="POST").respond_with_json({})
    receiver.expect_request("/bad", method="POST").respond_with_data("no", status=503)
    h = {"X-CSRFToken": csrf_token(logged_in, "/alerts/channels")}
    base = f"json://user:secret@127.0.0.1:{receiver.port}"
    ok = logged_in.post(
        "/api/v1/notifications/channels", json={"name": "ok", "url": f"{base}/ok"}, headers=h
    )
    assert ok.status_code == 201 and "secret" not in ok.get_data(as_text=True)
    bad = logged_in.post(
        "/api/v1/notifications/channels", json={"name": "bad", "url": f"{base}/bad"}, headers=h
    ).get_json()
    tested = logged_in.post(f"/api/v1/notifications/channels/{ok.get_json()['id']}/test", headers=h)
    assert tested.get_json() == {"ok": True, "error": ""}
    failed = logged_in.post(f"/api/v1/notifications/channels/{bad['id']}/test", headers=h)
    assert failed.get_json()["ok"] is False and failed.get_json()["error"]
    nonsense = logged_in.post(
        "/api/v1/notifications/channels", json={"name": "x", "url": "nope://x"}, headers=h
    )
    assert nonsense.status_code == 400 and nonsense.get_json()["error"]["field"] == "url"
    half_quiet = logged_in.post(
        "/api/v1/notifications/channels",
        json={"name": "x", "url": f"{base}/ok", "quiet_start": 60},
        headers=h,
    )
    assert half_quiet.get_json()["error"]["field"] == "quiet_end"
    too_long = logged_in.post(
        "/api/v1/notifications/channels",
        json={"name": "x", "url": f"{base}/{'a' * 600}"},
        headers=h,
    )
    assert too_long.status_code == 400 and too_long.get_json()["error"]["field"] == "url"
    with app.app_context():
        channel = db.session.scalars(select(Channel).where(Channel.name == "ok")).one()
        assert channel.url == f"{base}/ok"
        stored = db.session.scalar(select(Channel.url_sealed).where(Channel.id == channel.id))
        assert "secret" not in stored and "127.0.0.1" not in stored
