"""OpenAPI document at /api/v1/openapi.json and Swagger UI at /api/docs (CSP-safe, no CDN)."""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, url_for
from flask_openapi3 import OpenAPI

from tradedeck.api.errors import ErrorBody

REF_TEMPLATE = "#/components/schemas/{model}"

bp = Blueprint("docs", __name__)

# Same page as flask-openapi3-swagger's, but its start-up script lives in a static file
# because our Content-Security-Policy forbids inline script.
SWAGGER_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>TradeDeck API · Swagger UI</title>
  <link rel="shortcut icon" href="swagger/images/swagger.svg">
  <link rel="stylesheet" type="text/css" href="swagger/css/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-doc-url="{{ doc_url }}"></div>
<script src="swagger/js/swagger-ui-bundle.js"></script>
<script src="swagger/js/swagger-ui-standalone-preset.js"></script>
<script src="{{ url_for('static', filename='js/swagger-init.js') }}"></script>
</body>
</html>
"""

DOCS_INDEX_HTML = """{% extends "base.html" %}
{% block title %}API documentation{% endblock %}
{% block content %}
<div class="row justify-content-center"><div class="col-lg-8">
  <h1 class="h3 mb-3"><i class="bi bi-braces"></i> TradeDeck API v1</h1>
  <p class="text-body-secondary">Amounts are decimal strings, record times ISO-8601 UTC, chart times
  UTC epoch seconds. Authenticate with a session, a JWT (<code>Authorization: Bearer …</code> or the
  HttpOnly cookie set by <code>POST /api/v1/auth/login</code>) or a personal key in
  <code>X-API-Key</code>.</p>
  <div class="list-group">
    {% for ui in ui_templates %}
    <a class="list-group-item list-group-item-action" href="{{ ui.name }}">
      <i class="bi bi-window"></i> Interactive docs ({{ ui.display_name }})</a>
    {% endfor %}
    <a class="list-group-item list-group-item-action" href="/api/v1/openapi.json">
      <i class="bi bi-filetype-json"></i> OpenAPI 3 document</a>
  </div>
</div></div>
{% endblock %}
"""


# What any operation may answer besides its own success: the one error body of
# `api.errors` (403 only matters for admin routes, 409 for writes, but every route can meet
# a missing symbol or a rate limit, so all are declared everywhere).
ERROR_STATUSES = ("400", "401", "403", "404", "409", "413", "429")
# The success answers of an operation that declares none of its own, by method.
DEFAULT_SUCCESS = {
    "get": ("200",),
    "post": ("200", "201"),
    "put": ("200",),
    "patch": ("200",),
    "delete": ("200", "204"),
}


def complete_responses(spec: dict[str, Any]) -> dict[str, Any]:
    """Declare the error answers centrally, so the document matches what the server says.

    Every operation gets the standard error body for each status in ERROR_STATUSES it does not
    declare, and a JSON-object success answer when the route declares no 2xx of its own.
    """
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorBody", ErrorBody.model_json_schema(ref_template=REF_TEMPLATE))
    defs = schemas["ErrorBody"].pop("$defs", {})
    for name, schema in defs.items():
        schemas.setdefault(name, schema)
    error = {
        "description": "Error",
        "content": {
            "application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorBody")}}
        },
    }
    for path_item in spec.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in DEFAULT_SUCCESS:
                continue
            responses = operation.setdefault("responses", {})
            if not any(code.startswith("2") for code in responses):
                for code in DEFAULT_SUCCESS[method]:
                    responses[code] = {
                        "description": "Success",
                        "content": {"application/json": {"schema": {"type": "object"}}}
                        if code != "204"
                        else {},
                    }
            for code in ERROR_STATUSES:
                responses.setdefault(code, error)
    return spec


@bp.get("/api/v1/openapi.json")
def openapi_json() -> Response:
    app: OpenAPI = current_app  # type: ignore[assignment]
    return jsonify(complete_responses(copy.deepcopy(app.api_doc)))


@bp.get("/api/docs")
def docs_home() -> Response:
    return redirect(url_for("openapi.openapi"))  # type: ignore[return-value]


openapi_json.is_public = True  # type: ignore[attr-defined]


def install_docs(app: OpenAPI) -> None:
    app.config["SWAGGER_HTML_STRING"] = SWAGGER_HTML
    app.config["OPENAPI_HTML_STRING"] = DOCS_INDEX_HTML
