"""Verified-token memory: a Bearer token is verified once per app, yet an expired, tampered
or foreign token is still refused, cookies keep their CSRF check, and the memory is bounded."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_jwt_extended import JWTManager, create_access_token

from tests.helpers import PASSWORD, make_app
from tradedeck.accounts.models import User
from tradedeck.api.token_cache import EXTENSION_KEY, VerifiedTokens

ME = "/api/v1/auth/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(app: Flask, user: User, seconds: float = 600) -> str:
    with app.app_context():
        return create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=seconds))


def test_a_token_is_verified_once_and_then_served_from_memory(
    app: Flask, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = token_for(app, user)
    verified: list[str] = []
    decode = JWTManager._decode_jwt_from_config

    def counting(manager: JWTManager, encoded: str, *args: Any, **kwargs: Any) -> Any:
        verified.append(encoded)
        return decode(manager, encoded, *args, **kwargs)

    monkeypatch.setattr(JWTManager, "_decode_jwt_from_config", counting)
    client = app.test_client()
    for _ in range(3):
        response = client.get(ME, headers=bearer(token))
        assert response.status_code == 200
        assert response.get_json()["user"]["username"] == user.username
    assert verified == [token]
    assert len(app.extensions[EXTENSION_KEY]) == 1


def test_jwt_cookies_are_not_remembered_and_keep_their_csrf_check(
    app: Flask, client: FlaskClient, user: User
) -> None:
    client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert client.get(ME).status_code == 200
    refused = client.patch(f"{ME}/preferences", json={"theme": "light"})
    assert refused.status_code == 401
    assert len(app.extensions.get(EXTENSION_KEY, ())) == 0


def test_a_remembered_token_is_refused_once_it_expires(app: Flask, user: User) -> None:
    token = token_for(app, user, seconds=1)
    client = app.test_client()
    assert client.get(ME, headers=bearer(token)).status_code == 200
    time.sleep(1.2)
    response = client.get(ME, headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_expired"
    assert len(app.extensions[EXTENSION_KEY]) == 0


def test_tampered_tokens_are_refused_and_not_remembered(app: Flask, user: User) -> None:
    token = token_for(app, user)
    client = app.test_client()
    assert client.get(ME, headers=bearer(token)).status_code == 200
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    if forged == token:
        forged = f"{header}.{payload}.{signature[:-4]}BBBB"
    for _ in range(2):
        response = client.get(ME, headers=bearer(forged))
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "invalid_token"
    assert len(app.extensions[EXTENSION_KEY]) == 1


def test_a_token_remembered_by_one_app_is_not_accepted_by_another(
    app: Flask, user: User, tmp_path: Path
) -> None:
    token = token_for(app, user)
    assert app.test_client().get(ME, headers=bearer(token)).status_code == 200
    other = make_app(tmp_path / "other", SECRET_KEY="another-secret-key-that-is-long-enough-42")
    response = other.test_client().get(ME, headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "The access token is invalid."


def test_the_memory_is_bounded_and_drops_the_oldest_first() -> None:
    tokens = VerifiedTokens(limit=2)
    for name in ("a", "b", "c"):
        tokens.put(name, {"sub": name, "exp": time.time() + 60})
    assert len(tokens) == 2
    now = time.time()
    assert tokens.get("a", now, 0) is None
    assert [tokens.get(name, now, 0)["sub"] for name in ("b", "c")] == ["b", "c"]


def test_leeway_extends_a_remembered_token() -> None:
    tokens = VerifiedTokens()
    tokens.put("t", {"exp": 100.0})
    assert tokens.get("t", 104.0, 5) is not None
    assert tokens.get("t", 105.0, 5) is None
