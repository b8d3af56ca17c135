"""The one error shape of the JSON API: `{"error": {"code", "message", "field"}}`."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DataError
from werkzeug.http import HTTP_STATUS_CODES

from tradedeck.core.errors import DomainError
from tradedeck.extensions import db


class ApiError(DomainError):
    """A DomainError raised by web-layer code, with the status first (`ApiError(404, ...)`)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field, code=code, status=status)


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


JSON_BLUEPRINTS_KEY = "tradedeck.json_blueprints"


def answer_json(app: Flask, blueprint: str) -> None:
    """Errors of `blueprint`'s routes get the API's JSON body although they live outside
    /api/ (the chart's overlay routes at the root)."""
    app.extensions.setdefault(JSON_BLUEPRINTS_KEY, set()).add(blueprint)


def is_api_request() -> bool:
    """Whether errors are answered as JSON: /api/ paths and blueprints given to answer_json."""
    if request.path.startswith("/api/"):
        return True
    return request.blueprint in current_app.extensions.get(JSON_BLUEPRINTS_KEY, ())


def domain_error_response(exc: DomainError) -> Response | tuple[str, int]:
    """The one answer to any DomainError: its status and error body (API) or error page.

    Pages that can recover (a form) catch DomainError themselves and flash it; anything else
    reaching here gets the error page with the same status. The transaction is rolled back
    either way, so a half-done change is never committed by a later step.
    """
    db.session.rollback()
    if is_api_request():
        return error_response(exc.status, exc.code, exc.message, exc.field)
    template = f"errors/{exc.status}.html" if exc.status in (403, 404, 429) else "errors/error.html"
    title = HTTP_STATUS_CODES.get(exc.status, "Bad request")
    page = render_template(template, code=exc.status, title=title, message=exc.message)
    return page, exc.status


def data_error_response(_exc: DataError) -> Response | tuple[str, int]:
    """A value the database refuses to store or compare (PostgreSQL: an id beyond its
    integers, a NUL character in text) is the client's input, not our fault: a 400."""
    return domain_error_response(
        DomainError(
            "A value is outside what can be stored: a number or id too large, or a NUL"
            " character in a text.",
            code="invalid_value",
        )
    )


def register_error_handler(app: Flask) -> None:
    """Answer every DomainError (ApiError included) in one place; called by `create_app`."""
    app.register_error_handler(DomainError, domain_error_response)
    app.register_error_handler(DataError, data_error_response)


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
