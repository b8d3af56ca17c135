"""The worker's expiry and reconcile pass (singleton loop task)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from tests.fakes.tradingview import FakeTradingView
from tests.helpers import make_app
from tests.tradingview.helpers import PINE, add_script, linked_user, store_session
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.tradingview import expiry, services, session
from tradedeck.tradingview.models import AccessGrant, AccessOperation
from tradedeck.worker.loop import LOOP_KEY


def _grant(
    app: Flask, user_id: int, script_id: int, tv_username: str, delta: timedelta | None
) -> None:
    with app.app_context():
        expires = None if delta is None else utcnow() + delta
        db.session.add(
            AccessGrant(
                user_id=user_id, script_id=script_id, tv_username=tv_username, expires_at=expires
            )
        )
        db.session.commit()


def test_expired_grants_are_removed_and_drift_is_reported(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    store_session(tv_app, fake)
    script_id = add_script(tv_app)
    old, fresh = linked_user(tv_app, "old", "JoeBloggs"), linked_user(tv_app, "fresh", "alice_tv")
    fake.grant(PINE, "JoeBloggs", utcnow() - timedelta(hours=1))  # TradingView keeps the row
    fake.grant(PINE, "alice_tv", utcnow() + timedelta(days=3))
    fake.grant(PINE, "joe123", None)  # granted on the website
    _grant(tv_app, old.id, script_id, "JoeBloggs", -timedelta(minutes=5))
    _grant(tv_app, fresh.id, script_id, "alice_tv", timedelta(days=9))
    with tv_app.app_context():
        expiry.run_pass()
        assert fake.expiration_of(PINE, "JoeBloggs") == "absent"
        assert [g.tv_username for g in db.session.scalars(select(AccessGrant))] == ["alice_tv"]
        ops = {o.action: o for o in db.session.scalars(select(AccessOperation))}
        assert ops["expire"].actor == "worker" and ops["expire"].result == "ok"
        drift = json.loads(ops["reconcile"].answer)[PINE]
        assert drift["expiry_differs"] == ["alice_tv"] and drift["unknown_to_tradedeck"] == [
            "joe123"
        ]
        assert expiry.latest_reconcile().result == "drift"


def test_no_session_does_nothing_and_a_dead_one_is_recorded(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    with tv_app.app_context():
        expiry.run_pass()
        assert db.session.scalars(select(AccessOperation)).all() == []
    sessionid, _ = store_session(tv_app, fake)
    add_script(tv_app)
    fake.revoke(sessionid)
    with tv_app.app_context():
        expiry.run_pass()
        assert session.state().valid is False
    assert fake.count("/accounts/signin/") == 0


def test_expiry_is_a_singleton_loop_task(tmp_path, fake: FakeTradingView) -> None:
    app = make_app(tmp_path, TRADEDECK_TRADINGVIEW_URL=fake.url, TRADINGVIEW_EXPIRY_SECS="120")
    tasks = {t.name: t for t in app.extensions[LOOP_KEY]}
    assert (
        tasks["tradingview.expiry"].singleton and tasks["tradingview.expiry"].interval_secs == 120
    )
    off = make_app(
        tmp_path / "off", TRADEDECK_TRADINGVIEW_URL=fake.url, TRADINGVIEW_EXPIRY_SECS="0"
    )
    assert "tradingview.expiry" not in {t.name for t in off.extensions[LOOP_KEY]}


def test_a_grant_extended_during_the_pass_is_kept(
    tv_app: Flask, fake: FakeTradingView, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_session(tv_app, fake)
    script_id = add_script(tv_app)
    first, second = linked_user(tv_app, "a", "JoeBloggs"), linked_user(tv_app, "b", "alice_tv")
    for user, name in ((first, "JoeBloggs"), (second, "alice_tv")):
        fake.grant(PINE, name, utcnow() - timedelta(minutes=1))
        _grant(tv_app, user.id, script_id, name, -timedelta(minutes=1))
    real_remove = services.remove

    def remove_and_extend_the_other(*args: object, **kwargs: object) -> services.Outcome:
        outcome = real_remove(*args, **kwargs)
        other = services.local_grant(second.id, script_id)
        other.expires_at = utcnow() + timedelta(days=30)  # an admin extended it meanwhile
        db.session.commit()
        return outcome

    monkeypatch.setattr(services, "remove", remove_and_extend_the_other)
    with tv_app.app_context():
        assert expiry.expire_due() == 1
        assert services.local_grant(second.id, script_id) is not None
    assert fake.expiration_of(PINE, "JoeBloggs") == "absent"
    assert fake.expiration_of(PINE, "alice_tv") != "absent"
