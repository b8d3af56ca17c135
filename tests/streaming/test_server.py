"""The ASGI stream server: the web app's credentials, format, errors and caps."""

from __future__ import annotations

import requests
from flask import Flask

from tests.helpers import api_login, create_user, web_login
from tests.market.helpers import NOW, add_sim
from tests.streaming.helpers import Events, serving
from tradedeck.accounts.services import create_api_key, revoke_sessions
from tradedeck.extensions import db
from tradedeck.market.engine import PriceEngine
from tradedeck.market.lock import FileLock


def _session_cookie(app: Flask) -> dict[str, str]:
    client = app.test_client()
    assert web_login(client, "alice").status_code == 302
    return {"Cookie": f"session={client.get_cookie('session').value}"}


def _kinds(events: list) -> list[str]:
    return [kind for kind, _ in events]


def test_session_cookie_stream_has_the_web_format(app: Flask) -> None:
    add_sim(app, "ACME", days=0.1)
    add_sim(app, "WAYNE", days=0.1)
    create_user(app, "alice")
    app.config.update(MARKET_SSE_MAX_SECS=2.0, MARKET_SSE_HEARTBEAT_SECS=0.3)
    with serving(app) as (base, streams):
        response = requests.get(
            f"{base}/api/v1/stream?symbols=ACME&interval=5m",
            headers=_session_cookie(app),
            stream=True,
            timeout=10,
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        reader = Events(response)
        first = reader.until(lambda e: len(e) >= 1)
        assert first[0][0] == "tick" and first[0][1]["price"] == "100.00"
        assert streams.hub.clients == 1
        engine = PriceEngine(
            app, lock=FileLock(app.config["TRADEDECK"].instance_path / "e.lock"), seed=3
        )
        with app.app_context():
            engine.step(NOW + 2)
        engine.close()
        events = reader.until(lambda e: e[-1][0] == "end")
    live = [data for kind, data in events[1:] if kind == "tick"]
    assert [t["symbol"] for t in live] == ["ACME"] and live[0]["time"] == NOW + 2
    assert set(live[0]) == {"symbol", "venue", "price", "previous_close", "time"}
    candle = next(data for kind, data in events if kind == "candle")
    assert candle["interval"] == "5m" and candle["time"] == (NOW + 2) // 300 * 300
    assert "heartbeat" in _kinds(events)
    assert events[-1] == ("end", {"reason": "timeout"})


def test_bearer_jwt_and_api_key_open_streams_and_errors_match_the_web_app(app: Flask) -> None:
    add_sim(app, "ACME", days=0.1)
    user = create_user(app, "alice")
    token = api_login(app.test_client(), "alice")
    with app.app_context():
        key = create_api_key(db.session.merge(user), "streams").clear
    with serving(app) as (base, _streams):
        url = f"{base}/api/v1/stream?symbols=ACME"
        for headers in ({"Authorization": f"Bearer {token}"}, {"X-API-Key": key}):
            with requests.get(url, headers=headers, stream=True, timeout=10) as response:
                assert response.status_code == 200
                assert Events(response).until(bool)[0][0] == "tick"
        anonymous = requests.get(url, timeout=10)
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "unauthorized"
        bad_key = requests.get(url, headers={"X-API-Key": "td_nope"}, timeout=10)
        assert bad_key.json()["error"]["code"] == "invalid_api_key"
        auth = {"Authorization": f"Bearer {token}"}
        unknown = requests.get(f"{base}/api/v1/stream?symbols=NOPE", headers=auth, timeout=10)
        assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "symbols"
        bad = requests.get(f"{url}&interval=3m", headers=auth, timeout=10)
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "interval"
        missing = requests.get(f"{base}/api/v1/stream", headers=auth, timeout=10)
        assert missing.status_code == 400 and missing.json()["error"]["field"] == "symbols"
        with app.app_context():
            revoke_sessions(db.session.merge(user))
        revoked = requests.get(url, headers=auth, timeout=10)
        assert revoked.status_code == 401
        assert revoked.json()["error"]["code"] == "token_revoked"


def test_streams_are_capped_per_user_and_per_server(app: Flask) -> None:
    add_sim(app, "ACME", days=0.1)
    create_user(app, "alice")
    create_user(app, "bob")
    app.config["MARKET_SSE_MAX_SECS"] = 60.0
    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(
        update={"stream_max_per_user": 2, "stream_server_max_clients": 3}
    )
    alice = {"Authorization": f"Bearer {api_login(app.test_client(), 'alice')}"}
    bob = {"Authorization": f"Bearer {api_login(app.test_client(), 'bob')}"}
    with serving(app) as (base, streams):
        url = f"{base}/api/v1/stream?symbols=ACME"
        opened = [requests.get(url, headers=alice, stream=True, timeout=10) for _ in range(2)]
        assert [r.status_code for r in opened] == [200, 200]
        refused = requests.get(url, headers=alice, timeout=10)
        assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "2 open streams per user" in refused.json()["error"]["message"]
        opened.append(requests.get(url, headers=bob, stream=True, timeout=10))
        full = requests.get(url, headers=bob, timeout=10)
        assert full.status_code == 429 and "3 open streams" in full.json()["error"]["message"]
        for response in opened:
            Events(response).until(bool)
            response.close()
        healthz = requests.get(f"{base}/healthz", timeout=10).json()
        assert healthz["status"] == "ok"
    assert streams.slots.open == 0
