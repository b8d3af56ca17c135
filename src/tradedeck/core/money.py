"""Decimal money helpers: strict parsing, rounding to money places and to tick/lot steps.

Money is never a float. Every rounding names its mode; the default for money is ROUND_HALF_UP
(half a cent rounds away from zero), the convention people expect from a receipt.
Arithmetic runs in a 60-digit context so that price x quantity of the largest accepted
inputs (12 integer digits, 10 places each) is exact before it is rounded on purpose.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from tradedeck.core.errors import DomainError

MONEY_PLACES = 2
MAX_PLACES = 10
MAX_INTEGER_DIGITS = 12
BPS_DENOMINATOR = Decimal(10_000)

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_WORK_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)

# ISO 4217 minor units that differ from 2; everything else (USD, EUR, INR, USDT...) uses 2.
_CURRENCY_PLACES = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "BHD": 3, "KWD": 3, "OMR": 3}


@contextmanager
def exact() -> Iterator[None]:
    """Run Decimal arithmetic with enough precision that products and sums are exact."""
    with localcontext(_WORK_CONTEXT):
        yield


def currency_places(currency: str) -> int:
    """Minor-unit places of `currency` (2 unless ISO 4217 says otherwise)."""
    return _CURRENCY_PLACES.get(currency.upper(), MONEY_PLACES)


def parse_decimal(
    value: object,
    *,
    field: str,
    max_places: int = MAX_PLACES,
    max_integer_digits: int = MAX_INTEGER_DIGITS,
    allow_negative: bool = False,
    positive: bool = False,
) -> Decimal:
    """Turn user input into a Decimal, refusing anything that is not a plain decimal number.

    Accepts decimal strings (`"12.50"`, no exponent, no `_`, ASCII digits only), ints, Decimals
    and floats. A float is read through its shortest repr, so JSON `0.1` is exactly 0.1, while
    binary noise such as `0.30000000000000004` fails the places check instead of being rounded
    silently. Trailing zeros do not count as places.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(f"{field} is required", field=field, code="required")
    number = _to_decimal(value, field)
    if not number.is_finite():
        raise DomainError(f"{field} must be a finite number", field=field, code="invalid_number")
    number = number.normalize(_WORK_CONTEXT) if number else Decimal(0)
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    places = max(0, -exponent)
    if places > max_places:
        raise DomainError(
            f"{field} has more than {max_places} decimal places",
            field=field,
            code="too_many_decimals",
        )
    if len(digits) + exponent > max_integer_digits:
        raise DomainError(f"{field} is too large", field=field, code="too_large")
    if exponent > 0:
        number = number.quantize(Decimal(1), context=_WORK_CONTEXT)
    if sign and not allow_negative:
        raise DomainError(f"{field} must not be negative", field=field, code="negative")
    if positive and number <= 0:
        raise DomainError(f"{field} must be greater than 0", field=field, code="not_positive")
    return number


def _to_decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool):
        raise DomainError(f"{field} must be a number", field=field, code="invalid_number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DomainError(
                f"{field} must be a finite number", field=field, code="invalid_number"
            )
        return Decimal(repr(value))
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return Decimal(value.strip())
    raise DomainError(f"{field} must be a decimal number", field=field, code="invalid_number")


def quantize_money(amount: Decimal, places: int = MONEY_PLACES) -> Decimal:
    """Round a money amount to `places` decimals, ROUND_HALF_UP."""
    return amount.quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_WORK_CONTEXT
    )


def quantize_to_step(value: Decimal, step: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round `value` to a multiple of `step` (a tick size or lot size) with the given mode."""
    _check_step(step)
    with exact():
        units = (value / step).to_integral_value(rounding=rounding)
        return (units * step).quantize(step)


def is_multiple_of_step(value: Decimal, step: Decimal) -> bool:
    """True when `value` lies exactly on the `step` grid (e.g. a price on the tick size)."""
    _check_step(step)
    with exact():
        return value % step == 0


def _check_step(step: Decimal) -> None:
    if not step.is_finite() or step <= 0:
        raise ValueError(f"step must be a positive finite Decimal, got {step!r}")


def notional(price: Decimal, quantity: Decimal, places: int = MONEY_PLACES) -> Decimal:
    """Price x quantity rounded to money places: the cash amount of a fill."""
    with exact():
        return quantize_money(price * quantity, places)


def bps_fee(amount: Decimal, bps: Decimal, places: int = MONEY_PLACES) -> Decimal:
    """A fee of `bps` basis points on `amount`, ROUND_HALF_UP to money places."""
    if bps < 0:
        raise ValueError("fee bps must not be negative")
    with exact():
        return quantize_money(abs(amount) * bps / BPS_DENOMINATOR, places)


def to_json(value: Decimal, places: int | None = None) -> str:
    """Format a Decimal as the plain string the JSON API sends (no exponent, no `-0`)."""
    if places is not None:
        value = quantize_money(value, places)
    if value == 0:
        value = abs(value)
    return format(value, "f")
