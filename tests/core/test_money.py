from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pytest

from tradedeck.core.errors import DomainError
from tradedeck.core.money import (
    bps_fee,
    currency_places,
    is_multiple_of_step,
    notional,
    parse_decimal,
    quantize_money,
    quantize_to_step,
    to_json,
)

D = Decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.50", D("12.5")),
        (" 7 ", D("7")),
        (3, D("3")),
        (0.1, D("0.1")),
        (1e-05, D("0.00001")),
        (D("1E+3"), D("1000")),
        ("100", D("100")),
        ("0", D("0")),
        ("-0", D("0")),
        ("1.2300000000000", D("1.23")),
    ],
)
def test_parse_decimal_accepts_plain_numbers(raw, expected):
    value = parse_decimal(raw, field="amount")
    assert value == expected
    assert to_json(value) == to_json(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, "required"),
        ("", "required"),
        ("  ", "required"),
        ("NaN", "invalid_number"),
        ("Infinity", "invalid_number"),
        (float("nan"), "invalid_number"),
        (float("inf"), "invalid_number"),
        (D("NaN"), "invalid_number"),
        (D("-Infinity"), "invalid_number"),
        ("1e3", "invalid_number"),
        ("1E-2", "invalid_number"),
        ("1_000", "invalid_number"),
        ("0x10", "invalid_number"),
        ("\u0661\u0662", "invalid_number"),
        (".5", "invalid_number"),
        ("5.", "invalid_number"),
        ("+5", "invalid_number"),
        (True, "invalid_number"),
        ([1], "invalid_number"),
        (0.1 + 0.2, "too_many_decimals"),
        ("0.12345678901", "too_many_decimals"),
        ("1234567890123", "too_large"),
        (1e20, "too_large"),
        ("-1", "negative"),
    ],
)
def test_parse_decimal_rejects_with_code_and_field(raw, code):
    with pytest.raises(DomainError) as err:
        parse_decimal(raw, field="amount")
    assert err.value.code == code
    assert err.value.field == "amount"
    assert "amount" in err.value.message
    assert err.value.to_dict() == {"code": code, "message": err.value.message, "field": "amount"}


def test_parse_decimal_options():
    assert parse_decimal("-2.5", field="x", allow_negative=True) == D("-2.5")
    assert parse_decimal("1.234", field="x", max_places=3) == D("1.234")
    with pytest.raises(DomainError, match="more than 2 decimal places"):
        parse_decimal("1.234", field="x", max_places=2)
    with pytest.raises(DomainError) as err:
        parse_decimal("0", field="quantity", positive=True)
    assert err.value.code == "not_positive"


def test_quantize_money_rounds_half_up_away_from_zero():
    assert quantize_money(D("2.345")) == D("2.35")
    assert quantize_money(D("2.344999")) == D("2.34")
    assert quantize_money(D("-2.345")) == D("-2.35")
    assert quantize_money(D("1.5"), places=0) == D("2")
    assert quantize_money(D("1.0005"), places=3) == D("1.001")


def test_currency_places():
    assert currency_places("usd") == 2
    assert currency_places("JPY") == 0
    assert currency_places("KWD") == 3


def test_step_rounding_and_membership():
    assert quantize_to_step(D("10.037"), D("0.05")) == D("10.05")
    assert quantize_to_step(D("10.025"), D("0.05")) == D("10.05")
    assert quantize_to_step(D("10.01"), D("0.05"), ROUND_CEILING) == D("10.05")
    assert quantize_to_step(D("10.04"), D("0.05"), ROUND_FLOOR) == D("10.00")
    assert quantize_to_step(D("0.123456"), D("0.00001"), ROUND_FLOOR) == D("0.12345")
    assert is_multiple_of_step(D("10.05"), D("0.05"))
    assert not is_multiple_of_step(D("10.051"), D("0.05"))
    assert is_multiple_of_step(D("0.00003"), D("0.00001"))
    assert not is_multiple_of_step(D("1.5"), D("1"))
    with pytest.raises(ValueError):
        is_multiple_of_step(D("1"), D("0"))


def test_notional_is_exact_before_rounding_for_large_inputs():
    # 28-digit default context would round the product before quantizing
    price = D("999999999999.9999999999")
    qty = D("999999999999.9999999999")
    assert notional(price, qty) == D("999999999999999999999800.00")
    assert notional(D("0.333"), D("3")) == D("1.00")
    assert notional(D("0.335"), D("1")) == D("0.34")


def test_bps_fee():
    assert bps_fee(D("1000"), D("10")) == D("1.00")
    assert bps_fee(D("12.34"), D("25")) == D("0.03")
    assert bps_fee(D("10.00"), D("5")) == D("0.01")
    assert bps_fee(D("-1000"), D("10")) == D("1.00")
    assert bps_fee(D("1000"), D("0")) == D("0.00")
    with pytest.raises(ValueError):
        bps_fee(D("1"), D("-1"))


def test_to_json():
    assert to_json(D("1E+3")) == "1000"
    assert to_json(D("0.00001")) == "0.00001"
    assert to_json(D("-0.00")) == "0.00"
    assert to_json(D("2.345"), places=2) == "2.35"
    assert to_json(D("5"), places=2) == "5.00"
