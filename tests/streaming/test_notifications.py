"""The bell's feed on the stream server: the web app's events, one poller for all streams."""

from __future__ import annotations

import requests
from flask import Flask

from tests.helpers import api_login, create_user
from tests.streaming.helpers import Events, serving
from tradedeck.alerts.models import Notification
from tradedeck.extensions import db
from tradedeck.streaming.notifications import fetch_new, since


def _notify(app: Flask, user_id: int, key: str) -> int:
    with app.app_context():
        row = Notification(user_id=user_id, key=key, kind="alert", title=f"Alert {key}",
                           body="ACME crossed 101", url="/alerts")  # fmt: skip
        db.session.add(row)
        db.session.commit()
        return row.id


def test_notifications_reach_their_user_only_and_resume_after(app: Flask) -> None:
    alice = create_user(app, "alice")
    bob = create_user(app, "bob")
    app.config.update(ALERTS_STREAM_POLL_SECS=0.2, MARKET_SSE_HEARTBEAT_SECS=0.3)
    old = _notify(app, alice.id, "old")
    auth = {"Authorization": f"Bearer {api_login(app.test_client(), 'alice')}"}
    bob_auth = {"Authorization": f"Bearer {api_login(app.test_client(), 'bob')}"}
    with serving(app) as (base, streams):
        url = f"{base}/api/v1/notifications/stream"
        live = requests.get(url, headers=auth, stream=True, timeout=10)
        assert live.status_code == 200 and live.headers["x-accel-buffering"] == "no"
        other = requests.get(url, headers=bob_auth, stream=True, timeout=10)
        assert other.status_code == 200
        events = Events(live)
        new = _notify(app, alice.id, "new")
        _notify(app, bob.id, "bobs")
        seen = events.until(lambda e: any(k == "notification" for k, _ in e))
        note = next(d for k, d in seen if k == "notification")
        assert note["id"] == new and note["title"] == "Alert new" and note["unread"] == 2
        assert not any(k == "notification" and d["id"] == old for k, d in seen)
        bob_seen = Events(other).until(lambda e: any(k == "notification" for k, _ in e))
        assert [d["title"] for k, d in bob_seen if k == "notification"] == ["Alert bobs"]
        live.close()
        other.close()

        caught_up = requests.get(f"{url}?after={old - 1}", headers=auth, stream=True, timeout=10)
        first = Events(caught_up).until(lambda e: len(e) >= 2)
        assert [d["id"] for _, d in first[:2]] == [old, new]
        caught_up.close()
        assert requests.get(url, timeout=10).status_code == 401
        bad = requests.get(f"{url}?after=-1", headers=auth, timeout=10)
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "after"
    assert streams.notes.users == []


def test_a_notification_written_while_a_stream_joins_is_not_lost(app: Flask) -> None:
    """The race the poller used to lose: the stream opens (catch-up read), its row is written
    and polled before the stream joins the hub, then it joins. The poll moves past the row
    with nobody to send it to; the catch-up read after joining finds it."""
    alice = create_user(app, "alice")
    bob = create_user(app, "bob")
    start = _notify(app, alice.id, "before")
    last_id, items = fetch_new(app, None, [])
    assert (last_id, items) == (start, [])
    row = _notify(app, bob.id, "racing")
    last_id, items = fetch_new(app, last_id, [])
    assert (last_id, items) == (row, [])
    assert [n["id"] for n in since(app, str(bob.id), start)] == [row]

    late = _notify(app, bob.id, "joined")
    _, items = fetch_new(app, last_id, [alice.id])
    assert [(user, n["id"]) for user, n in items] == [(str(bob.id), late)]
