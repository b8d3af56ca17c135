import json

import pytest
from werkzeug.exceptions import TooManyRequests

from tests.helpers import create_user, web_login
from tests.market.helpers import NOW, add_sim
from tradedeck.market.engine import PriceEngine
from tradedeck.market.lock import FileLock
from tradedeck.market.stream import SLOTS_KEY, StreamSlots


def _events(chunks) -> list[tuple[str, dict | None]]:
    out = []
    for block in b"".join(chunks).decode().split("\n\n"):
        lines = dict(
            line.split(": ", 1)
            for line in block.splitlines()
            if ": " in line and not line.startswith(":")
        )
        if "event" in lines:
            out.append((lines["event"], json.loads(lines["data"])))
        elif block.startswith(": heartbeat"):
            out.append(("heartbeat", None))
    return out


def test_stream_sends_snapshot_ticks_candles_heartbeats_and_ends(app, member):
    add_sim(app, "ACME", days=0.1)
    add_sim(app, "WAYNE", days=0.1)
    app.config["MARKET_SSE_MAX_SECS"] = 1.0
    response = member.get("/api/v1/stream?symbols=ACME&interval=5m", buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    body = iter(response.response)
    chunks = [next(body), next(body)]  # retry hint, snapshot tick
    engine = PriceEngine(
        app, lock=FileLock(app.config["TRADEDECK"].instance_path / "e.lock"), seed=3
    )
    with app.app_context():
        engine.step(NOW + 2)
    engine.close()
    chunks += list(body)  # runs until the stream's time limit
    response.close()
    events = _events(chunks)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "tick" and kinds[-1] == "end"
    assert events[0][1]["symbol"] == "ACME" and events[0][1]["price"] == "100.00"
    live = [data for kind, data in events[1:] if kind == "tick"]
    assert [t["symbol"] for t in live] == ["ACME"]
    assert live[0]["time"] == NOW + 2
    candle = next(data for kind, data in events if kind == "candle")
    assert candle["interval"] == "5m" and candle["time"] == (NOW + 2) // 300 * 300
    assert "heartbeat" in kinds


def test_stream_bad_input(app, member):
    assert member.get("/api/v1/stream").status_code == 400
    assert member.get("/api/v1/stream?symbols=NOPE").get_json()["error"]["field"] == "symbols"
    add_sim(app, "ACME", days=0.1)
    assert (
        member.get("/api/v1/stream?symbols=ACME&interval=3m").get_json()["error"]["field"]
        == "interval"
    )


def _slots(app) -> StreamSlots:
    return app.extensions[SLOTS_KEY]


def test_open_streams_are_capped_per_user_with_retry_after(app, member):
    """Each stream holds a server thread for minutes: a few tabs took every thread."""
    add_sim(app, "ACME", days=0.1)
    app.config["MARKET_SSE_MAX_SECS"] = 60.0
    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(update=dict(stream_max_per_user=2))
    first = member.get("/api/v1/stream?symbols=ACME", buffered=False)
    second = member.get("/api/v1/stream?symbols=ACME", buffered=False)
    assert first.status_code == second.status_code == 200
    refused = member.get("/api/v1/stream?symbols=ACME")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and "2 open streams per user" in error["message"]
    first.close()  # the server closes the response when the client goes away
    third = member.get("/api/v1/stream?symbols=ACME", buffered=False)
    assert third.status_code == 200
    second.close()
    third.close()
    assert _slots(app).open == 0


def test_open_streams_are_capped_per_process(app, member):
    add_sim(app, "ACME", days=0.1)
    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(
        update=dict(stream_max_per_user=5, stream_max_per_process=2)
    )
    create_user(app, "bob")
    other = app.test_client()
    assert web_login(other, "bob").status_code == 302
    streams = [member.get("/api/v1/stream?symbols=ACME", buffered=False) for _ in range(2)]
    assert all(s.status_code == 200 for s in streams)
    refused = other.get("/api/v1/stream?symbols=ACME")
    assert refused.status_code == 429
    assert "per server process" in refused.get_json()["error"]["message"]
    for s in streams:
        s.close()
    assert other.get("/api/v1/stream?symbols=ACME", buffered=False).status_code == 200


def test_stream_slot_is_freed_however_the_stream_ends(app, member):
    """Ran to its end, left mid-way by the client, or never started: the count goes back."""
    add_sim(app, "ACME", days=0.1)
    app.config["MARKET_SSE_MAX_SECS"] = 0.3
    ended = member.get("/api/v1/stream?symbols=ACME", buffered=False)
    assert b"event: end" in b"".join(ended.response)
    ended.close()
    left = member.get("/api/v1/stream?symbols=ACME", buffered=False)
    next(iter(left.response))
    assert _slots(app).open_for("1") == 1
    left.close()  # generator closed mid-stream
    never = member.get("/api/v1/stream?symbols=ACME", buffered=False)
    never.close()
    assert _slots(app).open == 0
    assert member.get("/api/v1/stream?symbols=NOPE").status_code == 404
    assert _slots(app).open == 0


def test_stream_slots_release_is_idempotent():
    slots = StreamSlots()
    limits = {"per_user": 1, "per_process": 1, "max_secs": 300}
    release = slots.acquire("7", **limits)
    release()
    release()
    assert slots.open == 0 and slots.open_for("7") == 0
    slots.acquire("8", **limits)
    with pytest.raises(TooManyRequests) as refused:
        slots.acquire("9", **limits)
    assert 299 <= int(dict(refused.value.get_headers())["Retry-After"]) <= 300
