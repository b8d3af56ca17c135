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


def grid_body(**changes):
    return {**body(), "grid": {"fast": [3, 5, 8], "slow": "15,25"}, "windows": 2, **changes}


def test_optimisation_start_read_list_delete(client, api):
    response = client.post("/api/v1/backtests/optimisations", json=grid_body(), headers=api)
    assert response.status_code == 202, response.get_json()
    started = response.get_json()["optimisation"]
    assert started["grid"]["fast"] == ["3", "5", "8"] and started["windows"] == 2
    url = f"/api/v1/backtests/optimisations/{started['id']}"
    done = client.get(url, headers=api).get_json()["optimisation"]
    assert (done["status"], done["progress"]) == ("done", 100)
    result = done["result"]
    assert len(result["grid"]["points"]) == 6 and len(result["windows"]) == 2
    assert [axis[0] for axis in result["grid"]["axes"]] == ["fast", "slow"]
    assert len(result["grid"]["heatmap"]) == len(result["cells"]) == 3
    listed = client.get("/api/v1/backtests/optimisations", headers=api).get_json()
    assert [o["id"] for o in listed["optimisations"]] == [started["id"]]
    assert "result" not in listed["optimisations"][0]
    assert client.delete(url, headers=api).status_code == 204
    assert client.get(url, headers=api).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"grid": {"fast": [1, 3]}}, "grid.fast"),
        ({"grid": {"nope": [1, 3]}}, "grid.nope"),
        ({"grid": {"fast": "5-x"}}, "grid.fast"),
        ({"grid": {"fast": "2-30", "slow": "2-30"}}, "grid"),
        ({"metric": "colour"}, "metric"),
        ({"windows": 51}, "windows"),
        ({"train_pct": "99"}, "train_pct"),
        ({"symbol": "NOPE"}, "symbol"),
    ],
)
def test_bad_optimisations_name_the_field(client, api, changes, field):
    response = client.post(
        "/api/v1/backtests/optimisations", json=grid_body(**changes), headers=api
    )
    assert response.status_code in (400, 404), response.get_json()
    assert response.get_json()["error"]["field"] == field


def test_optimisations_are_private(app, client, api):
    response = client.post("/api/v1/backtests/optimisations", json=grid_body(), headers=api)
    url = f"/api/v1/backtests/optimisations/{response.get_json()['optimisation']['id']}"
    create_user(app, "bob")
    other = {"Authorization": f"Bearer {api_login(client, 'bob')}"}
    assert client.get(url, headers=other).status_code == 404
    assert client.delete(url, headers=other).status_code == 404
    listed = client.get("/api/v1/backtests/optimisations", headers=other).get_json()
    assert listed["optimisations"] == []
    assert client.get(f"/api/v1/backtests/optimisations/{2**70}", headers=api).status_code == 400


def test_saved_optimisations_are_capped(app, client, api):
    settings = app.config["TRADEDECK"]
    app.config["TRADEDECK"] = settings.model_copy(update={"backtest_max_runs": 1})
    url = "/api/v1/backtests/optimisations"
    assert client.post(url, json=grid_body(), headers=api).status_code == 202
    response = client.post(url, json=grid_body(), headers=api)
    error = response.get_json()["error"]
    assert response.status_code == 409 and (error["code"], error["field"]) == (
        "too_many_runs",
        "grid",
    )
    assert "saved optimisations" in error["message"]
