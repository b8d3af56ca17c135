"""Typed failures of the TradingView integration, each a DomainError with its HTTP status.

The statuses describe what TradeDeck's own caller should do: 409 when an admin must act on
the TradingView session (expired, captcha, 2FA), 429 when waiting helps, 404/400 for bad
input naming its field, and 502/503 when TradingView answered something we cannot use.
"""

from __future__ import annotations

from tradedeck.core.errors import DomainError


class TradingViewError(DomainError):
    """Base of every TradingView failure; `answer` keeps what TradingView said, for the log."""

    status = 502
    default_code = "tradingview_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        answer: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, field=field, code=self.default_code)
        self.answer = answer
        self.retry_after = retry_after


class SessionMissing(TradingViewError):
    status, default_code = 409, "tradingview_session_missing"


class SessionExpired(TradingViewError):
    status, default_code = 409, "tradingview_session_expired"


class CaptchaRequired(TradingViewError):
    status, default_code = 409, "tradingview_captcha_required"


class TwoFactorRequired(TradingViewError):
    """Sign-in needs the TOTP code; `pending` holds the pre-auth cookies for the second step."""

    status, default_code = 409, "tradingview_2fa_required"

    def __init__(self, message: str, *, pending: dict[str, str], answer: str = "") -> None:
        super().__init__(message, answer=answer)
        self.pending = pending


class TwoFactorInvalid(TradingViewError):
    status, default_code = 400, "tradingview_2fa_invalid"


class TwoFactorExpired(TradingViewError):
    status, default_code = 409, "tradingview_2fa_expired"


class SignInRejected(TradingViewError):
    status, default_code = 400, "tradingview_signin_rejected"


class SignInThrottled(TradingViewError):
    """TradingView's sign-in `rate_limit` body (also Google-only accounts without a password)."""

    status, default_code = 429, "tradingview_signin_throttled"


class SignInCooldown(TradingViewError):
    status, default_code = 429, "tradingview_signin_cooldown"


class RateLimited(TradingViewError):
    status, default_code = 429, "tradingview_rate_limited"


class UserNotFound(TradingViewError):
    status, default_code = 404, "tradingview_user_not_found"


class BadPineId(TradingViewError):
    status, default_code = 400, "bad_pine_id"


class NotGranted(TradingViewError):
    """modify_user_expiration on someone without access (404 or 422 from TradingView)."""

    status, default_code = 404, "tradingview_not_granted"


class EndpointChanged(TradingViewError):
    status, default_code = 502, "tradingview_endpoint_changed"


class PaginationRejected(EndpointChanged):
    """400 `bad_pagination_request`: the page size is above what the server allows."""


class EdgeBlocked(TradingViewError):
    status, default_code = 503, "tradingview_edge_block"


class Unavailable(TradingViewError):
    """5xx, timeouts and refused connections: worth a bounded retry."""

    status, default_code = 503, "tradingview_unavailable"


class VerificationFailed(TradingViewError):
    """After a write, list_users does not show what was written."""

    status, default_code = 502, "tradingview_unverified"


class CircuitOpen(TradingViewError):
    status, default_code = 503, "tradingview_circuit_open"
