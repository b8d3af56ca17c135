"""Access durations and the extension rule (TRADINGVIEW.md §4.2, seed 002).

Extending counts from the current expiry while it is still in the future, else from now
(an expired row TradingView still lists must not yield an already-past date). Years are
calendar months (Feb 29 + 1y = Feb 28). Lifetime is `None` and stays lifetime.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

from tradedeck.core.errors import DomainError

DURATIONS: dict[str, tuple[int, str] | None] = {
    "7d": (7, "days"),
    "30d": (30, "days"),
    "90d": (90, "days"),
    "1y": (12, "months"),
    "lifetime": None,
}
LABELS = {
    "7d": "7 days",
    "30d": "30 days",
    "90d": "90 days",
    "1y": "1 year",
    "lifetime": "Lifetime",
}


def check_duration(value: str) -> str:
    if value not in DURATIONS:
        raise DomainError(f"Duration must be one of {', '.join(DURATIONS)}.", field="duration")
    return value


def add_months(when: datetime, months: int) -> datetime:
    """Same day `months` later, clamped to the month's last day (Jan 31 + 1 = Feb 28/29)."""
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def add_duration(base: datetime, duration: str) -> datetime | None:
    """`base` moved by `duration`; None (no expiry) for lifetime."""
    spec = DURATIONS[check_duration(duration)]
    if spec is None:
        return None
    amount, unit = spec
    if unit == "months":
        return add_months(base, amount)
    return base + timedelta(days=amount)


def extension_base(current: datetime | None, now: datetime) -> datetime:
    """Extend from the current expiry if it is still ahead, else from now (both UTC)."""
    now = now.astimezone(UTC)
    if current is not None and current.astimezone(UTC) > now:
        return current.astimezone(UTC)
    return now
