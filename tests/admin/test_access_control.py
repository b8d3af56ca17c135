"""Every admin route that exists when the test runs (this package's and any other admin
feature's) refuses customers (403) and visitors (401 on the API, login redirect on pages)."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import api_login, create_user, csrf_token, web_login
from tradedeck.accounts.models import User

ADMIN_PREFIXES = ("/admin", "/api/v1/admin")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _admin_routes(app: Flask) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(ADMIN_PREFIXES):
            continue
        path = re.sub(
            r"<(?:int:)?([^>]+)>", lambda m: "1" if "int:" in m.group(0) else "x", rule.rule
        )
        routes += [(method, path) for method in METHODS if method in (rule.methods or ())]
    return sorted(set(routes))


def test_there_are_admin_routes_to_walk(app: Flask) -> None:
    paths = {path for _, path in _admin_routes(app)}
    for expected in ("/admin/users", "/admin/keys", "/admin/audit", "/api/v1/admin/users"):
        assert expected in paths


def _call(client: FlaskClient, method: str, path: str, headers: dict[str, str]) -> int:
    body = {} if path.startswith("/api/") else None
    return client.open(path, method=method, json=body, headers=headers).status_code


def test_customers_get_403_everywhere(app: Flask, user: User) -> None:
    routes = _admin_routes(app)
    browser = app.test_client()
    assert web_login(browser).status_code == 302
    session_headers = {"X-CSRFToken": csrf_token(browser, "/profile")}
    token = api_login(app.test_client())
    bearer = {"Authorization": f"Bearer {token}"}
    wrong = []
    for method, path in routes:
        if path.startswith("/api/"):
            status = _call(app.test_client(), method, path, bearer)
            session_status = _call(browser, method, path, session_headers)
            if status != 403 or session_status != 403:
                wrong.append((method, path, status, session_status))
        else:
            form = {"csrf_token": session_headers["X-CSRFToken"]}
            status = browser.open(path, method=method, data=form).status_code
            if status != 403:
                wrong.append((method, path, status))
    assert wrong == []


def test_visitors_get_401_on_the_api_and_the_login_page_elsewhere(app: Flask) -> None:
    wrong = []
    for method, path in _admin_routes(app):
        response = app.test_client().open(path, method=method)
        if path.startswith("/api/"):
            ok = response.status_code == 401
        else:
            ok = response.status_code in (302, 400) and (
                response.status_code == 400 or "/login" in response.headers.get("Location", "")
            )
            if method == "GET":
                ok = response.status_code == 302 and "/login" in response.headers["Location"]
        if not ok:
            wrong.append((method, path, response.status_code))
    assert wrong == []


@pytest.mark.parametrize("path", ["/admin/users", "/admin/keys", "/admin/audit", "/admin/access"])
def test_admins_get_the_pages(app: Flask, path: str) -> None:
    create_user(app, "root", role="admin")
    client = app.test_client()
    web_login(client, "root")
    assert client.get(path).status_code == 200
