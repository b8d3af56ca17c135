import json

from tests.market.conftest import NOW, add_sim
from tradedeck.market.engine import PriceEngine
from tradedeck.market.lock import FileLock


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
