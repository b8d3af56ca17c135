"""ORDER_RATE_LIMIT: orders per user and period, one count for the API and the order form.

Counted by flask-limiter's own strategy and storage (`limiter.limiter`: per-process memory, or
Redis when REDIS_URL is set so that every worker shares the count; `limiter.reset()` clears
it), but checked here instead of by its route decorator: on every call that decorator
resolves scopes, exemptions and header state, about 9% of an order's CPU (callgrind of an
in-process order, bench/orders_api.py), where this check is one storage hit. A refusal is
flask-limiter's 429 (`Too many requests: limit is 10 per 1 minute`) with `Retry-After`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app

from tradedeck.extensions import limiter
from tradedeck.market.limits import hit

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


def _hit() -> None:
    hit(current_app.config["TRADEDECK"].order_rate_limit, SCOPE)
