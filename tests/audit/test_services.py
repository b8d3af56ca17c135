from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update

from tests.helpers import PASSWORD, api_login, create_user, web_login
from tradedeck.accounts import services as accounts
from tradedeck.accounts.models import User
from tradedeck.audit.models import (
    API_KEY_USE,
    LOGIN_FAILURE,
    LOGIN_SUCCESS,
    LOGOUT,
    AccessLogEntry,
    AuditEntry,
    AuditLogError,
)
from tradedeck.audit.services import Target, jsonable, record, snapshot, target_of
from tradedeck.extensions import db


def _entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_record_commits_with_the_change_and_names_the_target(app: Flask, user: User) -> None:
    with app.app_context():
        row = db.session.get(User, user.id)
        before = snapshot(row, "email", "role")
        row.email = "new@example.com"
        record("user.update", row, before, snapshot(row, "email", "role"), actor="cli")
        db.session.commit()
        [entry] = _entries()
        assert (entry.action, entry.actor, entry.actor_id) == ("user.update", "cli", None)
        assert (entry.target_type, entry.target_id, entry.target_label) == (
            "user",
            str(user.id),
            "alice",
        )
        assert entry.before == {"email": "alice@example.com", "role": "customer"}
        assert entry.after == {"email": "new@example.com", "role": "customer"}
        assert entry.created_at.tzinfo is not None


def test_rolled_back_change_leaves_no_audit_row(app: Flask, user: User) -> None:
    with app.app_context():
        row = db.session.get(User, user.id)
        row.role = "admin"
        record("user.update", row, {"role": "customer"}, {"role": "admin"})
        db.session.rollback()
        assert _entries() == []
        assert db.session.get(User, user.id).role == "customer"


def test_actor_and_ip_come_from_the_signed_in_request(app: Flask, admin: User) -> None:
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        from flask_login import login_user

        login_user(db.session.get(User, admin.id))
        record("key.create", Target("access_key", 7, "for bob"), after={"note": "for bob"})
        db.session.commit()
        [entry] = _entries()
        assert (entry.actor_id, entry.actor, entry.ip) == (admin.id, "root", "10.1.2.3")
        assert (entry.target_type, entry.target_id, entry.target_label) == (
            "access_key",
            "7",
            "for bob",
        )


def test_system_actor_outside_a_request(app: Flask) -> None:
    with app.app_context():
        record("candles.backfill", Target("instrument", 1, "ACME"))
        db.session.commit()
        assert _entries()[0].actor == "system"
        assert _entries()[0].ip is None


def test_pending_target_is_flushed_for_its_id(app: Flask) -> None:
    with app.app_context():
        row = User(username="neo", username_key="neo", email="neo@example.com", password_hash="x")
        db.session.add(row)
        where = target_of(row)
        assert where == Target("user", row.id, "neo") and row.id is not None


def test_jsonable_keeps_decimals_exact_and_times_iso() -> None:
    value = {"price": Decimal("0.10000000"), "at": datetime(2026, 1, 2, tzinfo=UTC), "t": (1,)}
    assert jsonable(value) == {"price": "0.10000000", "at": "2026-01-02T00:00:00+00:00", "t": [1]}


def test_bad_action_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError):
        record("", Target("x"))


def test_audit_rows_cannot_be_updated_or_deleted(app: Flask) -> None:
    with app.app_context():
        record("user.update", Target("user", 1, "alice"), {"a": 1}, {"a": 2})
        db.session.commit()
        entry = _entries()[0]
        entry.action = "forged"
        with pytest.raises(AuditLogError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(_entries()[0])
        with pytest.raises(AuditLogError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(AuditLogError):
            db.session.execute(update(AuditEntry).values(action="forged"))
        with pytest.raises(AuditLogError):
            db.session.execute(delete(AuditEntry))
        db.session.rollback()
        assert [(e.action, e.after) for e in _entries()] == [("user.update", {"a": 2})]


def _access(app: Flask) -> list[AccessLogEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)))


def test_web_logins_and_logout_are_in_the_access_log(app: Flask, client: FlaskClient) -> None:
    create_user(app)
    create_user(app, "off", active=False)
    web_login(client, "nobody", "whatever-pass")
    web_login(client, "alice", "wrong-password")
    web_login(client, "off", PASSWORD)
    client.environ_base["HTTP_USER_AGENT"] = "pytest-agent/1"
    assert web_login(client).status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/logout", data={"csrf_token": token})
    rows = _access(app)
    assert [(r.event, r.username, r.detail) for r in rows] == [
        (LOGIN_FAILURE, "nobody", "unknown user"),
        (LOGIN_FAILURE, "alice", "wrong password"),
        (LOGIN_FAILURE, "off", "account disabled"),
        (LOGIN_SUCCESS, "alice", ""),
        (LOGOUT, "alice", ""),
    ]
    assert rows[0].user_id is None and rows[1].user_id is not None
    assert rows[3].user_agent == "pytest-agent/1" and rows[3].ip == "127.0.0.1"


def test_api_login_and_logout_are_in_the_access_log(app: Flask, client: FlaskClient) -> None:
    create_user(app)
    assert (
        client.post("/api/v1/auth/login", json={"username": "alice", "password": "x"}).status_code
        == 401
    )
    token = api_login(client)
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert [r.event for r in _access(app)] == [LOGIN_FAILURE, LOGIN_SUCCESS, LOGOUT]


def test_api_key_use_is_one_summary_row_per_key_and_day(app: Flask, client: FlaskClient) -> None:
    alice = create_user(app)
    with app.app_context():
        new = accounts.create_api_key(db.session.get(User, alice.id), "bot")
        key_id = new.row.id
    for _ in range(3):
        assert client.get("/api/v1/auth/me", headers={"X-API-Key": new.clear}).status_code == 200
    [row] = _access(app)
    assert (row.event, row.api_key_id, row.uses, row.user_id, row.username) == (
        API_KEY_USE,
        key_id,
        3,
        alice.id,
        "alice",
    )
    assert row.day == datetime.now(UTC).date()
    assert row.updated_at >= row.created_at
