"""The OpenAPI document declares every answer the server gives (schemathesis checks it)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.helpers import api_login
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
    assert cash["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CashLedger"
    }


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("put", "/api/v1/charts/drawings/6384250274484297138176", "drawing_id"),
        ("get", "/api/v1/orders/16086695070248204915573784576", "order_id"),
        ("delete", "/api/v1/orders/16086695070248204915573784576", "order_id"),
    ],
)
def test_an_id_beyond_the_database_integer_is_a_400_not_a_500(
    client: FlaskClient, user: object, method: str, path: str, field: str
) -> None:
    """Schemathesis findings: these answered 500 (SQLite cannot bind the integer)."""
    headers = {"Authorization": f"Bearer {api_login(client)}"}
    body = {"points": [{"time": 1, "price": 1}]} if method == "put" else None
    response = client.open(path, method=method.upper(), json=body, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
