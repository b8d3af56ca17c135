"""POST /api/v1/analytics/<study> and the root overlay routes (/swings, /BOS, /getGap)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analysis.helpers import records, walk
from tests.helpers import csrf_token
from tradedeck.core.analytics import ALIASES, MAX_CANDLES, STUDIES, analyze

SERIES = walk(600, seed=3)
DATA = records(SERIES)


@pytest.mark.parametrize("study", [*STUDIES, *ALIASES])
def test_each_study_equals_analyze(client, auth, study):
    response = client.post(f"/api/v1/analytics/{study}", json={"data": DATA}, headers=auth)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == analyze(SERIES, [study])[study]


def test_params_and_iso_times_are_accepted(client, auth):
    data = records(SERIES, slice(0, 200))
    for row in data:
        row["time"] = _iso(row["time"])
    params = {"length": 5, "break_on": "wick"}
    response = client.post(
        "/api/v1/analytics/ob", json={"data": data, "params": params}, headers=auth
    )
    expected = analyze(data, ["ob"], {"ob": params})["ob"]
    assert response.get_json() == expected
    assert expected["params"] == params and expected["events"]


def _iso(epoch: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def _row(**changes: Any) -> dict[str, Any]:
    return {**DATA[1], **changes}


BAD_BODIES = [
    ({"data": [DATA[0], _row(high="x")]}, "data.high"),
    ({"data": [DATA[0], _row(close=None)]}, "data.close"),
    ({"data": [DATA[0], _row(low=DATA[1]["high"] + 1)]}, "data.high"),
    ({"data": [DATA[1], DATA[0]]}, "data.time"),
    ({"data": [DATA[0], DATA[0]]}, "data.time"),
    ({"data": [DATA[0], _row(time="not a time")]}, "data.time"),
    ({"data": [DATA[0], {"time": 1}]}, "data.open"),
    ({"data": [DATA[0], 7]}, "data.1"),
    ({"data": "candles"}, "data"),
    ({"rows": DATA}, "data"),
    ({"data": DATA, "params": {"colour": "red"}}, "params.colour"),
    ({"data": DATA, "params": {"length": 0}}, "params.length"),
    ({"data": DATA, "params": [1]}, "params"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_bad_body_is_a_400_naming_the_field(client, auth, body, field):
    response = client.post("/api/v1/analytics/swings", json=body, headers=auth)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["field"] == field


def test_nan_is_rejected(client, auth):
    body = json.dumps({"data": [DATA[0], _row(open=float("nan"))]})
    headers = {**auth, "Content-Type": "application/json"}
    response = client.post("/api/v1/analytics/swings", data=body, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "data.open"


def test_not_json_and_unknown_study(client, auth):
    response = client.post(
        "/api/v1/analytics/swings",
        data="{nope",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    response = client.post("/api/v1/analytics/magic", json={"data": DATA}, headers=auth)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "study"


def test_too_many_candles(client, auth):
    response = client.post(
        "/api/v1/analytics/swings", json={"data": [{}] * (MAX_CANDLES + 1)}, headers=auth
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "data"


def test_login_is_required(client):
    response = client.post("/api/v1/analytics/swings", json={"data": DATA})
    assert response.status_code == 401


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
CANDLE = st.fixed_dictionaries(
    {k: JSON for k in ("time", "open", "high", "low", "close")}, optional={"volume": JSON}
)
BODIES = (
    JSON
    | st.fixed_dictionaries({"data": st.lists(CANDLE, max_size=6)}, optional={"params": JSON})
    | st.fixed_dictionaries({"data": JSON})
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=BODIES,
    route=st.sampled_from(["/api/v1/analytics/fvg", "/api/v1/analytics/rsi", "/getGap"]),
)
def test_junk_bodies_never_500(logged_in, body, route):
    token = csrf_token(logged_in, "/")
    response = logged_in.post(
        route,
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    assert response.is_json
    if response.status_code == 400:
        assert response.get_json()["error"]["message"]


class TestSeedRoutes:
    """Session + CSRF, JSON errors, and the overlay shapes the chart draws."""

    def post(self, client, path: str, body: Any, token: str | None = None):
        headers = {"X-CSRFToken": token} if token else {}
        return client.post(path, json=body, headers=headers)

    def test_shapes(self, logged_in):
        token = csrf_token(logged_in, "/")
        full = analyze(SERIES, ["swings", "structure", "gaps"])
        markers = self.post(logged_in, "/swings", {"data": DATA}, token).get_json()["markers"]
        assert [(m["time"], m["type"], m["level"]) for m in markers] == [
            (e["time"], e["type"], e["level"]) for e in full["swings"]["events"]
        ]
        assert {(m["type"], m["position"], m["shape"]) for m in markers} == {
            ("high", "aboveBar", "arrowDown"),
            ("low", "belowBar", "arrowUp"),
        }
        lines = self.post(logged_in, "/BOS", {"data": DATA}, token).get_json()["lines"]
        assert lines == [
            {
                "from_time": e["swing_time"],
                "to_time": e["time"],
                "level": e["level"],
                "direction": e["direction"],
                "kind": e["kind"],
            }
            for e in full["structure"]["events"]
        ]
        gaps = self.post(logged_in, "/getGap", {"data": DATA}, token).get_json()["gaps"]
        assert gaps and [(g["from_time"], g["to_time"]) for g in gaps] == [
            (e["time"], e["filled_time"]) for e in full["gaps"]["events"]
        ]

    def test_params(self, logged_in):
        token = csrf_token(logged_in, "/")
        body = {"data": DATA, "params": {"length": 5}}
        markers = self.post(logged_in, "/swings", body, token).get_json()["markers"]
        expected = analyze(SERIES, ["swings"], {"swings": {"length": 5}})["swings"]["events"]
        assert [m["time"] for m in markers] == [e["time"] for e in expected]

    @pytest.mark.parametrize("path", ["/swings", "/BOS", "/getGap"])
    def test_login_required_as_json(self, client, path):
        response = self.post(client, path, {"data": DATA})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"

    def test_csrf_required_for_session_users(self, logged_in):
        response = self.post(logged_in, "/swings", {"data": DATA})
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "csrf_failed"

    def test_bad_body_is_json_400(self, logged_in):
        token = csrf_token(logged_in, "/")
        response = self.post(logged_in, "/BOS", {"data": [DATA[1], DATA[0]]}, token)
        assert response.status_code == 400
        assert response.get_json()["error"]["field"] == "data.time"
        response = logged_in.post("/getGap", data="nope", headers={"X-CSRFToken": token})
        assert response.status_code == 400 and response.is_json
