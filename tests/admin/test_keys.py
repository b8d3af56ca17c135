from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.admin.core_helpers import audit_rows, post_form
from tests.helpers import PASSWORD, create_user, csrf_token, make_app, web_login
from tradedeck.accounts.models import AccessKey, User
from tradedeck.database import utcnow
from tradedeck.extensions import db


def _new_keys(page: str) -> list[str]:
    return [part.split("<")[0] for part in page.split("data-new-key>")[1:]]


def _register(app: Flask, username: str, key: str) -> str:
    client = app.test_client()
    form = {
        "username": username,
        "email": f"{username}@example.com",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "access_key": key,
        "csrf_token": csrf_token(client, "/register"),
    }
    response = client.post("/register", data=form)
    return "ok" if response.status_code == 302 else response.get_data(as_text=True)


def test_create_many_keys_one_registers_exactly_one_user(tmp_path: Path) -> None:
    app = make_app(tmp_path, REGISTRATION_MODE="key")
    create_user(app, "root", role="admin")
    admin = app.test_client()
    assert web_login(admin, "root").status_code == 302
    page = post_form(
        admin, "/admin/keys", {"count": "3", "note": "for the team", "expires_in_days": "7"}
    ).get_data(as_text=True)
    keys = _new_keys(page)
    assert len(keys) == 3 and len(set(keys)) == 3
    assert [e.action for e in audit_rows(app)] == ["access_key.create"] * 3
    assert audit_rows(app)[0].after["max_uses"] == 1
    assert _register(app, "newbie", keys[0]) == "ok"
    assert "already been used" in _register(app, "second", keys[0])
    listing = admin.get("/admin/keys?state=used").get_data(as_text=True)
    assert listing.count('data-state="used"') == 1 and "newbie" in listing
    assert admin.get("/admin/keys?state=unused").get_data(as_text=True).count("data-key-id") == 2
    with app.app_context():
        key_id = db.session.scalars(
            select(AccessKey.id).where(AccessKey.used_at.is_(None)).order_by(AccessKey.id)
        ).first()
    assert post_form(admin, f"/admin/keys/{key_id}/revoke").status_code == 302
    assert "revoked" in _register(app, "third", keys[1])
    again = post_form(admin, f"/admin/keys/{key_id}/revoke", follow_redirects=True)
    assert "already revoked" in again.get_data(as_text=True)
    assert [e.action for e in audit_rows(app)][-1] == "access_key.revoke"
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username_key == "third")) is None


def test_expired_keys_are_listed_as_expired_and_refused(tmp_path: Path) -> None:
    app = make_app(tmp_path, REGISTRATION_MODE="key")
    create_user(app, "root", role="admin")
    admin = app.test_client()
    web_login(admin, "root")
    keys = _new_keys(post_form(admin, "/admin/keys", {"count": "1"}).get_data(as_text=True))
    with app.app_context():
        row = db.session.scalars(select(AccessKey)).one()
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert 'data-state="expired"' in admin.get("/admin/keys?state=expired").get_data(as_text=True)
    assert "expired" in _register(app, "late", keys[0])


def test_bad_key_form_names_the_field_and_creates_nothing(
    app: Flask, root_web: FlaskClient
) -> None:
    for data, message in (
        ({"count": "0"}, "How many"),
        ({"count": "101"}, "How many"),
        ({"count": "1", "expires_in_days": "999"}, "Expires after"),
        ({"count": "1", "note": "x" * 201}, "Note"),
    ):
        page = post_form(root_web, "/admin/keys", data).get_data(as_text=True)
        assert message in page and "is-invalid" in page
    assert audit_rows(app) == []
    with app.app_context():
        assert db.session.scalars(select(AccessKey)).all() == []
    assert 'data-field="state"' in root_web.get("/admin/keys?state=lost").get_data(as_text=True)
