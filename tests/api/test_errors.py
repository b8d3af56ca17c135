"""One error model: any DomainError (ApiError included) answers with its status and body."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import DataError

from tests.helpers import api_login
from tradedeck.accounts.models import User
from tradedeck.api.auth import public
from tradedeck.api.errors import ApiError
from tradedeck.core.errors import DomainError
from tradedeck.market.catalogue import CatalogueError


def _raise(exc: Exception) -> None:
    raise exc


def _route(exc: Exception) -> object:
    """A public view raising `exc` (API views need a user by default)."""
    return public(lambda: _raise(exc))


def test_api_error_is_a_domain_error_with_its_call_signature() -> None:
    exc = ApiError(409, "taken", "Username is taken.", "username")
    assert isinstance(exc, DomainError)
    assert (exc.status, exc.code, exc.message, exc.field) == (
        409,
        "taken",
        "Username is taken.",
        "username",
    )
    assert DomainError("bad").status == 400
    assert DomainError("gone", status=404).status == 404
    assert CatalogueError("x", code="unknown_symbol", field="symbol").status == 404


def test_one_handler_answers_any_domain_error_with_its_status(app: Flask) -> None:
    app.add_url_rule(
        "/api/v1/_raise_domain",
        "raise_domain",
        _route(DomainError("no such thing", field="thing", code="not_found", status=404)),
    )
    app.add_url_rule("/api/v1/_raise_api", "raise_api", _route(ApiError(409, "taken", "Taken.")))
    client = app.test_client()
    response = client.get("/api/v1/_raise_domain")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {"code": "not_found", "message": "no such thing", "field": "thing"}
    }
    response = client.get("/api/v1/_raise_api")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "taken"


def test_pages_answer_a_domain_error_with_the_error_page_and_its_status(app: Flask) -> None:
    app.add_url_rule(
        "/_raise_page",
        "raise_page",
        lambda: _raise(DomainError("that venue is always open", code="always_open", status=409)),
    )
    response = app.test_client().get("/_raise_page")
    assert response.status_code == 409
    assert response.mimetype == "text/html"
    assert "that venue is always open" in response.get_data(as_text=True)


def test_the_same_unknown_symbol_gets_the_same_answer_everywhere(
    client: FlaskClient, user: User
) -> None:
    headers = {"Authorization": f"Bearer {api_login(client)}"}
    instrument = client.get("/api/v1/instruments/NOPE-XYZ", headers=headers)
    order = client.post(
        "/api/v1/orders",
        json={"symbol": "NOPE-XYZ", "side": "buy", "type": "market", "quantity": "1"},
        headers=headers,
    )
    assert instrument.status_code == order.status_code == 404
    assert instrument.get_json()["error"] == order.get_json()["error"]
    assert order.get_json()["error"]["field"] == "symbol"


def test_a_value_the_database_refuses_is_a_400_not_a_500(app: Flask) -> None:
    """PostgreSQL raises DataError for an id beyond its integers or a NUL in text."""
    refused = DataError("SELECT ...", {}, Exception("integer out of range"))
    app.add_url_rule("/api/v1/_raise_data", "raise_data", _route(refused))
    response = app.test_client().get("/api/v1/_raise_data")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_value"
