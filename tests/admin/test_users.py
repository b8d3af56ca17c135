from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.admin.core_helpers import audit_rows, fresh_user, post_form
from tests.helpers import PASSWORD, api_login, create_user, csrf_token, web_login
from tradedeck.accounts import services as accounts
from tradedeck.accounts.models import User
from tradedeck.extensions import db, events
from tradedeck.tradingview.models import TradingViewLink


def _edit(client: FlaskClient, user_id: int, email: str, role: str) -> TestResponse:
    """Submit the edit form of `user_id` (active stays checked)."""
    data = {"email": email, "role": role, "active": "y"}
    return post_form(client, f"/admin/users/{user_id}/edit", data)


def test_list_searches_filters_and_pages(app: Flask, root_web: FlaskClient, alice: User) -> None:
    for i in range(30):
        create_user(app, f"cust{i:02d}", active=i % 2 == 0)
    page = root_web.get("/admin/users?q=cust&active=inactive").get_data(as_text=True)
    assert 'data-user="cust01"' in page and 'data-user="cust02"' not in page
    assert 'data-user="alice"' not in page and "15 rows" in page
    first = root_web.get("/admin/users?q=cust").get_data(as_text=True)
    second = root_web.get("/admin/users?q=cust&page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count("data-user=") == 25 and second.count("data-user=") == 5
    admins = root_web.get("/admin/users?role=admin").get_data(as_text=True)
    assert 'data-user="root"' in admins and 'data-user="alice"' not in admins
    partial = root_web.get("/admin/users?q=alice", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True)
    assert 'data-user="alice"' in partial.get_data(as_text=True)


def test_bad_filter_names_the_field(root_web: FlaskClient) -> None:
    page = root_web.get("/admin/users?since=yesterday").get_data(as_text=True)
    assert 'data-field="since"' in page
    page = root_web.get("/admin/users?since=2026-02-02&until=2026-01-01").get_data(as_text=True)
    assert 'data-field="until"' in page
    assert 'data-field="page"' in root_web.get("/admin/users?page=0").get_data(as_text=True)


def test_detail_shows_account_portfolio_and_logins(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    web_login(app.test_client(), "alice", "wrong-one-1")
    with app.app_context():
        accounts.create_api_key(db.session.get(User, alice.id), "my bot")
        db.session.add(
            TradingViewLink(user_id=alice.id, username="AliceTV", username_key="alicetv")
        )
        db.session.commit()
    page = root_web.get(f"/admin/users/{alice.id}").get_data(as_text=True)
    for part in ("Portfolio", "Orders", "Cash ledger", "API keys", "Login history", "my bot"):
        assert part in page
    assert "wrong password" in page
    assert '<dd class="col-7" id="tradingview-username">AliceTV</dd>' in page
    assert root_web.get("/admin/users/99999").status_code == 404


def test_deactivation_announces_itself_after_commit(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    """Other features (TradingView access) react to `admin.user_deactivated` by name; it comes
    once per deactivation, after the commit, and the page says reactivation grants nothing."""
    page = root_web.get(f"/admin/users/{alice.id}").get_data(as_text=True)
    assert "reactivating does not grant it back" in page
    seen: list[tuple[int, bool]] = []

    def receiver(user: User, **_: object) -> None:
        seen.append((user.id, fresh_user(app, user.id).active))  # a fresh session: committed

    with events.signal("admin.user_deactivated").connected_to(receiver):
        assert post_form(root_web, f"/admin/users/{alice.id}/deactivate", {}).status_code == 302
        post_form(root_web, f"/admin/users/{alice.id}/deactivate", {})  # already: refused
    assert seen == [(alice.id, False)]


def test_edit_is_validated_and_audited_in_one_transaction(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    bad = _edit(root_web, alice.id, "nope", "customer")
    assert bad.status_code == 200 and "Invalid email address" in bad.get_data(as_text=True)
    taken = _edit(root_web, alice.id, "root@example.com", "customer")
    assert "already registered" in taken.get_data(as_text=True)
    assert audit_rows(app) == [] and fresh_user(app, alice.id).email == "alice@example.com"
    ok = _edit(root_web, alice.id, "Alice2@Example.com", "admin")
    assert ok.status_code == 302
    user = fresh_user(app, alice.id)
    assert (user.email, user.role) == ("alice2@example.com", "admin")
    [entry] = audit_rows(app)
    assert entry.action == "user.update" and entry.actor == "root"
    assert entry.before == {"email": "alice@example.com", "role": "customer"}
    assert entry.after == {"email": "alice2@example.com", "role": "admin"}


def test_writes_need_the_csrf_token(app: Flask, root_web: FlaskClient, alice: User) -> None:
    response = root_web.post(f"/admin/users/{alice.id}/deactivate")
    assert response.status_code in (302, 400)
    assert fresh_user(app, alice.id).active and audit_rows(app) == []
    response = root_web.post(
        f"/admin/users/{alice.id}/edit", data={"email": "x@example.com", "role": "admin"}
    )
    assert response.status_code in (200, 400) and fresh_user(app, alice.id).role == "customer"


def test_admins_cannot_demote_deactivate_or_reset_themselves(
    app: Flask, root_web: FlaskClient, root: User
) -> None:
    demote = _edit(root_web, root.id, "root@example.com", "customer")
    assert "cannot demote your own account" in demote.get_data(as_text=True)
    page = post_form(root_web, f"/admin/users/{root.id}/deactivate", follow_redirects=True)
    assert "cannot deactivate your own account" in page.get_data(as_text=True)
    post_form(root_web, f"/admin/users/{root.id}/reset-password")
    user = fresh_user(app, root.id)
    assert (user.role, user.active, user.must_change_password) == ("admin", True, False)
    assert audit_rows(app) == []


def test_the_last_active_admin_stays_one(app: Flask, root_web: FlaskClient, root: User) -> None:
    other = create_user(app, "second", role="admin")
    assert post_form(root_web, f"/admin/users/{other.id}/deactivate").status_code == 302
    runner = app.test_cli_runner()  # no signed-in admin: only the last-admin rule applies
    for args in (["user", "set-role", "root", "customer"], ["user", "deactivate", "root"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "last active admin" in result.output
    assert fresh_user(app, root.id).is_admin and fresh_user(app, root.id).active
    assert post_form(root_web, f"/admin/users/{other.id}/reactivate").status_code == 302
    assert runner.invoke(args=["user", "set-role", "second", "customer"]).exit_code == 0
    assert [e.action for e in audit_rows(app)] == [
        "user.deactivate",
        "user.reactivate",
        "user.update",
    ]


def test_deactivate_revokes_sessions_tokens_and_api_keys_at_once(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    browser = app.test_client()
    assert web_login(browser).status_code == 302
    bearer = api_login(app.test_client())
    with app.app_context():
        key = accounts.create_api_key(db.session.get(User, alice.id), "bot").clear
    assert app.test_client().get("/api/v1/auth/me", headers={"X-API-Key": key}).status_code == 200
    assert post_form(root_web, f"/admin/users/{alice.id}/deactivate").status_code == 302
    assert browser.get("/profile").status_code == 302  # signed out
    api = app.test_client()
    assert (
        api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {bearer}"}).status_code == 401
    )
    assert api.get("/api/v1/auth/me", headers={"X-API-Key": key}).status_code == 401
    assert web_login(app.test_client()).status_code == 200  # refused: disabled
    [entry] = audit_rows(app)
    assert entry.action == "user.deactivate" and entry.after["api_keys_revoked"] == 1
    assert post_form(root_web, f"/admin/users/{alice.id}/reactivate").status_code == 302
    assert web_login(app.test_client()).status_code == 302
    assert (
        api.get("/api/v1/auth/me", headers={"X-API-Key": key}).status_code == 401
    )  # stays revoked
    assert [e.action for e in audit_rows(app)] == ["user.deactivate", "user.reactivate"]


def test_temporary_password_must_be_changed_at_next_login(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    browser = app.test_client()
    assert web_login(browser).status_code == 302
    page = post_form(root_web, f"/admin/users/{alice.id}/reset-password").get_data(as_text=True)
    temporary = page.split('id="temporary-password" type="text" readonly value="')[1].split('"')[0]
    assert len(temporary) >= 12
    assert browser.get("/profile").status_code == 302  # old session ended
    assert web_login(app.test_client(), "alice", PASSWORD).status_code == 200  # old one refused
    user_client = app.test_client()
    assert web_login(user_client, "alice", temporary).status_code == 302
    assert user_client.get("/portfolio").headers["Location"].endswith("/password")
    token = api_login(app.test_client(), "alice", temporary)
    blocked = app.test_client().get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
    assert (
        blocked.status_code == 403
        and blocked.get_json()["error"]["code"] == "password_change_required"
    )
    form = {"current_password": temporary, "password": "brand-new-77", "confirm": "brand-new-77"}
    weak = user_client.post(
        "/password",
        data={
            **form,
            "password": "short",
            "confirm": "short",
            "csrf_token": csrf_token(user_client, "/password"),
        },
    )
    assert "at least 8" in weak.get_data(as_text=True)
    done = user_client.post(
        "/password", data={**form, "csrf_token": csrf_token(user_client, "/password")}
    )
    assert done.status_code == 302 and user_client.get("/profile").status_code == 200
    assert not fresh_user(app, alice.id).must_change_password
    [entry] = audit_rows(app)
    assert entry.action == "user.password_reset" and temporary not in str(entry.after)


def test_api_password_change_clears_the_flag(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    page = post_form(root_web, f"/admin/users/{alice.id}/reset-password").get_data(as_text=True)
    temporary = page.split('readonly value="')[1].split('"')[0]
    client = app.test_client()
    token = api_login(client, "alice", temporary)
    headers = {"Authorization": f"Bearer {token}"}
    wrong = client.post(
        "/api/v1/auth/password",
        json={"current_password": "x", "new_password": "brand-new-77"},
        headers=headers,
    )
    assert wrong.status_code == 400 and wrong.get_json()["error"]["field"] == "current_password"
    ok = client.post(
        "/api/v1/auth/password",
        json={"current_password": temporary, "new_password": "brand-new-77"},
        headers=headers,
    )
    assert ok.status_code == 200
    fresh = {"Authorization": f"Bearer {ok.get_json()['access_token']}"}
    assert client.get("/api/v1/orders", headers=fresh).status_code == 200
    assert client.get("/api/v1/orders", headers=headers).status_code == 401


def test_cli_reset_and_deactivate_are_audited_as_cli(app: Flask, alice: User, root: User) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "reset-password", "alice"])
    assert result.exit_code == 0 and len(result.output.strip()) >= 12
    assert runner.invoke(args=["user", "deactivate", "root"]).exit_code != 0  # last admin
    assert runner.invoke(args=["user", "deactivate", "ALICE"]).exit_code == 0
    assert "alice" in runner.invoke(args=["user", "list", "--active", "inactive"]).output
    assert [(e.action, e.actor) for e in audit_rows(app)] == [
        ("user.password_reset", "cli"),
        ("user.deactivate", "cli"),
    ]
    listed = runner.invoke(args=["audit", "list", "--action", "user."])
    assert listed.exit_code == 0 and listed.output.count("\n") == 2


def test_one_time_reset_link_sets_a_password_once(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    browser = app.test_client()
    assert web_login(browser).status_code == 302
    page = post_form(root_web, f"/admin/users/{alice.id}/reset-link").get_data(as_text=True)
    link = page.split('id="reset-link" type="text" readonly value="')[1].split('"')[0]
    path = link.removeprefix("http://localhost")
    assert browser.get("/profile").status_code == 200  # nothing changes before it is used
    visitor = app.test_client()
    form = visitor.get(path)
    assert form.status_code == 200 and "For <strong>alice</strong>" in form.get_data(as_text=True)
    token = csrf_token(visitor, path)
    mismatch = visitor.post(
        path, data={"password": "new-secret-9", "confirm": "other-9x", "csrf_token": token}
    )
    assert "Passwords do not match" in mismatch.get_data(as_text=True)
    done = visitor.post(
        path, data={"password": "new-secret-9", "confirm": "new-secret-9", "csrf_token": token}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert browser.get("/profile").status_code == 302  # other sessions signed out
    assert web_login(app.test_client(), "alice", "new-secret-9").status_code == 302
    used = visitor.get(path)
    assert used.status_code == 400 and "already used" in used.get_data(as_text=True)
    assert visitor.get("/password/reset/not-a-token").status_code == 400
    [entry] = audit_rows(app)
    assert entry.action == "user.password_reset" and entry.after["method"] == "one_time_link"


def test_a_later_temporary_password_voids_the_link(
    app: Flask, root_web: FlaskClient, alice: User
) -> None:
    page = post_form(root_web, f"/admin/users/{alice.id}/reset-link").get_data(as_text=True)
    path = page.split('readonly value="')[1].split('"')[0].removeprefix("http://localhost")
    post_form(root_web, f"/admin/users/{alice.id}/reset-password")
    assert "already used or replaced" in app.test_client().get(path).get_data(as_text=True)
