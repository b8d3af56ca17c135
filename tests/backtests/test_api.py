"""/api/v1/backtests: start, read, list and delete runs; errors name the field."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import api_login, create_user
from tradedeck.worker.queue import get_huey

from .helpers import form, seed


@pytest.fixture
def api(app: Flask, client: FlaskClient, user) -> dict[str, str]:
    seed(app)
    get_huey(app).immediate = True
    return {"Authorization": f"Bearer {api_login(client)}"}


def body(**changes):
    data = form(**changes)
    params = {k.split(".", 1)[1]: v for k, v in data.items() if k.startswith("sma_cross.")}
    fields = {k: v for k, v in data.items() if "." not in k}
    return {**fields, "params": {**params, "fast": 5, "slow": 20}}


def test_start_read_list_delete(client, api):
    response = client.post("/api/v1/backtests", json=body(), headers=api)
    assert response.status_code == 202, response.get_json()
    run = response.get_json()["run"]
    assert run["status"] == "done" and run["params"]["fast"] == 5
    detail = client.get(f"/api/v1/backtests/{run['id']}", headers=api).get_json()["run"]
    assert detail["stats"]["trades"] == len(detail["trades"]) > 0
    assert len(detail["series"]["time"]) == len(detail["series"]["equity"]) == detail["bars"]
    listing = client.get("/api/v1/backtests", headers=api).get_json()["runs"]
    assert [r["id"] for r in listing] == [run["id"]]
    assert client.delete(f"/api/v1/backtests/{run['id']}", headers=api).status_code == 204
    assert client.get(f"/api/v1/backtests/{run['id']}", headers=api).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"symbol": "NOPE"}, "symbol"),
        ({"params": {"fast": 0}}, "params.fast"),
        ({"cash": True}, "cash"),
        ({"stop": "percent", "stop_value": "-1"}, "stop_value"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_requests_name_the_field(client, api, changes, field):
    response = client.post("/api/v1/backtests", json={**body(), **changes}, headers=api)
    assert response.status_code in (400, 404), response.get_json()
    assert response.get_json()["error"]["field"] == field


def test_runs_are_private(app, client, api):
    run = client.post("/api/v1/backtests", json=body(), headers=api).get_json()["run"]
    create_user(app, "bob")
    other = {"Authorization": f"Bearer {api_login(client, 'bob')}"}
    assert client.get(f"/api/v1/backtests/{run['id']}", headers=other).status_code == 404
    assert client.delete(f"/api/v1/backtests/{run['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/backtests", headers=other).get_json()["runs"] == []


def test_needs_a_user(client):
    assert client.get("/api/v1/backtests").status_code == 401
