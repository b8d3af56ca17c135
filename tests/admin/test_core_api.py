from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.admin.core_helpers import audit_rows, fresh_user
from tests.helpers import PASSWORD, api_login, create_user, make_app
from tradedeck.accounts import services as accounts
from tradedeck.accounts.models import User


def _bearer(app: Flask, name: str = "root") -> dict[str, str]:
    return {"Authorization": f"Bearer {api_login(app.test_client(), name)}"}


def test_users_list_detail_and_patch(app: Flask, root: User, alice: User) -> None:
    client, headers = app.test_client(), _bearer(app)
    listing = client.get("/api/v1/admin/users?role=customer", headers=headers).get_json()
    assert [u["username"] for u in listing["users"]] == ["alice"] and listing["total"] == 1
    bad = client.get("/api/v1/admin/users?since=2026-03-01&until=2026-01-01", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "until"
    detail = client.get(f"/api/v1/admin/users/{alice.id}", headers=headers).get_json()
    assert detail["user"]["email"] == "alice@example.com" and detail["portfolio"]["cash"] == "0.00"
    assert client.get("/api/v1/admin/users/999", headers=headers).status_code == 404
    invalid = client.patch(
        f"/api/v1/admin/users/{alice.id}", json={"email": "bad"}, headers=headers
    )
    assert invalid.status_code == 400 and invalid.get_json()["error"]["field"] == "email"
    unknown = client.patch(f"/api/v1/admin/users/{alice.id}", json={"rank": 1}, headers=headers)
    assert unknown.status_code == 400
    ok = client.patch(f"/api/v1/admin/users/{alice.id}", json={"role": "admin"}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["user"]["role"] == "admin"
    assert [(e.action, e.after) for e in audit_rows(app)] == [("user.update", {"role": "admin"})]


def test_acting_on_oneself_is_a_409_and_leaves_no_trace(app: Flask, root: User) -> None:
    client, headers = app.test_client(), _bearer(app)
    for call in (
        lambda: client.patch(
            f"/api/v1/admin/users/{root.id}", json={"role": "customer"}, headers=headers
        ),
        lambda: client.patch(
            f"/api/v1/admin/users/{root.id}", json={"active": False}, headers=headers
        ),
        lambda: client.post(f"/api/v1/admin/users/{root.id}/deactivate", headers=headers),
        lambda: client.post(f"/api/v1/admin/users/{root.id}/reset-password", headers=headers),
    ):
        response = call()
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "self"
    assert fresh_user(app, root.id).is_admin and audit_rows(app) == []


def test_reset_password_and_deactivate_over_the_api(app: Flask, root: User, alice: User) -> None:
    client, headers = app.test_client(), _bearer(app)
    alice_headers = _bearer(app, "alice")
    reset = client.post(f"/api/v1/admin/users/{alice.id}/reset-password", headers=headers)
    temporary = reset.get_json()["temporary_password"]
    assert reset.get_json()["user"]["must_change_password"] is True
    assert client.get("/api/v1/auth/me", headers=alice_headers).status_code == 401
    assert api_login(app.test_client(), "alice", temporary)
    gone = client.post(f"/api/v1/admin/users/{alice.id}/deactivate", headers=headers)
    assert gone.status_code == 200 and gone.get_json()["user"]["active"] is False
    again = client.post(f"/api/v1/admin/users/{alice.id}/deactivate", headers=headers)
    assert again.status_code == 409
    back = client.post(f"/api/v1/admin/users/{alice.id}/reactivate", headers=headers)
    assert back.get_json()["user"]["active"] is True
    assert [e.action for e in audit_rows(app)] == [
        "user.password_reset",
        "user.deactivate",
        "user.reactivate",
    ]


def test_session_writes_need_the_csrf_header(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    response = root_web.post(f"/api/v1/admin/users/{alice.id}/deactivate")
    assert response.status_code == 400 and fresh_user(app, alice.id).active


def test_access_keys_api_register_once(tmp_path: Path) -> None:
    app = make_app(tmp_path, REGISTRATION_MODE="key")
    create_user(app, "root", role="admin")
    client, headers = app.test_client(), _bearer(app)
    made = client.post(
        "/api/v1/admin/access-keys", json={"count": 2, "note": "pair"}, headers=headers
    )
    assert made.status_code == 201
    body = made.get_json()
    assert len(body["clear_keys"]) == 2 and {k["state"] for k in body["keys"]} == {"unused"}
    assert (
        client.post("/api/v1/admin/access-keys", json={"count": 0}, headers=headers).status_code
        == 400
    )
    register = {"username": "neo", "email": "neo@example.com", "password": PASSWORD}
    ok = client.post(
        "/api/v1/auth/register", json={**register, "access_key": body["clear_keys"][0]}
    )
    assert ok.status_code == 201
    twice = client.post(
        "/api/v1/auth/register",
        json={
            **register,
            "username": "neo2",
            "email": "neo2@example.com",
            "access_key": body["clear_keys"][0],
        },
    )
    assert twice.status_code == 400 and twice.get_json()["error"]["field"] == "access_key"
    used = client.get("/api/v1/admin/access-keys?state=used", headers=headers).get_json()
    assert [k["used_by"] for k in used["keys"]] == ["neo"]
    other = next(
        k for k in body["keys"] if k["state"] == "unused" and k["id"] != used["keys"][0]["id"]
    )
    revoked = client.post(f"/api/v1/admin/access-keys/{other['id']}/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    assert (
        client.post(f"/api/v1/admin/access-keys/{other['id']}/revoke", headers=headers).status_code
        == 409
    )
    assert client.post("/api/v1/admin/access-keys/999/revoke", headers=headers).status_code == 404


def test_audit_and_access_log_api(app: Flask, root: User, alice: User) -> None:
    client, headers = app.test_client(), _bearer(app)
    client.patch(
        f"/api/v1/admin/users/{alice.id}", json={"email": "a2@example.com"}, headers=headers
    )
    audit = client.get("/api/v1/admin/audit?action=user.", headers=headers).get_json()
    assert [e["action"] for e in audit["entries"]] == ["user.update"]
    assert audit["entries"][0]["target_label"] == "alice" and audit["entries"][0]["ip"]
    bad = client.get("/api/v1/admin/audit?since=nope", headers=headers)
    assert bad.status_code == 400
    access = client.get("/api/v1/admin/access-log?event=login.success", headers=headers).get_json()
    assert [e["username"] for e in access["entries"]] == ["root"]


def test_reset_link_api_and_expiry(
    app: Flask, root: User, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, headers = app.test_client(), _bearer(app)
    answer = client.post(f"/api/v1/admin/users/{alice.id}/reset-link", headers=headers)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["reset_url"].startswith("http://localhost/password/reset/") and body["expires_at"]
    path = body["reset_url"].removeprefix("http://localhost")
    assert client.get(path).status_code == 200
    monkeypatch.setattr(accounts, "RESET_LINK_MAX_AGE", timedelta(seconds=-1))
    expired = client.get(path)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    mine = client.post(f"/api/v1/admin/users/{root.id}/reset-link", headers=headers)
    assert mine.status_code == 409
