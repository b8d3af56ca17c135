"""Per-user rate limits of the market-data routes (MARKET_DATA_RATE_LIMIT, ANALYTICS_RATE_LIMIT).

The same lean check as the order limit (`trading.order_rate_limit`): flask-limiter's strategy and
storage (`limiter.limiter`: per-process memory, or Redis when REDIS_URL is set so every worker
shares the count; `limiter.reset()` clears it) hit once per call, keyed by the user and the
route's scope, instead of its route decorator. A refusal is flask-limiter's 429
(`Too many requests: limit is 120 per 1 minute`) with `Retry-After`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypeVar

from flask import current_app
from flask_login import current_user
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests

from tradedeck.extensions import limiter

F = TypeVar("F", bound=Callable[..., Any])


def limit_per_user(setting: str, scope: str) -> Callable[[F], F]:
    """Count each call against the current user's `scope` limit, read from the Config
    attribute `setting`; 429 once it is used up."""

    def decorate(view: F) -> F:
        @wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            if limiter.enabled:
                hit(getattr(current_app.config["TRADEDECK"], setting), scope)
            return view(*args, **kwargs)

        return limited  # type: ignore[return-value]

    return decorate


@cache
def _item(text: str) -> RateLimitItem:
    return parse(text)


def hit(limit: str, scope: str) -> None:
    """One call of the current user against `limit` in `scope`; TooManyRequests when over."""
    item = _item(limit)
    identity = [f"user:{getattr(current_user, 'id', None)}", scope]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    if prefix:
        identity.insert(0, prefix)
    if limiter.limiter.hit(item, *identity):
        return
    reset, _remaining = limiter.limiter.get_window_stats(item, *identity)
    raise TooManyRequests(
        str(item), response=None, retry_after=max(1, int(reset - time.time()) + 1)
    )
