"""ORDER_RATE_LIMIT: orders per user and period, one count for the API and the order form.

Counted by flask-limiter's own strategy and storage (`limiter.limiter`: per-process memory, or
Redis when REDIS_URL is set so that every worker shares the count; `limiter.reset()` clears
it), but checked here instead of by its route decorator: on every call that decorator
resolves scopes, exemptions and header state, about 9% of an order's CPU (callgrind of an
in-process order, bench/orders_api.py), where this check is one storage hit. A refusal is
flask-limiter's 429 (`Too many requests: limit is 10 per 1 minute`) with `Retry-After`.
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
SCOPE = "orders"


def limit_orders(view: F) -> F:
    """Count the call against the current user's order limit; 429 once it is used up."""

    @wraps(view)
    def limited(*args: Any, **kwargs: Any) -> Any:
        if limiter.enabled:
            _hit()
        return view(*args, **kwargs)

    return limited  # type: ignore[return-value]


@cache
def _item(text: str) -> RateLimitItem:
    return parse(text)


def _hit() -> None:
    item = _item(current_app.config["TRADEDECK"].order_rate_limit)
    identity = [f"user:{getattr(current_user, 'id', None)}", SCOPE]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    if prefix:
        identity.insert(0, prefix)
    if limiter.limiter.hit(item, *identity):
        return
    reset, _remaining = limiter.limiter.get_window_stats(item, *identity)
    retry_after = max(1, int(reset - time.time()) + 1)
    raise TooManyRequests(str(item), response=None, retry_after=retry_after)
