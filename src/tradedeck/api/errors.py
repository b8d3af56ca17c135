"""The one error shape of the JSON API: `{"error": {"code", "message", "field"}}`."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from pydantic import BaseModel, ValidationError


class ApiError(Exception):
    """Raise anywhere below an API view to answer with the standard error body."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """Documented in OpenAPI for every 4xx/5xx answer."""

    error: ErrorDetail


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    response = jsonify({"error": body})
    response.status_code = status
    return response


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def validation_error_response(exc: ValidationError) -> Response:
    """Turn pydantic's first error into a 400 naming the field (used by flask-openapi3)."""
    if request.method in ("POST", "PUT", "PATCH") and request.get_json(silent=True) is None:
        if request.get_data():
            return error_response(400, "invalid_json", "Request body is not valid JSON.")
        return error_response(400, "invalid_json", "Request body must be a JSON object.")
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ()) if part != "__root__")
    message = first.get("msg", "Invalid value.")
    if first.get("type") == "missing":
        message = f"Field '{field}' is required."
    elif field:
        message = f"Field '{field}': {message}"
    return error_response(400, "validation_error", message, field or None)
