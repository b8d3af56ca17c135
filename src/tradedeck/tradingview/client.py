"""HTTP client of TradingView's private "Manage access" endpoints (see TRADINGVIEW.md).

Why it looks the way it does:
- Authentication is the `sessionid` + `sessionid_sign` cookie pair only; this client never
  signs in on its own. A dead session raises `SessionExpired` and the admin renews it, because
  repeated password logins trigger captchas and 24-36 h account blocks.
- Answers are classified before they are trusted: HTML where JSON was expected is an
  anonymous page, a CloudFront block or a moved endpoint, never a decode crash.
- Only 429 (honouring Retry-After) and 5xx/connection failures are retried, a bounded number
  of times (`market.providers.base.retrying`); every other 4xx surfaces at once.
- `list_users` walks `next` cursors at most 30 rows per page, detects a looping cursor, and
  `find_user` matches usernames exactly (case-insensitively) whatever the server filtered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from curl_cffi import CurlMime
from curl_cffi import requests as http

from tradedeck.market.providers.base import retry_after_seconds, retrying
from tradedeck.tradingview import errors
from tradedeck.tradingview.pine import validate_pine_id

ORIGIN = "https://www.tradingview.com"
MAX_PAGE_SIZE = 30
MAX_PAGES = 2000
ORDER_BY = "-created"


def parse_time(text: str | None) -> datetime | None:
    """TradingView's ISO 8601 in any of the seen forms (`Z`, `+00:00`, space, micros) as UTC."""
    if text is None:
        return None
    value = datetime.fromisoformat(text.strip().replace(" ", "T", 1).replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_time(when: datetime) -> str:
    """What we send: UTC ISO 8601 with an explicit offset."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: TradingView expirations are sent in UTC")
    return when.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Cookies:
    """The session cookie pair an admin pastes or a sign-in returns."""

    sessionid: str
    sessionid_sign: str = ""

    def header(self, spaced: bool = True) -> str:
        parts = [f"sessionid={self.sessionid}"]
        if self.sessionid_sign:
            parts.append(f"sessionid_sign={self.sessionid_sign}")
        return ("; " if spaced else ";").join(parts)


@dataclass(frozen=True)
class HintUser:
    id: int
    username: str
    inactive: bool = False


@dataclass(frozen=True)
class Grantee:
    """One row of list_users; `expiration` None means lifetime access."""

    id: int
    username: str
    expiration: datetime | None
    created: datetime | None

    @property
    def lifetime(self) -> bool:
        return self.expiration is None


@dataclass
class TradingViewClient:
    """One TradingView account's session; `base_url` is TRADEDECK_TRADINGVIEW_URL."""

    base_url: str
    cookies: Cookies | None = None
    timeout: float = 15.0
    max_retries: int = 2
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 30.0
    page_size: int = MAX_PAGE_SIZE
    multipart: bool = False
    spaced_cookie_header: bool = True
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self._session = http.Session(impersonate="chrome")

    # -- accounts --------------------------------------------------------------------------
    def username_hint(self, text: str) -> list[HintUser]:
        """TradingView's username search (no session needed)."""
        body = self._call("GET", "/username_hint/", query={"s": text}, auth=False)
        if not isinstance(body, list):
            raise errors.EndpointChanged("username_hint did not answer a list.", answer=_cut(body))
        return [
            HintUser(int(row["id"]), str(row["username"]), bool(row.get("inactive", False)))
            for row in body
            if isinstance(row, dict) and "username" in row and "id" in row
        ]

    def canonical_username(self, text: str) -> str:
        """The exact spelling of an existing username: equal ignoring case, never a near match."""
        wanted = text.strip()
        if not wanted:
            raise errors.UserNotFound("Enter a TradingView username.", field="username")
        for hint in self.username_hint(wanted):
            if hint.username.lower() == wanted.lower():
                return hint.username
        raise errors.UserNotFound(f"TradingView has no user named {wanted!r}.", field="username")

    def probe(self) -> str:
        """The session's account name (tvcoins details); raises SessionExpired when it is dead."""
        body = self._call("GET", "/tvcoins/details/")
        if not isinstance(body, dict) or "link" not in body:
            raise errors.EndpointChanged("tvcoins answered an unknown shape.", answer=_cut(body))
        return str(body["link"])

    def list_scripts(self) -> list[str]:
        body = self._call("POST", "/pine_perm/list_scripts/", form={})
        return [str(item) for item in body] if isinstance(body, list) else []

    # -- sign-in (fallback mode; the session service enforces the cooldown) ----------------
    def sign_in(self, username: str, password: str) -> Cookies:
        form = {"username": username, "password": password, "remember": "on"}
        response = self._send("POST", "/accounts/signin/", form=form, cookie_header=None)
        return self._signed_in(response)

    def submit_totp(self, pending: dict[str, str], code: str) -> Cookies:
        header = "; ".join(f"{k}={v}" for k, v in pending.items())
        response = self._send(
            "POST", "/accounts/two-factor/signin/totp/", form={"code": code}, cookie_header=header
        )
        body = _json_or_none(response)
        if response.status_code == 403 and "expired" in json.dumps(body or {}).lower():
            raise errors.TwoFactorExpired(
                "The pending TradingView sign-in expired; sign in again.", answer=_cut(body)
            )
        if response.status_code >= 400 and body is not None:
            raise errors.TwoFactorInvalid(
                "TradingView refused the code.", field="code", answer=_cut(body)
            )
        return self._signed_in(response)

    def _signed_in(self, response: http.Response) -> Cookies:
        body = _json_or_none(response)
        if body is None:
            raise _html_error(response, signin=True)
        code = str(body.get("code") or body.get("error") or "") if isinstance(body, dict) else ""
        answer = _cut(body)
        if code == "recaptcha_required":
            raise errors.CaptchaRequired(
                "TradingView asks for a captcha: paste the session cookies from a browser.",
                answer=answer,
            )
        if code == "2FA_required":
            raise errors.TwoFactorRequired(
                "Enter the 6-digit code of the TradingView account's authenticator app.",
                pending=dict(response.cookies.items()),
                answer=answer,
            )
        if code == "rate_limit":
            raise errors.SignInThrottled(
                "TradingView is throttling sign-ins for this account or address; try later.",
                answer=answer,
            )
        jar = dict(response.cookies.items())
        if not isinstance(body, dict) or not body.get("user") or "sessionid" not in jar:
            raise errors.SignInRejected(
                f"TradingView refused the sign-in: {body.get('error') or 'no session'}.",
                answer=answer,
            )
        return Cookies(jar["sessionid"], jar.get("sessionid_sign", ""))

    # -- pine_perm -------------------------------------------------------------------------
    def list_users(self, pine_id: str, username: str | None = None) -> list[Grantee]:
        """Every grantee of a script (all pages); `username` is only a server-side hint."""
        validate_pine_id(pine_id)
        limit = max(1, min(self.page_size, MAX_PAGE_SIZE))
        while True:
            try:
                return self._walk(pine_id, username, limit)
            except errors.PaginationRejected:
                if limit == 1:
                    raise
                limit = max(1, limit // 2)

    def find_user(self, pine_id: str, username: str) -> Grantee | None:
        """The grant of `username` (exact, case-insensitive), searching every page."""
        wanted = username.lower()
        for row in self.list_users(pine_id, username):
            if row.username.lower() == wanted:
                return row
        return None

    def add(self, pine_id: str, username: str, expiration: datetime | None) -> str:
        """`ok` (new grant) or `exists` (had access already: the expiry was NOT changed)."""
        body = self._write("add", pine_id, username, expiration)
        return str(body.get("status", "")) if isinstance(body, dict) else ""

    def modify_user_expiration(
        self, pine_id: str, username: str, expiration: datetime | None
    ) -> None:
        """Set the expiry; None makes the grant lifetime. NotGranted when there is no grant."""
        self._write("modify_user_expiration", pine_id, username, expiration)

    def remove(self, pine_id: str, username: str) -> str:
        """`ok` or `not_exists`; both mean the user has no access now."""
        body = self._write("remove", pine_id, username, None)
        return str(body.get("status", "")) if isinstance(body, dict) else ""

    def _write(self, name: str, pine_id: str, username: str, expiration: datetime | None) -> Any:
        validate_pine_id(pine_id)
        form = {"pine_id": pine_id, "username_recip": username}
        if expiration is not None:
            form["expiration"] = format_time(expiration)
        return self._call("POST", f"/pine_perm/{name}/", form=form, operation=name)

    def _walk(self, pine_id: str, username: str | None, limit: int) -> list[Grantee]:
        form = {"pine_id": pine_id}
        if username:
            form["username"] = username
        path = f"/pine_perm/list_users/?{urlencode({'limit': limit, 'order_by': ORDER_BY})}"
        rows: list[Grantee] = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body = self._call("POST", path, form=form, operation="list_users")
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise errors.EndpointChanged(
                    "list_users answered an unknown shape.", answer=_cut(body)
                )
            rows.extend(_grantee(row) for row in body["results"])
            following = body.get("next")
            if not following:
                return rows
            target = urlsplit(urljoin(self.base_url + "/", following))
            path = f"{target.path}?{target.query}"
            if path in seen:
                raise errors.EndpointChanged(
                    "list_users returned the same page cursor twice.", answer=following
                )
            seen.add(path)
        raise errors.EndpointChanged(f"list_users has more than {MAX_PAGES} pages.")

    # -- transport -------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        auth: bool = True,
        operation: str = "",
    ) -> Any:
        """One request with bounded retries of 429/5xx/connection errors; classified answer."""
        header = None
        if auth:
            if self.cookies is None:
                raise errors.SessionMissing("No TradingView session is set.")
            header = self.cookies.header(self.spaced_cookie_header)

        def attempt() -> Any:
            response = self._send(method, path, query=query, form=form, cookie_header=header)
            return _classify(response, operation)

        policy = retrying(
            transient=lambda exc: isinstance(exc, errors.RateLimited | errors.Unavailable),
            max_retries=self.max_retries,
            backoff_seconds=self.backoff_seconds,
            max_backoff_seconds=self.max_backoff_seconds,
            sleep=self.sleep,
        )
        return policy(attempt)

    def _send(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        cookie_header: str | None,
    ) -> http.Response:
        headers = {
            "Origin": ORIGIN,
            "Referer": ORIGIN + "/",
            "Accept": "application/json, text/javascript, */*; q=0.01",
            "X-Requested-With": "XMLHttpRequest",
        }
        if cookie_header:
            headers["Cookie"] = cookie_header
        url = self.base_url + path
        if query:
            url += ("&" if "?" in path else "?") + urlencode(query)
        kwargs: dict[str, Any] = {}
        mime = None
        if form is not None and self.multipart:
            mime = CurlMime()
            for name, value in form.items():
                mime.addpart(name=name, data=value.encode())
            kwargs["multipart"] = mime
        elif form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8"
            kwargs["data"] = urlencode(form)
        try:
            return self._session.request(
                method,
                url,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
                discard_cookies=True,
                **kwargs,
            )
        except http.exceptions.RequestException as exc:
            raise errors.Unavailable(f"Cannot reach TradingView at {self.base_url}: {exc}") from exc
        finally:
            if mime is not None:
                mime.close()


def _json_or_none(response: http.Response) -> Any:
    text = response.text.lstrip()
    if not text.startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _cut(body: Any, limit: int = 500) -> str:
    text = body if isinstance(body, str) else json.dumps(body, default=str)
    return text[:limit]


def _html_error(response: http.Response, *, signin: bool = False) -> errors.TradingViewError:
    """What a non-JSON answer means: edge block, anonymous page / sign-in redirect, moved path."""
    text = response.text
    lower = text.lower()
    status = response.status_code
    if "cloudfront" in lower or "request could not be satisfied" in lower:
        return errors.EdgeBlocked(
            f"TradingView's edge (CloudFront) blocked the request (HTTP {status}).",
            answer=_cut(text),
        )
    location = response.headers.get("Location", "")
    if not signin and (
        "is-not-authenticated" in lower or "/accounts/signin" in location or status in (401, 403)
    ):
        return errors.SessionExpired(
            "The TradingView session is no longer valid; paste fresh cookies.",
            answer=_cut(text or location),
        )
    return errors.EndpointChanged(
        f"TradingView answered HTTP {status} with a page instead of JSON: the endpoint may "
        "have changed.",
        answer=_cut(text or location),
    )


def _classify(response: http.Response, operation: str) -> Any:
    """The JSON body of a usable answer, or the typed error it stands for."""
    status = response.status_code
    if status == 429:
        raise errors.RateLimited(
            "TradingView is rate limiting requests; try again shortly.",
            answer=_cut(response.text),
            retry_after=retry_after_seconds(response.headers) or 1.0,
        )
    if status >= 500:
        raise errors.Unavailable(f"TradingView answered HTTP {status}.", answer=_cut(response.text))
    body = _json_or_none(response)
    if body is None:
        raise _html_error(response)
    answer = _cut(body)
    detail = json.dumps(body).lower()
    if status in (401, 403):
        if "csrf" in detail:
            raise errors.EdgeBlocked("TradingView rejected the request's origin.", answer=answer)
        raise errors.SessionExpired(
            "The TradingView session is no longer valid; paste fresh cookies.", answer=answer
        )
    if status == 422 and "username_recip_not_found" in detail:
        raise errors.UserNotFound("TradingView has no such user.", field="username", answer=answer)
    if status in (400, 422) and "pine_id" in detail:
        raise errors.BadPineId(
            "TradingView refused the Pine script id (unknown, or not owned by this account).",
            field="pine_id",
            answer=answer,
        )
    if operation == "modify_user_expiration" and status in (404, 422):
        raise errors.NotGranted("The user has no access to modify.", answer=answer)
    if status == 400 and "bad_pagination_request" in detail:
        raise errors.PaginationRejected("TradingView refused the page size.", answer=answer)
    if status in (400, 422) and "expiration" in detail:
        raise errors.TradingViewError(
            "TradingView refused the expiration date.", field="expiration", answer=answer
        )
    if status in (404, 405) or status >= 300:
        raise errors.EndpointChanged(
            f"TradingView answered HTTP {status} to {operation or 'a request'}: the endpoint "
            "may have changed.",
            answer=answer,
        )
    return body


def _grantee(row: dict[str, Any]) -> Grantee:
    return Grantee(
        id=int(row.get("id", 0)),
        username=str(row["username"]),
        expiration=parse_time(row.get("expiration")),
        created=parse_time(row.get("created")),
    )
