import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient


def test_one_log_line_per_request_with_timing(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tradedeck.request"):
        client.get("/login?next=/x")
    lines = [r.getMessage() for r in caplog.records if r.name == "tradedeck.request"]
    assert len(lines) == 1
    method, path, status, timing = lines[0].split()
    assert (method, path, status) == ("GET", "/login?next=/x", "200")
    assert timing.endswith("ms") and float(timing[:-2]) >= 0


def test_unexpected_errors_give_500_page_or_json(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    app.add_url_rule("/api/v1/explode", "api_explode", explode)
    app.view_functions["api_explode"].is_public = True
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    page = client.get("/explode")
    assert page.status_code == 500 and "Something went wrong" in page.get_data(as_text=True)
    api = client.get("/api/v1/explode")
    assert api.status_code == 500
    assert api.get_json() == {
        "error": {"code": "internal_error", "message": "Something went wrong on our side."}
    }
    assert "unhandled error" in caplog.text


def test_api_404_and_405_are_json(client: FlaskClient) -> None:
    missing = client.get("/api/v1/auth/nothing")
    assert missing.status_code in (401, 404)
    wrong_method = client.get("/api/v1/auth/login")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"]["code"] == "method_not_allowed"


def test_favicon_is_served(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"


def test_anonymous_options_never_fail_on_any_route(app: Flask, client: FlaskClient) -> None:
    """flask-login lets OPTIONS through `login_required`; role checks must still hold."""
    samples = {"int": "1", "string": "SIM", "path": "SIM/ACME"}
    paths = set()
    for rule in app.url_map.iter_rules():
        if "OPTIONS" not in rule.methods or rule.endpoint == "static":
            continue
        path = rule.rule
        for name, converter in rule._converters.items():
            kind = type(converter).__name__.removesuffix("Converter").lower()
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", samples.get(kind, "x"), path)
        paths.add(path)
    assert "/admin/venues" in paths
    failures = {
        p: r.status_code for p in sorted(paths) if (r := client.options(p)).status_code >= 500
    }
    assert failures == {}
