"""The OpenAPI document declares every answer the server gives (schemathesis checks it)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import api_login
from tradedeck.api.docs import ERROR_STATUSES


def test_every_operation_declares_the_error_body_and_a_success(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["schemas"]["ErrorBody"]["required"] == ["error"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert set(ERROR_STATUSES) <= set(responses), (method, path)
            assert any(code.startswith("2") for code in responses), (method, path)
    cash = spec["paths"]["/api/v1/cash"]["get"]["responses"]
    assert cash["200"]["content"]["application/json"]["schema"] == {"type": "object"}


def test_a_drawing_id_beyond_the_database_integer_is_a_400_not_a_500(
    client: FlaskClient, user: object
) -> None:
    headers = {"Authorization": f"Bearer {api_login(client)}"}
    response = client.put(
        "/api/v1/charts/drawings/6384250274484297138176",
        json={"points": [{"time": 1, "price": 1}]},
        headers=headers,
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "drawing_id"
