from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_jwt_extended import create_access_token

from tests.helpers import PASSWORD, api_login, csrf_token, make_app, web_login
from tradedeck.accounts import services
from tradedeck.accounts.models import User
from tradedeck.extensions import db

REGISTER = {"username": "bob", "email": "bob@example.com", "password": "good-pass-42"}


def test_register_login_me_logout(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/register", json=REGISTER)
    assert response.status_code == 201
    assert response.get_json()["user"]["username"] == "bob"
    response = client.post(
        "/api/v1/auth/login", json={"email": "BOB@example.com", "password": "good-pass-42"}
    )
    assert response.status_code == 200
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("access_token_cookie=")
    )
    assert "HttpOnly" in cookie
    token = response.get_json()["access_token"]
    fresh = client.application.test_client()
    me = fresh.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["user"]["email"] == "bob@example.com"
    assert client.get("/api/v1/auth/me").status_code == 200  # via the HttpOnly cookie
    assert client.post("/api/v1/auth/logout").status_code == 401  # no double-submit token
    csrf = client.get_cookie("csrf_access_token").value
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-TOKEN": csrf}).status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401
    revoked = fresh.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
    assert revoked.get_json()["error"]["code"] == "token_revoked"


@pytest.mark.parametrize("revoke", ["logout", "password", "deactivate"])
def test_revocation_ends_cached_bearer_tokens(app: Flask, client: FlaskClient, revoke: str) -> None:
    """The Bearer cache must not keep serving a token whose user's credentials were revoked."""
    with app.app_context():
        services.register_user("carol", "carol@example.com", PASSWORD)
    token = api_login(client, "carol")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200  # now cached
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(username_key="carol")).one()
        if revoke == "logout":
            services.revoke_sessions(user)
        elif revoke == "password":
            services.change_password(user, PASSWORD, "another-pass-77")
        else:
            services.deactivate_user(user)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    if revoke == "password":
        assert api_login(client, "carol", "another-pass-77")


def test_change_password_checks_the_current_one(app: Flask, user: User) -> None:
    with app.app_context():
        alice = db.session.get(User, user.id)
        with pytest.raises(services.AccountError) as wrong:
            services.change_password(alice, "not-it", "another-pass-77")
        assert wrong.value.field == "current_password"
        with pytest.raises(services.AccountError) as weak:
            services.change_password(alice, PASSWORD, "x")
        assert weak.value.field == "password"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"data": "not json", "content_type": "application/json"}, "invalid_json", None),
        ({"data": "username=bob"}, "invalid_json", None),
        (
            {"json": {"email": "b@example.com", "password": "good-pass-42"}},
            "validation_error",
            "username",
        ),
        ({"json": {**REGISTER, "username": 42}}, "validation_error", "username"),
        ({"json": {**REGISTER, "extra": 1}}, "validation_error", "extra"),
        ({"json": {**REGISTER, "password": "short"}}, "invalid", "password"),
        ({"json": {**REGISTER, "email": "bad"}}, "invalid", "email"),
    ],
)
def test_register_bad_bodies_are_400_naming_the_field(
    client: FlaskClient, kwargs: dict, code: str, field: str | None
) -> None:
    response = client.post("/api/v1/auth/register", **kwargs)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error.get("field") == field
    assert error["message"]


def test_duplicate_registration_is_409(client: FlaskClient, user: User) -> None:
    response = client.post("/api/v1/auth/register", json={**REGISTER, "username": "ALICE"})
    assert response.status_code == 409
    assert response.get_json()["error"]["field"] == "username"


def test_key_mode_registration_over_api(tmp_path) -> None:
    app = make_app(tmp_path, REGISTRATION_MODE="key")
    client = app.test_client()
    response = client.post("/api/v1/auth/register", json=REGISTER)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "access_key"
    with app.app_context():
        _row, key = services.create_access_key()
    assert (
        client.post("/api/v1/auth/register", json={**REGISTER, "access_key": key}).status_code
        == 201
    )
    again = client.post(
        "/api/v1/auth/register",
        json={**REGISTER, "username": "eve", "email": "e@example.com", "access_key": key},
    )
    assert again.status_code == 400 and again.get_json()["error"]["code"] == "used"


def test_login_failures_share_one_message(client: FlaskClient, user: User) -> None:
    wrong = client.post("/api/v1/auth/login", json={"username": "alice", "password": "nope-nope-1"})
    unknown = client.post("/api/v1/auth/login", json={"username": "ghost", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    missing = client.post("/api/v1/auth/login", json={"password": PASSWORD})
    assert missing.status_code == 400 and missing.get_json()["error"]["field"] == "username"


def test_expired_and_tampered_tokens_are_401(app: Flask, client: FlaskClient, user: User) -> None:
    with app.app_context():
        expired = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=-5))
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "token_expired"
    token = api_login(app.test_client())
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tampered}"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


def test_api_is_deny_by_default(client: FlaskClient) -> None:
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.get_json() == {
        "error": {"code": "unauthorized", "message": "Authentication is required."}
    }
    assert client.get("/api/v1/nothing-here").status_code == 404


def test_api_key_of_deactivated_user_is_401(app: Flask, client: FlaskClient, user: User) -> None:
    with app.app_context():
        alice = db.session.get(User, user.id)
        clear = services.create_api_key(alice, "bot").clear
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": clear}).status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    response = client.get("/api/v1/auth/me", headers={"X-API-Key": clear})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_api_key"
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": "td_0000_bad"}).status_code == 401


def test_jwt_cookie_writes_need_the_double_submit_token(client: FlaskClient, user: User) -> None:
    response = client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    token = response.get_json()["access_token"]
    csrf = next(
        c.split(";")[0].split("=", 1)[1]
        for c in response.headers.getlist("Set-Cookie")
        if c.startswith("csrf_access_token=")
    )
    url = "/api/v1/auth/me/preferences"
    refused = client.patch(url, json={"theme": "light"})
    assert refused.status_code == 401
    accepted = client.patch(url, json={"theme": "light"}, headers={"X-CSRF-TOKEN": csrf})
    assert accepted.status_code == 200
    assert accepted.get_json()["user"]["preferences"]["theme"] == "light"
    bearer = client.application.test_client()
    ok = bearer.patch(url, json={"theme": "dark"}, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200


def test_session_authenticated_api_writes_need_csrf_header(client: FlaskClient, user: User) -> None:
    web_login(client)
    url = "/api/v1/auth/me/preferences"
    refused = client.patch(url, json={"theme": "light"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    token = csrf_token(client, "/")
    response = client.patch(url, json={"theme": "light"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    bad = client.patch(url, json={"theme": "pink"}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "theme"


def test_sixth_api_login_in_a_minute_is_429_json(client: FlaskClient, user: User) -> None:
    codes = [
        client.post(
            "/api/v1/auth/login", json={"username": "alice", "password": "bad-pass-1"}
        ).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    response = client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    assert response.get_json()["error"]["code"] == "rate_limited"


def test_openapi_document_lists_auth_routes(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
    ):
        assert path in spec["paths"]
    assert "RegisterBody" in spec["components"]["schemas"]
    assert "apiKey" in spec["components"]["securitySchemes"]
    assert client.get("/api/docs").status_code == 302
    assert "swagger-ui" in client.get("/api/docs/swagger").get_data(as_text=True)


def test_login_guesses_at_one_account_from_many_ips_are_limited(tmp_path) -> None:
    """Behind one trusted proxy each client has its own IP bucket, yet one account's bucket
    still stops a distributed guess."""
    app = make_app(tmp_path, TRUSTED_PROXIES="1", LOGIN_ACCOUNT_RATE_LIMIT="3/minute")
    with app.app_context():
        services.register_user("alice", "alice@example.com", PASSWORD)
    client = app.test_client()
    codes = [
        client.post(
            "/api/v1/auth/login",
            json={"username": "ALICE" if i % 2 else "alice", "password": "bad-pass-1"},
            headers={"X-Forwarded-For": f"198.51.100.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    token = csrf_token(client)
    web = [
        client.post(
            "/login",
            data={"identifier": "alice@example.com", "password": "x", "csrf_token": token},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert web[-1] == 429
    other = {"username": "nobody", "password": "bad-pass-1"}
    for i in range(5):  # another account, each from its own IP: never the shared proxy bucket
        response = client.post(
            "/api/v1/auth/login", json=other, headers={"X-Forwarded-For": f"192.0.2.{i}"}
        )
        assert response.status_code == 401 if i < 3 else 429


def test_proxy_headers_are_ignored_without_trusted_proxies(client: FlaskClient, user: User) -> None:
    codes = [
        client.post(
            "/api/v1/auth/login",
            json={"username": f"guess{i}", "password": "bad-pass-1"},
            headers={"X-Forwarded-For": f"198.51.100.{i}"},
        ).status_code
        for i in range(6)
    ]
    assert codes == [401] * 5 + [429]  # forged X-Forwarded-For does not escape the IP limit


def test_oversized_bodies_are_413(client: FlaskClient) -> None:
    big = {"username": "x" * 2_000_000, "password": "p"}
    response = client.post("/api/v1/auth/login", json=big)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
    response = client.post("/api/v1/auth/register", json=big)
    assert response.status_code == 413 and "error" in response.get_json()
    form = {"identifier": "x" * 2_000_000, "password": "p", "csrf_token": csrf_token(client)}
    page = client.post("/login", data=form)
    assert page.status_code == 413 and b"too large" in page.data.lower()
