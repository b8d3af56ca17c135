"""Deactivating a user removes the Pine access TradeDeck granted them on TradingView: through
the API, the admin page and the CLI; TradingView being down neither fails the deactivation nor
loses the removal (the queued job is retried); a user without a TradingView link is left alone;
reactivating grants nothing back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.fakes.tradingview import FakeTradingView
from tests.helpers import create_user, csrf_token, web_login
from tests.tradingview.helpers import OTHER_PINE, PINE, add_script, linked_user, store_session
from tradedeck.accounts.models import User
from tradedeck.audit.models import AuditEntry
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.tradingview import services
from tradedeck.tradingview.models import AccessGrant, AccessOperation
from tradedeck.worker.queue import get_huey


def _granted_user(app: Flask, fake: FakeTradingView) -> tuple[int, list[int]]:
    """bob, linked to JoeBloggs, holding 30 days of PINE and lifetime OTHER_PINE."""
    store_session(app, fake)
    scripts = [add_script(app), add_script(app, OTHER_PINE, "Order Blocks")]
    bob = linked_user(app, "bob", "JoeBloggs")
    with app.app_context():
        services.grant("root", bob.id, scripts[0], "30d")
        services.grant("root", bob.id, scripts[1], "lifetime")
    assert fake.expiration_of(PINE, "JoeBloggs") != "absent"
    assert fake.expiration_of(OTHER_PINE, "JoeBloggs") is None
    return bob.id, scripts


def _admin(app: Flask) -> FlaskClient:
    create_user(app, "root", role="admin")
    client = app.test_client()
    assert web_login(client, "root").status_code == 302
    return client


def _operations(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(AccessOperation).order_by(AccessOperation.id))
        return [(r.action, r.result, r.pine_id) for r in rows if r.action != "grant"]


def _grants(app: Flask, user_id: int) -> list[AccessGrant]:
    with app.app_context():
        return list(db.session.scalars(select(AccessGrant).where(AccessGrant.user_id == user_id)))


def test_api_deactivation_removes_access_and_logs_it(tv_app: Flask, fake: FakeTradingView) -> None:
    bob, _ = _granted_user(tv_app, fake)
    client = _admin(tv_app)
    headers = {"X-CSRFToken": csrf_token(client, "/admin/users")}
    answer = client.post(f"/api/v1/admin/users/{bob}/deactivate", headers=headers)
    assert answer.status_code == 200 and answer.get_json()["user"]["active"] is False
    assert fake.expiration_of(PINE, "JoeBloggs") == "absent"
    assert fake.expiration_of(OTHER_PINE, "JoeBloggs") == "absent"
    assert _grants(tv_app, bob) == []
    assert _operations(tv_app) == [
        ("deactivate", "queued", ""),
        ("revoke", "ok", PINE),
        ("revoke", "ok", OTHER_PINE),
    ]
    with tv_app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        queued = db.session.scalar(
            select(AccessOperation).where(AccessOperation.action == "deactivate")
        )
        assert queued is not None and queued.actor == "root"
    assert actions[-4:] == [
        "user.deactivate",
        "tradingview.deactivate",
        "tradingview.revoke",
        "tradingview.revoke",
    ]
    before = len(fake.hits)
    assert client.post(f"/api/v1/admin/users/{bob}/reactivate", headers=headers).status_code == 200
    assert fake.expiration_of(PINE, "JoeBloggs") == "absent"
    assert len(fake.hits) == before and _grants(tv_app, bob) == []


def _run_scheduled(app: Flask) -> int:
    """Run the retries the queue has scheduled (as the consumer would once they are due)."""
    huey = get_huey(app)
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)  # huey keeps naive UTC
    due = huey.read_schedule(later)
    for task in due:
        huey.execute(task, later)
    return len(due)


def test_tradingview_down_deactivation_succeeds_and_the_retry_removes_access(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    bob, _ = _granted_user(tv_app, fake)
    client = _admin(tv_app)
    fake.inject("/pine_perm/", 503, {"detail": "down"}, times=10_000)
    page = client.post(
        f"/admin/users/{bob}/deactivate",
        data={"csrf_token": csrf_token(client, f"/admin/users/{bob}")},
        follow_redirects=True,
    )
    assert page.status_code == 200 and b"is deactivated" in page.data
    with tv_app.app_context():
        assert db.session.get(User, bob).active is False  # type: ignore[union-attr]
    assert fake.expiration_of(OTHER_PINE, "JoeBloggs") is None  # still granted on TradingView
    ended = _grants(tv_app, bob)
    assert len(ended) == 2 and all(g.expires_at and g.expires_at <= utcnow() for g in ended)
    assert ("revoke", "failed", PINE) in _operations(tv_app)
    fake.faults.clear()
    assert _run_scheduled(tv_app) == 1
    assert fake.expiration_of(PINE, "JoeBloggs") == "absent"
    assert fake.expiration_of(OTHER_PINE, "JoeBloggs") == "absent"
    assert _grants(tv_app, bob) == []
    assert _operations(tv_app)[-2:] == [("revoke", "ok", PINE), ("revoke", "ok", OTHER_PINE)]


def test_a_stale_retry_leaves_access_given_again_after_reactivation(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    bob, scripts = _granted_user(tv_app, fake)
    client = _admin(tv_app)
    headers = {"X-CSRFToken": csrf_token(client, "/admin/users")}
    fake.inject("/pine_perm/", 503, {"detail": "down"}, times=10_000)
    assert client.post(f"/api/v1/admin/users/{bob}/deactivate", headers=headers).status_code == 200
    fake.faults.clear()
    assert client.post(f"/api/v1/admin/users/{bob}/reactivate", headers=headers).status_code == 200
    with tv_app.app_context():
        services.grant("root", bob, scripts[0], "7d")
    _run_scheduled(tv_app)
    assert fake.expiration_of(PINE, "JoeBloggs") not in ("absent", None)
    assert fake.expiration_of(OTHER_PINE, "JoeBloggs") == "absent"
    assert [g.script_id for g in _grants(tv_app, bob)] == [scripts[0]]


def test_cli_deactivation_of_a_user_without_a_link_touches_nothing(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    store_session(tv_app, fake)
    add_script(tv_app)
    create_user(tv_app, "carol")
    linked_user(tv_app, "dave", "alice_tv")  # linked, but holds no access
    runner = tv_app.test_cli_runner()
    for name in ("carol", "dave"):
        result = runner.invoke(args=["user", "deactivate", name])
        assert result.exit_code == 0 and f"{name} deactivated." in result.output
    assert [h.path for h in fake.hits if h.path.startswith("/pine_perm/")] == []
    assert _operations(tv_app) == []
    assert _run_scheduled(tv_app) == 0


def test_cli_deactivation_revokes_as_cli(tv_app: Flask, fake: FakeTradingView) -> None:
    bob, _ = _granted_user(tv_app, fake)
    result = tv_app.test_cli_runner().invoke(args=["user", "deactivate", "bob"])
    assert result.exit_code == 0
    assert fake.expiration_of(PINE, "JoeBloggs") == "absent" and _grants(tv_app, bob) == []
    with tv_app.app_context():
        queued = db.session.scalar(
            select(AccessOperation).where(AccessOperation.action == "deactivate")
        )
        assert queued is not None and queued.actor == "cli"
