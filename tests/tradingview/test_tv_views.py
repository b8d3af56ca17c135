"""`/manage`: admin only, every form posts with CSRF and answers with a flash message."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.fakes.tradingview import FakeTradingView
from tests.helpers import create_user, csrf_token, web_login
from tests.tradingview.helpers import PINE, add_script, linked_user, store_session
from tradedeck.extensions import db
from tradedeck.tradingview import services
from tradedeck.tradingview.models import BulkJob


def _admin(app: Flask) -> tuple[FlaskClient, str]:
    create_user(app, "root", role="admin")
    client = app.test_client()
    assert web_login(client, "root").status_code == 302
    return client, csrf_token(client, "/manage")


def test_manage_flow_with_flash_messages(tv_app: Flask, fake: FakeTradingView) -> None:
    client, token = _admin(tv_app)
    page = client.get("/manage").get_data(as_text=True)
    assert "No session yet" in page and "No scripts registered" in page
    assert "Nobody has access yet" in page

    def post(path: str, **data: str) -> str:
        prefixes = {key.split("-")[0] for key in data if "-" in key}
        tokens = {f"{p}-csrf_token": token for p in prefixes} or {"csrf_token": token}
        response = client.post(path, data={**tokens, **data}, follow_redirects=True)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    rejected = post(
        "/manage/session/cookies",
        **{"cookies-sessionid": "a" * 32, "cookies-sessionid_sign": "v1:x"},
    )
    assert "does not accept these cookies" in rejected
    sessionid, sign = fake.new_session()
    saved = post(
        "/manage/session/cookies",
        **{"cookies-sessionid": sessionid, "cookies-sessionid_sign": sign},
    )
    assert "session of ScriptOwner saved" in saved and sessionid not in saved and "by root" in saved
    assert "A Pine script id looks like" in post("/manage/scripts", pine_id="USER;x", name="x")
    assert "PUB;3be120ba" in post("/manage/scripts", pine_id=PINE, name="Smart Money")
    user = create_user(tv_app, "alice")
    assert "no user named" in post(
        "/manage/links", **{"link-user_id": str(user.id), "link-username": "joe"}
    )
    assert "Linked TradingView user JoeBloggs" in post(
        "/manage/links", **{"link-user_id": str(user.id), "link-username": "JOEBLOGGS"}
    )
    granted = post(
        "/manage/grants",
        **{"grant-user_id": str(user.id), "grant-script_id": "1", "grant-duration": "30d"},
    )
    assert "access granted on" in granted and 'data-user="alice"' in granted
    extended = post(f"/manage/grants/{user.id}/1/extend", **{"extend-duration": "30d"})
    assert "access extended on" in extended
    removed = post(f"/manage/grants/{user.id}/1/remove")
    assert "removed" in removed and fake.expiration_of(PINE, "JoeBloggs") == "absent"
    assert "Nobody has access yet" in removed


def test_manage_needs_admin_and_csrf(tv_app: Flask) -> None:
    create_user(tv_app, "alice")
    client = tv_app.test_client()
    assert client.get("/manage").status_code == 302  # to the login page
    web_login(client)
    assert client.get("/manage").status_code == 403
    assert client.post("/manage/scripts", data={"pine_id": PINE, "name": "x"}).status_code in (
        400,
        403,
    )
    admin_client, _ = _admin(tv_app)
    assert (
        admin_client.post("/manage/scripts", data={"pine_id": PINE, "name": "x"}).status_code == 400
    )


def test_linked_grant_on_another_users_row_shows_in_table(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    client, _token = _admin(tv_app)
    linked_user(tv_app, "carol", "alice_tv")
    assert "alice_tv" in client.get("/manage").get_data(as_text=True)


def test_users_link_their_own_username_and_see_their_access(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    user = create_user(tv_app, "alice")
    client = tv_app.test_client()
    web_login(client)
    token = csrf_token(client, "/tradingview")
    page = client.get("/tradingview").get_data(as_text=True)
    assert "No script access yet" in page and "own-link-form" in page
    near = client.post(
        "/tradingview/link", data={"csrf_token": token, "username": "joe"}, follow_redirects=True
    )
    assert "no user named" in near.get_data(as_text=True)
    linked = client.post(
        "/tradingview/link",
        data={"csrf_token": token, "username": "joebloggs"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Linked to TradingView user JoeBloggs" in linked
    store_session(tv_app, fake)
    script_id = add_script(tv_app)
    with tv_app.app_context():
        services.grant("root", user.id, script_id, "lifetime")
    assert "lifetime" in client.get("/tradingview").get_data(as_text=True)
    unlinked = client.post(
        "/tradingview/unlink", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "access removed on 1 script(s)" in unlinked
    assert fake.expiration_of(PINE, "JoeBloggs") == "absent"
    assert client.post("/tradingview/unlink", data={}).status_code == 400  # no CSRF: refused


def test_bulk_jobs_show_their_items_and_poll_while_busy(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    client, token = _admin(tv_app)
    store_session(tv_app, fake)
    script_id = add_script(tv_app)
    ok, ghost = linked_user(tv_app, "alice", "JoeBloggs"), linked_user(tv_app, "gone", "ghost_tv")
    done = client.post(
        "/manage/jobs",
        data={
            "bulk-csrf_token": token,
            "bulk-action": "grant",
            "bulk-user_ids": [str(ok.id), str(ghost.id)],
            "bulk-script_ids": [str(script_id)],
            "bulk-duration": "7d",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Bulk job #1 queued (done)" in done
    assert "1 done, 1 not" in done and "gone · Smart Money: failed" in done
    assert 'hx-trigger="every 3s"' not in done
    with tv_app.app_context():
        db.session.add(
            BulkJob(actor="root", action="remove", user_ids=[ok.id], script_ids=[script_id])
        )
        db.session.commit()
    busy = client.get("/manage").get_data(as_text=True)
    assert 'hx-trigger="every 3s"' in busy and "spinner-border" in busy


def test_reconcile_button(tv_app: Flask, fake: FakeTradingView) -> None:
    client, token = _admin(tv_app)
    store_session(tv_app, fake)
    add_script(tv_app)
    assert 'id="reconcile-button"' in client.get("/manage").get_data(as_text=True)
    clean = client.post("/manage/reconcile", data={"csrf_token": token}, follow_redirects=True)
    assert "grants match TradingView" in clean.get_data(as_text=True)
    fake.grant(PINE, "joe123", None)
    drift = client.post("/manage/reconcile", data={"csrf_token": token}, follow_redirects=True)
    text = drift.get_data(as_text=True)
    assert "Drift on 1 script(s)" in text and "unknown to TradeDeck: joe123" in text
