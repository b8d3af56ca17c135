import threading
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import create_user, make_app
from tradedeck.accounts import services
from tradedeck.accounts.models import AccessKey, User
from tradedeck.accounts.passwords import password_problem
from tradedeck.database import utcnow
from tradedeck.extensions import db


def test_register_and_authenticate_by_username_or_email(app: Flask) -> None:
    with app.app_context():
        user = services.register_user(
            "Alice_1", "Alice@Example.COM", "correct-horse-9", "correct-horse-9"
        )
        assert user.email == "alice@example.com"
        assert user.password_hash.startswith("$argon2id$")
        assert services.authenticate("alice_1", "correct-horse-9") is not None
        assert services.authenticate("ALICE@example.com", "correct-horse-9") is not None
        assert services.authenticate("alice_1", "wrong-password-1") is None
        assert services.authenticate("nobody", "correct-horse-9") is None


@pytest.mark.parametrize(
    ("username", "email"), [("ALICE", "new@example.com"), ("bob", "ALICE@example.com")]
)
def test_duplicates_are_case_insensitive(app: Flask, username: str, email: str) -> None:
    create_user(app, "alice")
    with app.app_context(), pytest.raises(services.AccountError) as err:
        services.register_user(username, email, "strong-pass-1", "strong-pass-1")
    assert err.value.code == "taken"
    assert err.value.field in ("username", "email")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (("al", "a@example.com", "strong-pass-1", "strong-pass-1"), "username"),
        (("alice", "not-an-email", "strong-pass-1", "strong-pass-1"), "email"),
        (("alice", "a@example.com", "short1", "short1"), "password"),
        (("alice", "a@example.com", "strong-pass-1", "strong-pass-2"), "confirm"),
        (("alice", "a@example.com", "abcdefghij", "abcdefghij"), "password"),
    ],
)
def test_registration_field_errors(app: Flask, fields: tuple[str, ...], field: str) -> None:
    with app.app_context(), pytest.raises(services.AccountError) as err:
        services.register_user(*fields)
    assert err.value.field == field
    with app.app_context():
        assert db.session.query(User).count() == 0


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_password_problem_never_crashes_and_rejects_short(password: str) -> None:
    problem = password_problem(password, "alice", "alice@example.com")
    if len(password) < 8:
        assert problem is not None


def test_access_key_errors(app: Flask) -> None:
    with app.app_context():
        _row, clear = services.create_access_key(note="for bob")
        expired_row, expired = services.create_access_key(expires_at=utcnow() - timedelta(days=1))
        cases = [
            (None, "required"),
            ("bad key!", "malformed"),
            ("x" * 30, "unknown"),
            (expired, "expired"),
        ]
        for key, code in cases:
            with pytest.raises(services.AccountError) as err:
                services.register_user("bob", "bob@example.com", "strong-pass-1", None, key, "key")
            assert (err.value.field, err.value.code) == ("access_key", code)
        user = services.register_user("bob", "bob@example.com", "strong-pass-1", None, clear, "key")
        row = db.session.query(AccessKey).filter(AccessKey.used_by_id == user.id).one()
        assert row.used_at is not None and row.key_hash != clear
        with pytest.raises(services.AccountError) as err:
            services.register_user("carol", "c@example.com", "strong-pass-1", None, clear, "key")
        assert err.value.code == "used"
        assert db.session.query(User).count() == 1
        assert expired_row.used_at is None


def test_one_key_two_simultaneous_registrations_exactly_one_succeeds(tmp_path: Path) -> None:
    app = make_app(tmp_path, REGISTRATION_MODE="key")
    with app.app_context():
        _row, clear = services.create_access_key()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def register(name: str) -> None:
        with app.app_context():
            barrier.wait()
            try:
                services.register_user(
                    name, f"{name}@example.com", "strong-pass-1", None, clear, "key"
                )
                outcomes.append("ok")
            except services.AccountError as exc:
                outcomes.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(n,)) for n in ("bob", "carol")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "used"]
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_api_keys_resolve_only_while_valid(app: Flask) -> None:
    create_user(app, "alice")
    with app.app_context():
        alice = db.session.query(User).one()
        new = services.create_api_key(alice, "script")
        assert new.row.key_hash != new.clear and new.clear.startswith("td_")
        assert services.user_for_api_key(new.clear).id == alice.id
        tampered = new.clear[:-1] + ("B" if new.clear.endswith("A") else "A")
        assert services.user_for_api_key(tampered) is None
        assert services.user_for_api_key("garbage") is None
        services.revoke_api_key(alice, new.row.id)
        assert services.user_for_api_key(new.clear) is None
        with pytest.raises(services.AccountError):
            services.create_api_key(alice, "")


def test_theme_preference(app: Flask) -> None:
    create_user(app, "alice")
    with app.app_context():
        alice = db.session.query(User).one()
        services.set_theme(alice, "light")
        db.session.expire_all()
        assert db.session.query(User).one().theme == "light"
        with pytest.raises(services.AccountError):
            services.set_theme(alice, "purple")
