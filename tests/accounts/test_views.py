from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import PASSWORD, create_user, csrf_token, make_app, web_login
from tradedeck.accounts.models import User
from tradedeck.extensions import db


def _register(client: FlaskClient, **fields: str) -> str:
    data = {
        "username": "newbie",
        "email": "newbie@example.com",
        "password": "good-pass-42",
        "confirm": "good-pass-42",
        "csrf_token": csrf_token(client, "/register"),
    }
    data.update(fields)
    return client.post("/register", data=data, follow_redirects=True).get_data(as_text=True)


def test_register_logs_in_and_lands_on_dashboard(app: Flask, client: FlaskClient) -> None:
    html = _register(client)
    assert "Welcome to TradeDeck, newbie!" in html
    assert "Hello, newbie" in html
    with app.app_context():
        assert db.session.query(User).filter_by(username_key="newbie").one().role == "customer"


def test_register_errors_are_shown_and_nothing_is_saved(app: Flask, client: FlaskClient) -> None:
    create_user(app, "taken")
    cases = [
        ({"confirm": "other-pass-42"}, "Passwords do not match."),
        ({"password": "short", "confirm": "short"}, "at least 8"),
        ({"username": "TAKEN"}, "That username is already registered."),
        ({"email": "TAKEN@example.com"}, "That email is already registered."),
        ({"email": "nope"}, "Invalid email address"),
    ]
    for fields, message in cases:
        assert message in _register(client, **fields), fields
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_key_mode_requires_valid_one_time_key(tmp_path) -> None:
    app = make_app(tmp_path, REGISTRATION_MODE="key")
    client = app.test_client()
    assert "Access key" in client.get("/register").get_data(as_text=True)
    assert "An access key is required" in _register(client)
    assert "Unknown access key" in _register(client, access_key="A" * 24)
    from tradedeck.accounts.services import create_access_key

    with app.app_context():
        _row, key = create_access_key()
    assert "Welcome to TradeDeck" in _register(client, access_key=key)


def test_login_by_username_or_email_and_logout(client: FlaskClient, user: User) -> None:
    for identifier in ("alice", "ALICE@example.com"):
        response = web_login(client, identifier)
        assert response.status_code == 302 and response.location == "/"
        assert "Hello, alice" in client.get("/").get_data(as_text=True)
        token = csrf_token(client, "/")
        response = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
        assert "You have been logged out." in response.get_data(as_text=True)
        assert client.get("/profile").status_code == 302


def test_logout_needs_post_with_csrf_and_kills_the_old_remember_cookie(
    client: FlaskClient, user: User
) -> None:
    token = csrf_token(client)
    client.post(
        "/login",
        data={"identifier": "alice", "password": PASSWORD, "csrf_token": token, "remember": "y"},
    )
    remember = client.get_cookie("remember_token").value
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code in (302, 400)  # no CSRF token: refused
    assert client.get("/profile").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    thief = client.application.test_client()
    thief.set_cookie("remember_token", remember)
    assert thief.get("/profile").status_code == 302  # the old remember cookie is dead


def test_wrong_password_and_unknown_user_get_the_same_message(
    client: FlaskClient, user: User
) -> None:
    bodies = []
    for identifier, password in (("alice", "wrong-pass-1"), ("nobody", PASSWORD)):
        token = csrf_token(client)
        response = client.post(
            "/login", data={"identifier": identifier, "password": password, "csrf_token": token}
        )
        assert response.status_code == 200
        bodies.append("Invalid username/email or password." in response.get_data(as_text=True))
    assert bodies == [True, True]


def test_inactive_user_cannot_log_in(app: Flask, client: FlaskClient) -> None:
    create_user(app, "sleepy", active=False)
    response = web_login(client, "sleepy")
    assert response.status_code == 200
    assert "disabled" in response.get_data(as_text=True)


def test_remember_me_sets_persistent_cookie(client: FlaskClient, user: User) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"identifier": "alice", "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "Expires=" in remember[0]


def test_missing_or_invalid_csrf_token_is_rejected(client: FlaskClient, user: User) -> None:
    for token in (None, "forged"):
        data = {"identifier": "alice", "password": PASSWORD}
        if token:
            data["csrf_token"] = token
        response = client.post("/login", data=data)
        assert response.status_code == 400
        assert "security token" in response.get_data(as_text=True)


def test_open_redirect_after_login_is_refused(client: FlaskClient, user: User) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login?next=//evil.example/x",
        data={"identifier": "alice", "password": PASSWORD, "csrf_token": token},
    )
    assert response.location == "/"


def test_sixth_login_attempt_in_a_minute_is_429(client: FlaskClient, user: User) -> None:
    statuses = []
    for _ in range(6):
        token = csrf_token(client)
        response = client.post(
            "/login", data={"identifier": "alice", "password": "bad-pass-1", "csrf_token": token}
        )
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429]
    assert "Slow down" in response.get_data(as_text=True)


def test_protected_pages_redirect_to_login(client: FlaskClient) -> None:
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=/profile")


def test_error_pages(client: FlaskClient) -> None:
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_api_keys_from_profile_shown_once_and_revocable(app: Flask, logged_in: FlaskClient) -> None:
    token = csrf_token(logged_in, "/profile")
    html = logged_in.post("/profile/api-keys", data={"name": "notebook", "csrf_token": token})
    page = html.get_data(as_text=True)
    start = page.index('id="new-api-key">') + len('id="new-api-key">')
    clear = page[start : page.index("<", start)]
    assert clear.startswith("td_")
    assert clear not in logged_in.get("/profile").get_data(as_text=True)
    api = app.test_client()
    assert api.get("/api/v1/auth/me", headers={"X-API-Key": clear}).status_code == 200
    with app.app_context():
        key_id = db.session.query(User).filter_by(username_key="alice").one().api_keys[0].id
    token = csrf_token(logged_in, "/profile")
    logged_in.post(f"/profile/api-keys/{key_id}/revoke", data={"csrf_token": token})
    assert api.get("/api/v1/auth/me", headers={"X-API-Key": clear}).status_code == 401


def test_theme_toggle_persists_for_user_and_needs_csrf(app: Flask, logged_in: FlaskClient) -> None:
    assert logged_in.post("/preferences/theme", json={"theme": "light"}).status_code == 400
    token = csrf_token(logged_in, "/")
    headers = {"X-CSRFToken": token}
    bad = logged_in.post("/preferences/theme", json={"theme": "pink"}, headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "theme"
    assert (
        logged_in.post("/preferences/theme", json={"theme": "light"}, headers=headers).status_code
        == 200
    )
    assert 'data-bs-theme="light"' in logged_in.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).filter_by(username_key="alice").one().theme == "light"
