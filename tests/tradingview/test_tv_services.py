"""TRADINGVIEW.md §7 failure modes handled above the client: session storage, the grant and
extension rules, verification, bulk jobs (fmNN = failure mode NN)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.fakes.tradingview import FakeTradingView
from tests.helpers import create_user, restart_app
from tests.tradingview.helpers import PINE, add_script, linked_user, store_session
from tradedeck.database import utcnow
from tradedeck.extensions import db
from tradedeck.tradingview import bulk, errors, services, session
from tradedeck.tradingview.durations import add_duration, add_months, extension_base
from tradedeck.tradingview.models import AccessGrant, AccessOperation, BulkJob, TradingViewSession
from tradedeck.tradingview.session import CLIENT_OPTIONS

DAY = timedelta(days=1)


def _close(a: datetime | None, b: datetime | None) -> bool:
    assert a is not None and b is not None
    return abs(a - b) < timedelta(seconds=5)


def test_fm01_valid_stored_cookies_mean_no_sign_in_and_no_probe(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    store_session(tv_app, fake)
    user, admin = (
        linked_user(tv_app, "alice", "JoeBloggs"),
        create_user(tv_app, "root", role="admin"),
    )
    script_id = add_script(tv_app)
    with tv_app.app_context():
        outcome = services.grant(admin, user.id, script_id, "30d")
    assert outcome.result == "ok" and outcome.action == "grant"
    assert fake.count("/accounts/signin/") == 0 and fake.count("/tvcoins/details/") == 0


@pytest.mark.parametrize("style", ["json403", "json401"])
def test_fm02_session_dies_mid_batch_the_job_stops_without_a_login_loop(
    tv_app: Flask, fake: FakeTradingView, style: str
) -> None:
    fake.knobs.unauth_style = style
    sessionid, _ = store_session(tv_app, fake)
    admin = create_user(tv_app, "root", role="admin")
    users = [linked_user(tv_app, f"u{i}", f"tv{i}") for i in range(6)]
    fake.add_user(*[f"tv{i}" for i in range(6)])
    script_id = add_script(tv_app)
    fake.revoke(sessionid)
    tv_app.config["TRADEDECK"] = tv_app.config["TRADEDECK"].model_copy(
        update={"tradingview_bulk_concurrency": 1}
    )
    with tv_app.app_context():
        job = bulk.create_job(admin, "grant", [u.id for u in users], [script_id], "7d")
        job = db.session.get(BulkJob, job.id)
        assert job.status == "stopped" and "session" in job.stopped_reason
        results = [item["result"] for item in job.report]
        assert results == ["failed"] + ["skipped"] * 5
        assert session.state().valid is False
    assert fake.count("/accounts/signin/") == 0
    assert fake.count("/pine_perm/list_users/") == 1


@pytest.mark.parametrize("mode", ["captcha", "2fa", "rate_limit"])
def test_fm06_failed_sign_in_stores_no_session(
    tv_app: Flask, fake: FakeTradingView, mode: str
) -> None:
    fake.knobs.signin_mode = mode
    admin = create_user(tv_app, "root", role="admin")
    with tv_app.app_context(), pytest.raises(errors.TradingViewError) as caught:
        session.sign_in(fake.owner, fake.password, admin)
    with tv_app.app_context():
        assert session.stored_cookies() is None
        assert session.state().awaiting_code is (mode == "2fa")
        op = db.session.scalars(select(AccessOperation)).one()
        assert op.action == "session.signin" and caught.value.answer in op.answer
    assert fake.count("/accounts/signin/") == 1


def test_fm07_two_factor_through_the_session_service(tv_app: Flask, fake: FakeTradingView) -> None:
    fake.knobs.signin_mode = "2fa"
    admin = create_user(tv_app, "root", role="admin")
    with tv_app.app_context():
        with pytest.raises(errors.TwoFactorRequired):
            session.sign_in(fake.owner, fake.password, admin)
        with pytest.raises(errors.TwoFactorInvalid):
            session.submit_code("000000", admin)
        state = session.submit_code(fake.totp_code, admin)
        assert state.valid and state.mode == "password" and state.account == fake.owner
        assert not state.awaiting_code
        with pytest.raises(errors.TwoFactorExpired):
            session.submit_code(fake.totp_code, admin)


def test_fm09_password_sign_ins_have_a_cooldown(tv_app: Flask, fake: FakeTradingView) -> None:
    admin = create_user(tv_app, "root", role="admin")
    fake.knobs.signin_mode = "captcha"
    with tv_app.app_context():
        with pytest.raises(errors.CaptchaRequired):
            session.sign_in(fake.owner, fake.password, admin)
        for _ in range(3):
            with pytest.raises(errors.SignInCooldown) as caught:
                session.sign_in(fake.owner, fake.password, admin)
        assert caught.value.status == 429 and 0 < caught.value.retry_after <= 601
        assert session.state().cooldown_until is not None
        row = db.session.get(TradingViewSession, 1)
        row.signin_attempt_at = utcnow() - timedelta(seconds=601)
        db.session.commit()
        fake.knobs.signin_mode = "ok"
        assert session.sign_in(fake.owner, fake.password, admin).valid
    assert fake.count("/accounts/signin/") == 2


def test_fm10_session_is_encrypted_survives_a_restart_and_corruption_reads_as_missing(
    tmp_path: Path, tv_app: Flask, fake: FakeTradingView
) -> None:
    admin = create_user(tv_app, "root", role="admin")
    sessionid, sign = fake.new_session()
    with tv_app.app_context():
        state = session.set_cookies(sessionid, sign, admin)
        assert state.valid and state.set_by == "root" and state.account == fake.owner
        stored = db.session.get(TradingViewSession, 1).cookies_encrypted
        assert sessionid not in stored and sign not in stored
    restarted = restart_app(tmp_path, TRADEDECK_TRADINGVIEW_URL=fake.url)
    with restarted.app_context():
        assert session.stored_cookies() == session.Cookies(sessionid, sign)
        row = db.session.get(TradingViewSession, 1)
        row.cookies_encrypted = stored[: len(stored) // 2]  # a partial write
        db.session.commit()
        assert session.stored_cookies() is None and not session.state().is_set
        with pytest.raises(errors.SessionMissing):
            session.active_client()
    other_key = restart_app(
        tmp_path, TRADEDECK_TRADINGVIEW_URL=fake.url, SECRET_KEY="another-secret-key-" + "x" * 30
    )
    with other_key.app_context():
        row = db.session.get(TradingViewSession, 1)
        row.cookies_encrypted = stored
        db.session.commit()
        assert session.stored_cookies() is None


def test_fm10_pasted_cookies_are_validated(tv_app: Flask, fake: FakeTradingView) -> None:
    admin = create_user(tv_app, "root", role="admin")
    with tv_app.app_context():
        with pytest.raises(errors.DomainError) as bad_format:
            session.set_cookies("not valid!", "", admin)
        assert bad_format.value.field == "sessionid"
        with pytest.raises(errors.DomainError) as rejected:
            session.set_cookies("a" * 32, "v1:nope", admin)
        assert rejected.value.code == "tradingview_cookies_rejected"
        assert session.stored_cookies() is None


def _setup_pair(app: Flask, fake: FakeTradingView) -> tuple[object, int, int]:
    store_session(app, fake)
    admin = create_user(app, "root", role="admin")
    user = linked_user(app, "alice", "JoeBloggs")
    return admin, user.id, add_script(app)


def test_fm14_exists_on_add_is_never_taken_as_extended(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    admin, user_id, script_id = _setup_pair(tv_app, fake)
    old = utcnow() + 3 * DAY
    fake.grant(PINE, "JoeBloggs", old)
    # the first listing misses the grant (e.g. made on the website a moment ago)
    fake.inject("/pine_perm/list_users/", 200, {"results": [], "next": None, "prev": None})
    with tv_app.app_context():
        outcome = services.grant(admin, user_id, script_id, "30d")
    assert [h.path for h in fake.hits if "pine_perm" in h.path] == [
        "/pine_perm/list_users/",
        "/pine_perm/add/",
        "/pine_perm/modify_user_expiration/",
        "/pine_perm/list_users/",
    ]
    assert fake.expiration_of(PINE, "JoeBloggs") == outcome.expires_at
    assert _close(outcome.expires_at, utcnow() + 30 * DAY)


@pytest.mark.parametrize("exists_body", ["exists", "ok"])
def test_fm14_add_answering_ok_without_change_is_caught_by_verification(
    tv_app: Flask, fake: FakeTradingView, exists_body: str
) -> None:
    fake.knobs.add_exists_status = exists_body
    admin, user_id, script_id = _setup_pair(tv_app, fake)
    fake.grant(PINE, "JoeBloggs", utcnow() + DAY)
    fake.inject("/pine_perm/list_users/", 200, {"results": [], "next": None, "prev": None})
    with tv_app.app_context():
        outcome = services.grant(admin, user_id, script_id, "7d")
    assert fake.expiration_of(PINE, "JoeBloggs") == outcome.expires_at
    assert _close(outcome.expires_at, utcnow() + 7 * DAY)


def test_fm17_extending_lifetime_is_not_applied(tv_app: Flask, fake: FakeTradingView) -> None:
    admin, user_id, script_id = _setup_pair(tv_app, fake)
    with tv_app.app_context():
        assert services.grant(admin, user_id, script_id, "lifetime").lifetime
        writes = fake.count("/pine_perm/add/") + fake.count("/pine_perm/modify_user_expiration/")
        outcome = services.grant(admin, user_id, script_id, "30d")
        assert outcome.result == "not_applied" and outcome.lifetime
        grant = services.local_grant(user_id, script_id)
        assert grant is not None and grant.lifetime
    after = fake.count("/pine_perm/add/") + fake.count("/pine_perm/modify_user_expiration/")
    assert after == writes and fake.expiration_of(PINE, "JoeBloggs") is None


@pytest.mark.parametrize(
    ("current", "base"),
    [(10 * DAY, "current"), (-2 * DAY, "now"), (None, "now")],
)
def test_fm18_extension_base(
    tv_app: Flask, fake: FakeTradingView, current: timedelta | None, base: str
) -> None:
    admin, user_id, script_id = _setup_pair(tv_app, fake)
    now = utcnow()
    if current is not None:  # an expired row TradingView still lists counts from now
        fake.grant(PINE, "JoeBloggs", now + current)
    with tv_app.app_context():
        outcome = services.grant(admin, user_id, script_id, "30d")
    start = now + current if base == "current" else now
    assert _close(outcome.expires_at, start + 30 * DAY)
    assert outcome.action == ("grant" if current is None else "extend")


def test_fm18_calendar_months_and_base_rule() -> None:
    assert add_months(datetime(2031, 1, 31, tzinfo=UTC), 1) == datetime(2031, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2032, 1, 31, tzinfo=UTC), 1) == datetime(2032, 2, 29, tzinfo=UTC)
    leap = datetime(2032, 2, 29, 9, tzinfo=UTC)
    assert add_duration(leap, "1y") == datetime(2033, 2, 28, 9, tzinfo=UTC)
    assert add_duration(leap, "lifetime") is None
    now = datetime(2031, 5, 1, tzinfo=UTC)
    assert extension_base(now + DAY, now) == now + DAY
    assert extension_base(now - DAY, now) == now
    assert extension_base(None, now) == now
    with pytest.raises(errors.DomainError) as caught:
        add_duration(now, "2w")
    assert caught.value.field == "duration"


@pytest.mark.parametrize("absent", ["ok", "not_exists"])
def test_fm20_removing_access_that_is_already_gone_succeeds(
    tv_app: Flask, fake: FakeTradingView, absent: str
) -> None:
    fake.knobs.remove_absent = absent
    admin, user_id, script_id = _setup_pair(tv_app, fake)
    with tv_app.app_context():
        services.grant(admin, user_id, script_id, "7d")
        fake.grants.clear()  # removed on the website meanwhile
        outcome = services.remove(admin, user_id, script_id)
        assert outcome.result == "ok" and absent in outcome.answer
        assert services.local_grant(user_id, script_id) is None


@pytest.mark.parametrize("status", [404, 422])
def test_fm21_modify_of_a_vanished_grant_falls_back_to_add(
    tv_app: Flask, fake: FakeTradingView, status: int
) -> None:
    fake.knobs.modify_absent = status
    admin, user_id, script_id = _setup_pair(tv_app, fake)
    fake.grant(PINE, "JoeBloggs", utcnow() + DAY)
    listing = {
        "results": [
            {
                "id": 1,
                "username": "JoeBloggs",
                "expiration": (utcnow() + DAY).isoformat(),
                "created": None,
            }
        ],
        "next": None,
    }
    fake.inject("/pine_perm/list_users/", 200, listing)
    fake.grants.clear()
    with tv_app.app_context():
        outcome = services.grant(admin, user_id, script_id, "7d")
    assert fake.count("/pine_perm/add/") == 1
    assert fake.expiration_of(PINE, "JoeBloggs") == outcome.expires_at


def test_fm26_bulk_job_bounded_concurrency_report_and_breaker(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    store_session(tv_app, fake)
    admin = create_user(tv_app, "root", role="admin")
    names = [f"tv{i}" for i in range(5)]
    fake.add_user(*names)
    users = [linked_user(tv_app, f"u{i}", name) for i, name in enumerate(names)]
    ghost = linked_user(tv_app, "ghost", "deleted_on_tv")  # unknown to TradingView
    scripts = [add_script(tv_app), add_script(tv_app, "PUB;ryMeUolWwdyo9F3MNleMvPPmoSDpGY4n", "B")]
    fake.knobs.latency = 0.02
    config = tv_app.config["TRADEDECK"]
    tv_app.config["TRADEDECK"] = config.model_copy(update={"tradingview_bulk_concurrency": 2})
    with tv_app.app_context():
        job = bulk.create_job(admin, "grant", [u.id for u in [*users, ghost]], scripts, "90d")
        job = db.session.get(BulkJob, job.id)
        assert job.status == "done" and len(job.report) == 12
        failed = [item for item in job.report if item["result"] == "failed"]
        assert {(f["user_id"], "user_not_found" in f["detail"]) for f in failed} == {
            (ghost.id, True)
        }
        assert len(db.session.scalars(select(AccessGrant)).all()) == 10
    assert 1 < fake.max_in_flight <= 2
    fake.knobs.latency = 0
    fake.inject("/pine_perm/", 503, "<html>down</html>", times=999, content_type="text/html")
    with tv_app.app_context():
        job = bulk.create_job(admin, "remove", [u.id for u in users], scripts, "")
        job = db.session.get(BulkJob, job.id)
        results = [item["result"] for item in job.report]
        assert job.status == "stopped" and "in a row" in job.stopped_reason
        # K failures in a row open it; the other worker may have one item in flight then
        assert 3 <= results.count("failed") <= 4
        assert results.count("failed") + results.count("skipped") == 10
        assert len(db.session.scalars(select(AccessGrant)).all()) == 10  # nothing lost


def test_fm27_a_write_that_does_not_show_in_the_listing_fails(
    tv_app: Flask, fake: FakeTradingView
) -> None:
    admin, user_id, script_id = _setup_pair(tv_app, fake)
    fake.grant(PINE, "JoeBloggs", utcnow() + DAY)
    fake.inject("/pine_perm/modify_user_expiration/", 200, {"status": "ok"}, times=5)  # a no-op
    with tv_app.app_context():
        with pytest.raises(errors.VerificationFailed):
            services.grant(admin, user_id, script_id, "30d")
        op = db.session.scalars(select(AccessOperation)).one()
        assert op.result == "failed" and "tradingview_unverified" in op.answer
        assert services.local_grant(user_id, script_id) is None


def test_fm27_outcome_reports_the_post_state(tv_app: Flask, fake: FakeTradingView) -> None:
    admin, user_id, script_id = _setup_pair(tv_app, fake)
    with tv_app.app_context():
        first = services.grant(admin, user_id, script_id, "30d")
        second = services.grant(admin, user_id, script_id, "30d")
        assert second.action == "extend"
        assert _close(second.expires_at, first.expires_at + 30 * DAY)
        grant = services.local_grant(user_id, script_id)
        assert grant is not None and grant.expires_at == second.expires_at
    assert fake.expiration_of(PINE, "JoeBloggs") == second.expires_at


def test_client_options_reach_the_session_client(tv_app: Flask) -> None:
    with tv_app.app_context():
        assert "sleep" in tv_app.extensions[CLIENT_OPTIONS]
        assert session.make_client().base_url == tv_app.config["TRADEDECK"].tradingview_url


def test_a_crashing_item_is_reported_and_the_job_still_finishes(
    tv_app: Flask, fake: FakeTradingView, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, user_id, script_id = _setup_pair(tv_app, fake)
    other = linked_user(tv_app, "carol", "alice_tv")
    real_grant = services.grant

    def flaky(actor: object, uid: int, *args: object, **kwargs: object) -> services.Outcome:
        if uid == other.id:
            raise RuntimeError("database went away")
        return real_grant(actor, uid, *args, **kwargs)

    monkeypatch.setattr(services, "grant", flaky)
    with tv_app.app_context():
        job = bulk.create_job(admin, "grant", [user_id, other.id], [script_id], "7d")
        job = db.session.get(BulkJob, job.id)
        assert job.status == "done"
        by_user = {item["user_id"]: item for item in job.report}
        assert by_user[user_id]["result"] == "ok"
        assert by_user[other.id]["result"] == "failed"
        assert "database went away" in by_user[other.id]["detail"]


def test_a_concurrent_first_grant_of_the_same_pair_is_updated_not_a_crash(
    tv_app: Flask, fake: FakeTradingView, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, user_id, script_id = _setup_pair(tv_app, fake)
    with tv_app.app_context():
        services.grant(admin, user_id, script_id, "7d")
        real = services.local_grant
        calls = iter([None])  # the first lookup misses the row another request just inserted
        monkeypatch.setattr(services, "local_grant", lambda u, s: next(calls, None) or real(u, s))
        outcome = services.grant(admin, user_id, script_id, "30d")
        grants = db.session.scalars(select(AccessGrant)).all()
        assert len(grants) == 1 and grants[0].expires_at == outcome.expires_at
