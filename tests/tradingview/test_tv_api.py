"""`/api/v1/tradingview`: admin only (links: own), bad input is a 400 naming the field,
TradingView failures keep their typed status, and every operation is logged and audited."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.fakes.tradingview import FakeTradingView
from tests.helpers import create_user, csrf_token, web_login
from tests.tradingview.helpers import PINE, linked_user
from tradedeck.audit.models import AuditEntry
from tradedeck.extensions import db
from tradedeck.tradingview.models import AccessOperation


def _admin_client(app: Flask) -> tuple[FlaskClient, dict[str, str]]:
    create_user(app, "root", role="admin")
    client = app.test_client()
    assert web_login(client, "root").status_code == 302
    return client, {"X-CSRFToken": csrf_token(client, "/manage")}


def test_customers_are_refused_admin_routes_but_manage_their_link(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    create_user(tv_app, "alice")
    client = tv_app.test_client()
    assert web_login(client).status_code == 302
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    assert client.get("/api/v1/tradingview/session").status_code == 403
    assert client.get("/manage").status_code == 403
    body = {"user_id": 1, "script_id": 1, "duration": "30d"}
    assert client.post("/api/v1/tradingview/grants", json=body, headers=headers).status_code == 403
    linked = client.put("/api/v1/tradingview/link", json={"username": "joebloggs"}, headers=headers)
    assert linked.status_code == 200 and linked.get_json() == {"username": "JoeBloggs"}
    near = client.put("/api/v1/tradingview/link", json={"username": "joe"}, headers=headers)
    assert near.status_code == 404 and near.get_json()["error"]["field"] == "username"
    assert tv_app.test_client().get("/api/v1/tradingview/link").status_code == 401


def test_a_username_belongs_to_one_account_until_fully_removed(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    linked_user(tv_app, "bob", "JoeBloggs")
    create_user(tv_app, "alice")
    client = tv_app.test_client()
    web_login(client)
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    taken = client.put("/api/v1/tradingview/link", json={"username": "JOEBLOGGS"}, headers=headers)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "taken"


def test_full_flow_over_the_api(tv_app: Flask, fake: FakeTradingView) -> None:
    client, headers = _admin_client(tv_app)
    api = "/api/v1/tradingview"
    assert client.get(f"{api}/session").get_json()["is_set"] is False
    no_session = client.post(
        f"{api}/grants", json={"user_id": 1, "script_id": 1, "duration": "7d"}, headers=headers
    )
    assert no_session.status_code == 404  # no script yet: checked before the session
    sessionid, sign = fake.new_session()
    saved = client.put(
        f"{api}/session/cookies",
        json={"sessionid": sessionid, "sessionid_sign": sign},
        headers=headers,
    )
    assert saved.status_code == 200
    state = saved.get_json()
    assert (
        state["valid"]
        and state["set_by"] == "root"
        and sessionid not in saved.get_data(as_text=True)
    )
    bad = client.post(f"{api}/scripts", json={"pine_id": "USER;abc", "name": "x"}, headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "pine_id"
    made = client.post(
        f"{api}/scripts", json={"pine_id": PINE, "name": "Smart Money"}, headers=headers
    )
    assert made.status_code == 201 and made.get_json()["warning"] is None
    script_id = made.get_json()["id"]
    dup = client.post(f"{api}/scripts", json={"pine_id": PINE, "name": "Again"}, headers=headers)
    assert dup.status_code == 409
    user = linked_user(tv_app, "alice", "JoeBloggs")
    bad_duration = client.post(
        f"{api}/grants",
        json={"user_id": user.id, "script_id": script_id, "duration": "2w"},
        headers=headers,
    )
    assert (
        bad_duration.status_code == 400 and bad_duration.get_json()["error"]["field"] == "duration"
    )
    granted = client.post(
        f"{api}/grants",
        json={"user_id": user.id, "script_id": script_id, "duration": "30d"},
        headers=headers,
    )
    assert granted.status_code == 200 and granted.get_json()["action"] == "grant"
    listed = client.get(f"{api}/grants").get_json()["grants"]
    assert [g["tv_username"] for g in listed] == ["JoeBloggs"]
    fake.knobs.edge_block = True
    blocked = client.post(
        f"{api}/grants/remove", json={"user_id": user.id, "script_id": script_id}, headers=headers
    )
    assert (
        blocked.status_code == 503
        and blocked.get_json()["error"]["code"] == "tradingview_edge_block"
    )
    fake.knobs.edge_block = False
    off = client.delete(f"{api}/scripts/{script_id}", headers=headers)
    assert off.status_code == 200 and off.get_json() == {"removed_grants": 1}
    assert fake.expiration_of(PINE, "JoeBloggs") == "absent"
    readded = client.post(
        f"{api}/scripts", json={"pine_id": PINE, "name": "Smart Money"}, headers=headers
    )
    assert readded.status_code == 201 and client.get(f"{api}/grants").get_json()["grants"] == []
    ops = client.get(f"{api}/operations").get_json()["operations"]
    actions = [(o["action"], o["result"]) for o in reversed(ops)]
    assert (
        ("grant", "ok") in actions
        and ("remove", "failed") in actions
        and ("script.remove", "ok") in actions
    )
    failed = next(o for o in ops if o["result"] == "failed")
    assert "cloudfront" in failed["answer"].lower() and failed["actor"] == "root"
    with tv_app.app_context():
        audited = db.session.scalars(select(AuditEntry.action)).all()
        assert "tradingview.grant" in audited and "tradingview.remove" in audited
        assert (
            db.session.scalar(
                select(AccessOperation).where(AccessOperation.action == "grant")
            ).tv_username
            == "JoeBloggs"
        )


def test_bulk_job_over_the_api(tv_app: Flask, fake: FakeTradingView) -> None:
    client, headers = _admin_client(tv_app)
    api = "/api/v1/tradingview"
    sessionid, sign = fake.new_session()
    client.put(
        f"{api}/session/cookies",
        json={"sessionid": sessionid, "sessionid_sign": sign},
        headers=headers,
    )
    script_id = client.post(
        f"{api}/scripts", json={"pine_id": PINE, "name": "S"}, headers=headers
    ).get_json()["id"]
    users = [linked_user(tv_app, "alice", "JoeBloggs"), linked_user(tv_app, "carol", "alice_tv")]
    body = {
        "action": "grant",
        "user_ids": [u.id for u in users],
        "script_ids": [script_id],
        "duration": "7d",
    }
    queued = client.post(f"{api}/jobs", json=body, headers=headers)
    assert queued.status_code == 202
    job = client.get(f"{api}/jobs/{queued.get_json()['id']}").get_json()
    assert job["status"] == "done" and [i["result"] for i in job["report"]] == ["ok", "ok"]
    assert client.get(f"{api}/jobs/999").status_code == 404
    empty = client.post(f"{api}/jobs", json=body | {"user_ids": []}, headers=headers)
    assert empty.status_code == 400 and empty.get_json()["error"]["field"] == "user_ids"


def test_linking_is_rate_limited_per_user(tv_app: Flask, fake: FakeTradingView) -> None:
    create_user(tv_app, "alice")
    client = tv_app.test_client()
    web_login(client)
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    answers = [
        client.put("/api/v1/tradingview/link", json={"username": "nobody"}, headers=headers)
        for _ in range(11)
    ]
    assert [a.status_code for a in answers] == [404] * 10 + [429]
    assert answers[-1].headers["Retry-After"]
    assert fake.count("/username_hint/") == 10


def test_admin_links_users_and_reconciles(tv_app: Flask, fake: FakeTradingView) -> None:
    client, headers = _admin_client(tv_app)
    api = "/api/v1/tradingview"
    user = create_user(tv_app, "alice")
    put = client.put(f"{api}/links/{user.id}", json={"username": "ALICE_TV"}, headers=headers)
    assert put.status_code == 200 and put.get_json() == {"username": "alice_tv"}
    assert (
        client.put(f"{api}/links/9999", json={"username": "alice_tv"}, headers=headers).status_code
        == 404
    )
    assert client.post(f"{api}/reconcile", headers=headers).status_code == 409  # no session
    sessionid, sign = fake.new_session()
    client.put(
        f"{api}/session/cookies",
        json={"sessionid": sessionid, "sessionid_sign": sign},
        headers=headers,
    )
    script_id = client.post(
        f"{api}/scripts", json={"pine_id": PINE, "name": "S"}, headers=headers
    ).get_json()["id"]
    client.post(
        f"{api}/grants",
        json={"user_id": user.id, "script_id": script_id, "duration": "7d"},
        headers=headers,
    )
    assert client.post(f"{api}/reconcile", headers=headers).get_json() == {"scripts": {}}
    fake.grant(PINE, "JoeBloggs", None)  # granted on the website
    del fake.grants[(PINE, "alice_tv")]  # removed on the website
    drift = client.post(f"{api}/reconcile", headers=headers).get_json()["scripts"][PINE]
    assert drift == {
        "missing_on_tradingview": ["alice_tv"],
        "unknown_to_tradedeck": ["JoeBloggs"],
        "expiry_differs": [],
    }
    page = client.get("/manage").get_data(as_text=True)
    assert "missing on TradingView: alice_tv" in page and "unknown to TradeDeck: JoeBloggs" in page
    removed = client.delete(f"{api}/links/{user.id}", headers=headers)
    assert removed.status_code == 200 and removed.get_json() == {"removed_grants": 1}


def test_check_now_probes_and_marks_a_dead_session(tv_app: Flask, fake: FakeTradingView) -> None:
    client, headers = _admin_client(tv_app)
    api = "/api/v1/tradingview"
    assert client.post(f"{api}/session/check", headers=headers).status_code == 409  # none set
    sessionid, sign = fake.new_session()
    client.put(
        f"{api}/session/cookies",
        json={"sessionid": sessionid, "sessionid_sign": sign},
        headers=headers,
    )
    assert client.post(f"{api}/session/check", headers=headers).get_json()["valid"] is True
    fake.revoke(sessionid)
    dead = client.post(f"{api}/session/check", headers=headers).get_json()
    assert (
        dead["valid"] is False
        and dead["is_set"] is True
        and "paste fresh cookies" in dead["problem"]
    )
    page = client.get("/manage").get_data(as_text=True)
    assert "needs renewal" in page
    assert client.delete(f"{api}/session", headers=headers).get_json()["is_set"] is False
    ops = [o["action"] for o in client.get(f"{api}/operations").get_json()["operations"]]
    assert ops[:3] == ["session.clear", "session.check", "session.check"]
    assert fake.count("/accounts/signin/") == 0


def test_registering_warns_about_ids_the_account_cannot_manage(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    client, headers = _admin_client(tv_app)
    api = "/api/v1/tradingview"
    short = client.post(
        f"{api}/scripts", json={"pine_id": "PUB;abc", "name": "Short"}, headers=headers
    )
    assert short.status_code == 201 and "3 characters" in short.get_json()["warning"]
    sessionid, sign = fake.new_session()
    client.put(
        f"{api}/session/cookies",
        json={"sessionid": sessionid, "sessionid_sign": sign},
        headers=headers,
    )
    owned = client.post(f"{api}/scripts", json={"pine_id": PINE, "name": "Owned"}, headers=headers)
    assert owned.get_json()["warning"] is None
    stranger = "PUB;" + "e" * 32
    other = client.post(
        f"{api}/scripts", json={"pine_id": stranger, "name": "Other"}, headers=headers
    )
    assert other.status_code == 201 and "does not list this id" in other.get_json()["warning"]
