"""TRADINGVIEW.md §7 failure modes that live in the HTTP client (fmNN = failure mode NN).

Every test runs the real client against the fake server over 127.0.0.1.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.fakes.tradingview import FakeTradingView
from tests.tradingview.helpers import OTHER_PINE, PINE, Sleeps
from tradedeck.tradingview import errors
from tradedeck.tradingview.client import Cookies, TradingViewClient, parse_time

SOON = datetime(2031, 1, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("style", ["json403", "json401", "html200", "redirect302"])
@pytest.mark.parametrize("call", ["list", "add", "probe"])
def test_fm02_fm03_dead_session_is_a_typed_error_never_a_decode_crash(
    fake: FakeTradingView, tv: TradingViewClient, style: str, call: str
) -> None:
    fake.knobs.unauth_style = style
    assert tv.cookies is not None
    fake.revoke(tv.cookies.sessionid)
    with pytest.raises(errors.SessionExpired):
        {
            "list": lambda: tv.list_users(PINE),
            "add": lambda: tv.add(PINE, "JoeBloggs", SOON),
            "probe": tv.probe,
        }[call]()
    assert fake.count("/accounts/signin/") == 0


def test_fm04_sessionid_without_sign_fails_when_the_sign_is_required(
    fake: FakeTradingView, sleeps: Sleeps
) -> None:
    sessionid, _sign = fake.new_session()
    bare = TradingViewClient(fake.url, Cookies(sessionid), sleep=sleeps)
    with pytest.raises(errors.SessionExpired):
        bare.remove(PINE, "JoeBloggs")
    fake.knobs.require_sign = False
    assert bare.remove(PINE, "JoeBloggs") == "ok"


@pytest.mark.parametrize("spaced", [True, False])
def test_fm05_cookie_header_with_and_without_space(
    fake: FakeTradingView, sleeps: Sleeps, spaced: bool
) -> None:
    cookies = Cookies(*fake.new_session())
    client = TradingViewClient(fake.url, cookies, spaced_cookie_header=spaced, sleep=sleeps)
    assert client.probe() == fake.owner
    sent = fake.to("/tvcoins/details/")[-1].headers["Cookie"]
    assert sent == cookies.header(spaced)
    assert ("; " in sent) is spaced


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("captcha", errors.CaptchaRequired),
        ("2fa", errors.TwoFactorRequired),
        ("rate_limit", errors.SignInThrottled),
        ("bad_credentials", errors.SignInRejected),
    ],
)
@pytest.mark.parametrize("status", [200, 400])
def test_fm06_sign_in_failures_are_distinct_errors_without_retry(
    fake: FakeTradingView, sleeps: Sleeps, mode: str, error: type, status: int
) -> None:
    fake.knobs.signin_mode, fake.knobs.signin_status = mode, status
    with pytest.raises(error) as caught:
        TradingViewClient(fake.url, sleep=sleeps).sign_in(fake.owner, fake.password)
    assert fake.count("/accounts/signin/") == 1
    assert caught.value.answer  # TradingView's body kept for the log
    if mode == "2fa":
        assert "tv_2fa_pending" in caught.value.pending
        assert "sessionid" not in caught.value.pending


def test_fm07_two_factor_code_good_bad_and_expired(fake: FakeTradingView, sleeps: Sleeps) -> None:
    fake.knobs.signin_mode = "2fa"
    client = TradingViewClient(fake.url, sleep=sleeps)
    with pytest.raises(errors.TwoFactorRequired) as caught:
        client.sign_in(fake.owner, fake.password)
    pending = caught.value.pending
    with pytest.raises(errors.TwoFactorInvalid):
        client.submit_totp(pending, "000000")
    cookies = client.submit_totp(pending, fake.totp_code)
    assert TradingViewClient(fake.url, cookies, sleep=sleeps).probe() == fake.owner
    with pytest.raises(errors.TwoFactorExpired):  # the pending login is used up
        client.submit_totp(pending, fake.totp_code)
    with pytest.raises(errors.TwoFactorRequired) as again:
        client.sign_in(fake.owner, fake.password)
    fake.knobs.two_factor_expired = True
    with pytest.raises(errors.TwoFactorExpired):
        client.submit_totp(again.value.pending, fake.totp_code)


def test_fm08_sign_in_blocked_by_cloudfront(fake: FakeTradingView, sleeps: Sleeps) -> None:
    fake.knobs.signin_mode = "cloudfront"
    with pytest.raises(errors.EdgeBlocked):
        TradingViewClient(fake.url, sleep=sleeps).sign_in(fake.owner, fake.password)


def test_fm08_edge_block_on_pine_perm(fake: FakeTradingView, tv: TradingViewClient) -> None:
    fake.knobs.edge_block = True
    with pytest.raises(errors.EdgeBlocked):
        tv.list_users(PINE)
    assert fake.count("/pine_perm/list_users/") == 1


def test_fm11_unknown_username_on_add_is_user_not_found_and_not_retried(
    fake: FakeTradingView, tv: TradingViewClient
) -> None:
    with pytest.raises(errors.UserNotFound) as caught:
        tv.add(PINE, "nobody_here", SOON)
    assert caught.value.status == 404 and caught.value.field == "username"
    assert fake.count("/pine_perm/add/") == 1


def test_fm12_wrong_case_is_canonicalised(fake: FakeTradingView, tv: TradingViewClient) -> None:
    canonical = tv.canonical_username("jOEbLOGGS")
    assert canonical == "JoeBloggs"
    fake.knobs.case_sensitive_recip = True
    assert tv.add(PINE, canonical, SOON) == "ok"
    assert fake.grants[(PINE, "joebloggs")].username == "JoeBloggs"


@pytest.mark.parametrize("typed", ["joe", "Joe12", "oebloggs", "", "JoeBloggs2"])
def test_fm13_near_matches_are_invalid(tv: TradingViewClient, typed: str) -> None:
    with pytest.raises(errors.UserNotFound):
        tv.canonical_username(typed)


def test_fm14_add_for_existing_grantee_answers_exists_and_keeps_the_expiry(
    fake: FakeTradingView, tv: TradingViewClient
) -> None:
    fake.grant(PINE, "JoeBloggs", SOON)
    assert tv.add(PINE, "JoeBloggs", SOON + timedelta(days=30)) == "exists"
    assert fake.expiration_of(PINE, "JoeBloggs") == SOON


def _many(fake: FakeTradingView, count: int) -> list[str]:
    names = [f"user{i:03d}" for i in range(count)]
    fake.add_user(*names)
    for name in names:
        fake.grant(PINE, name, SOON)
    return names


def test_fm15_pagination_walks_next_cursors(fake: FakeTradingView, tv: TradingViewClient) -> None:
    names = _many(fake, 70)
    rows = tv.list_users(PINE)
    assert sorted(r.username for r in rows) == names
    assert len({r.id for r in rows}) == 70  # no page twice
    assert fake.count("/pine_perm/list_users/") == 3  # 30 + 30 + 10
    first = fake.to("/pine_perm/list_users/")[0]
    assert first.query["limit"] == "30" and "offset" not in first.query


def test_fm15_a_user_beyond_page_one_is_found(fake: FakeTradingView, tv: TradingViewClient) -> None:
    names = _many(fake, 70)
    oldest = names[0]  # ordered -created: the oldest is on the last page
    fake.knobs.ignore_username_filter = True
    found = tv.find_user(PINE, oldest.upper())
    assert found is not None and found.username == oldest


def test_fm15_limit_is_clamped_to_30(fake: FakeTradingView, sleeps: Sleeps) -> None:
    client = TradingViewClient(fake.url, Cookies(*fake.new_session()), page_size=100, sleep=sleeps)
    _many(fake, 5)
    assert len(client.list_users(PINE)) == 5
    assert fake.to("/pine_perm/list_users/")[0].query["limit"] == "30"


def test_fm15_bad_pagination_request_lowers_the_limit(
    fake: FakeTradingView, tv: TradingViewClient
) -> None:
    fake.knobs.max_limit = 10
    _many(fake, 25)
    assert len(tv.list_users(PINE)) == 25
    limits = [h.query["limit"] for h in fake.to("/pine_perm/list_users/")]
    assert limits[0] == "30" and limits[1] == "15" and set(limits[2:]) == {"7"}


def test_fm15_offset_is_ignored_by_the_server(fake: FakeTradingView, tv: TradingViewClient) -> None:
    _many(fake, 40)
    plain = tv._call("POST", "/pine_perm/list_users/?limit=30", form={"pine_id": PINE})
    offset = tv._call("POST", "/pine_perm/list_users/?limit=30&offset=30", form={"pine_id": PINE})
    assert plain["results"] == offset["results"]  # why the client follows cursors only


def test_fm15_a_looping_cursor_is_detected(fake: FakeTradingView, tv: TradingViewClient) -> None:
    _many(fake, 95)
    fake.knobs.loop_cursor = True
    with pytest.raises(errors.EndpointChanged, match="cursor"):
        tv.list_users(PINE)
    assert fake.count("/pine_perm/list_users/") == 2  # page 2 hands back its own cursor


def test_fm16_ignored_username_filter_still_finds_the_right_user(
    fake: FakeTradingView, tv: TradingViewClient
) -> None:
    _many(fake, 45)
    fake.grant(PINE, "JoeBloggs", None)
    fake.grants[(PINE, "joebloggs")].created = datetime(2000, 1, 1, tzinfo=UTC)  # last page
    fake.knobs.ignore_username_filter = True
    found = tv.find_user(PINE, "joebloggs")
    assert found is not None and found.username == "JoeBloggs" and found.lifetime
    assert tv.find_user(PINE, "alice_tv") is None


def test_fm17_lifetime_reads_and_switches(fake: FakeTradingView, tv: TradingViewClient) -> None:
    assert tv.add(PINE, "JoeBloggs", None) == "ok"
    row = tv.find_user(PINE, "JoeBloggs")
    assert row is not None and row.lifetime and row.expiration is None
    tv.modify_user_expiration(PINE, "JoeBloggs", SOON)  # lifetime -> dated needs a date
    assert fake.expiration_of(PINE, "JoeBloggs") == SOON
    tv.modify_user_expiration(PINE, "JoeBloggs", None)  # no date -> lifetime
    assert fake.expiration_of(PINE, "JoeBloggs") is None
    assert "expiration" not in fake.to("/pine_perm/modify_user_expiration/")[-1].form


@pytest.mark.parametrize(
    "text",
    [
        "2031-01-31T12:00:00Z",
        "2031-01-31T12:00:00.000Z",
        "2031-01-31T12:00:00+00:00",
        "2031-01-31T12:00:00.000000+00:00",
        "2031-01-31 12:00:00+00:00",
        "2031-01-31 12:00:00.000000+00:00",
        "2031-01-31T13:00:00+01:00",
    ],
)
def test_fm19_expiration_formats_parse_to_the_same_instant(text: str) -> None:
    parsed = parse_time(text)
    assert parsed == SOON and parsed.tzinfo is not None and parsed.utcoffset() == timedelta(0)


def test_fm19_client_sends_utc_iso(fake: FakeTradingView, tv: TradingViewClient) -> None:
    local = SOON.astimezone(timezone(timedelta(hours=5, minutes=30)))
    tv.add(PINE, "JoeBloggs", local)
    assert fake.to("/pine_perm/add/")[-1].form["expiration"] == "2031-01-31T12:00:00+00:00"
    with pytest.raises(ValueError, match="naive"):
        tv.add(PINE, "JoeBloggs", datetime(2031, 1, 1))


@pytest.mark.parametrize("absent", ["ok", "not_exists"])
def test_fm20_removing_a_user_without_access_is_idempotent(
    fake: FakeTradingView, tv: TradingViewClient, absent: str
) -> None:
    fake.knobs.remove_absent = absent
    assert tv.remove(PINE, "JoeBloggs") == absent
    assert tv.find_user(PINE, "JoeBloggs") is None


@pytest.mark.parametrize("status", [404, 422])
def test_fm21_modify_without_access_is_not_granted(
    fake: FakeTradingView, tv: TradingViewClient, status: int
) -> None:
    fake.knobs.modify_absent = status
    with pytest.raises(errors.NotGranted):
        tv.modify_user_expiration(PINE, "JoeBloggs", SOON)
    assert fake.count("/pine_perm/modify_user_expiration/") == 1


@pytest.mark.parametrize("pine_id", ["PUB;" + "f" * 32, OTHER_PINE.replace("ry", "zz")])
def test_fm22_unknown_or_unowned_pine_id_is_bad_pine_id(
    fake: FakeTradingView, tv: TradingViewClient, pine_id: str
) -> None:
    fake.add_script("PUB;" + "f" * 32, owner="SomeoneElse")
    with pytest.raises(errors.BadPineId) as caught:
        tv.list_users(pine_id)
    assert caught.value.field == "pine_id"


@pytest.mark.parametrize("pine_id", ["USER;abc", "STD;RSI", "3be120ba74944ca7b32ad644f40aaff2", ""])
def test_fm22_malformed_ids_are_refused_before_sending(
    fake: FakeTradingView, tv: TradingViewClient, pine_id: str
) -> None:
    with pytest.raises(errors.BadPineId):
        tv.add(pine_id, "JoeBloggs", SOON)
    assert fake.count("/pine_perm/add/") == 0


def test_fm23_semicolon_is_encoded_and_multipart_works(
    fake: FakeTradingView, sleeps: Sleeps
) -> None:
    cookies = Cookies(*fake.new_session())
    TradingViewClient(fake.url, cookies, sleep=sleeps).add(PINE, "JoeBloggs", SOON)
    hit = fake.to("/pine_perm/add/")[-1]
    assert b"pine_id=PUB%3B3be120ba" in hit.raw_body
    assert hit.content_type.startswith("application/x-www-form-urlencoded")
    multipart = TradingViewClient(fake.url, cookies, multipart=True, sleep=sleeps)
    assert multipart.add(OTHER_PINE, "JoeBloggs", SOON) == "ok"
    assert fake.to("/pine_perm/add/")[-1].content_type.startswith("multipart/form-data")
    assert fake.expiration_of(OTHER_PINE, "JoeBloggs") == SOON


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (404, "<!DOCTYPE html><html><body>Page not found</body></html>", "text/html"),
        (405, {"detail": 'Method "POST" not allowed.'}, "application/json"),
        (200, "<html><body>maintenance</body></html>", "text/html"),
    ],
)
def test_fm24_moved_endpoint_is_endpoint_changed(
    fake: FakeTradingView, tv: TradingViewClient, status: int, body: object, content_type: str
) -> None:
    fake.inject("/pine_perm/add/", status, body, content_type=content_type)
    with pytest.raises(errors.EndpointChanged):
        tv.add(PINE, "JoeBloggs", SOON)


def test_fm24_wrong_path_pine_perms(fake: FakeTradingView, tv: TradingViewClient) -> None:
    with pytest.raises(errors.EndpointChanged):
        tv._call("POST", "/pine_perms/add/", form={"pine_id": PINE}, operation="add")


def test_fm24_moved_endpoints_switch(fake: FakeTradingView, tv: TradingViewClient) -> None:
    fake.knobs.endpoint_moved = True
    for call in (lambda: tv.list_users(PINE), lambda: tv.remove(PINE, "JoeBloggs")):
        with pytest.raises(errors.EndpointChanged) as caught:
            call()
        assert caught.value.status == 502 and "Page not found" in caught.value.answer
    assert tv.probe() == fake.owner  # the session itself is fine


def test_fm25_429_honours_retry_after_and_never_signs_in(
    fake: FakeTradingView, tv: TradingViewClient, sleeps: Sleeps
) -> None:
    fake.inject(
        "/pine_perm/add/",
        429,
        {"detail": "Request was throttled."},
        times=2,
        **{"Retry-After": "3"},
    )
    assert tv.add(PINE, "JoeBloggs", SOON) == "ok"
    assert sleeps == [3.0, 3.0]
    assert fake.count("/pine_perm/add/") == 3 and fake.count("/accounts/signin/") == 0


def test_fm25_429_retries_are_capped(
    fake: FakeTradingView, tv: TradingViewClient, sleeps: Sleeps
) -> None:
    fake.inject("/pine_perm/add/", 429, {"detail": "throttled"}, times=99, **{"Retry-After": "1"})
    with pytest.raises(errors.RateLimited) as caught:
        tv.add(PINE, "JoeBloggs", SOON)
    assert fake.count("/pine_perm/add/") == tv.max_retries + 1
    assert caught.value.status == 429


def test_fm25_a_long_retry_after_gives_up_at_once(
    fake: FakeTradingView, tv: TradingViewClient, sleeps: Sleeps
) -> None:
    fake.inject("/pine_perm/add/", 429, {"detail": "throttled"}, times=9, **{"Retry-After": "3600"})
    with pytest.raises(errors.RateLimited) as caught:
        tv.add(PINE, "JoeBloggs", SOON)
    assert fake.count("/pine_perm/add/") == 1 and sleeps == []
    assert caught.value.retry_after == 3600


def test_fm25_5xx_is_retried_with_backoff(
    fake: FakeTradingView, tv: TradingViewClient, sleeps: Sleeps
) -> None:
    fake.inject(
        "/pine_perm/list_users/", 502, "<html>Bad gateway</html>", times=2, content_type="text/html"
    )
    assert tv.list_users(PINE) == []
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_fm25_other_4xx_are_not_retried(
    fake: FakeTradingView, tv: TradingViewClient, sleeps: Sleeps, status: int
) -> None:
    fake.inject("/pine_perm/remove/", status, {"detail": "no"}, times=5)
    with pytest.raises(errors.TradingViewError):
        tv.remove(PINE, "JoeBloggs")
    assert fake.count("/pine_perm/remove/") == 1 and sleeps == []


def test_fm25_refused_connection_is_unavailable(sleeps: Sleeps) -> None:
    with FakeTradingView() as gone:
        url = gone.url
    client = TradingViewClient(url, Cookies("a" * 32, "v1:x"), timeout=2, sleep=sleeps)
    with pytest.raises(errors.Unavailable):
        client.probe()
    assert len(sleeps) == client.max_retries


def test_fm28_huge_userpic_is_parsed_whole(fake: FakeTradingView, tv: TradingViewClient) -> None:
    fake.knobs.userpic_bytes = 2_000_000
    fake.grant(PINE, "JoeBloggs", SOON)
    fake.grant(PINE, "alice_tv", None)
    rows = {r.username: r for r in tv.list_users(PINE)}
    assert rows["JoeBloggs"].expiration == SOON and rows["alice_tv"].lifetime


def test_fm29_non_utc_local_zone_keeps_comparisons_right(
    fake: FakeTradingView, tv: TradingViewClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        fake.grant(PINE, "JoeBloggs", SOON)
        row = tv.find_user(PINE, "JoeBloggs")
        assert row is not None and row.expiration == SOON
        assert row.expiration.utcoffset() == timedelta(0)
        assert row.expiration > datetime.now().astimezone()
        assert fake.to("/pine_perm/list_users/")[-1].form["username"] == "JoeBloggs"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert os.environ.get("TZ") is None
