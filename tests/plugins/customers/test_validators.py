"""ID card numbers (GB 11643), credit codes (GB 32100), phones and the other field validators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from surety.core.errors import ValidationFailed
from surety.plugins.customers import validators as v


def test_real_id_numbers_pass_and_are_normalised():
    # Published examples with their real check characters.
    assert v.validate_id_number("11010519491231002X") == "11010519491231002X"
    assert v.validate_id_number("11010519491231002x") == "11010519491231002X"
    assert v.validate_id_number(" 440524 18800101 0014 ") == "440524188001010014"
    assert v.id_check_char("11010519491231002") == "X"
    assert v.id_check_char("44052418800101001") == "4"


@pytest.mark.parametrize("value, fragment", [
    ("110105194912310021", "should be X, not 1"),
    ("44052418800101001X", "should be 4, not X"),
    ("11010519491231002", "18 characters, not 17"),
    ("1101051949123100AX", "17 digits followed by a digit or X"),
    ("00010519491231002X", "province code"),
    ("110105194913310020", "not a date"),
    ("", "required"),
])
def test_bad_id_numbers_are_refused_naming_the_problem(value, fragment):
    with pytest.raises(ValidationFailed) as err:
        v.validate_id_number(value)
    assert fragment in err.value.message and err.value.field == "id_number"


def test_future_birth_date_is_refused():
    first17 = "11010520990101001"
    with pytest.raises(ValidationFailed, match="out of range"):
        v.validate_id_number(first17 + v.id_check_char(first17), today=dt.date(2025, 1, 1))


def test_real_credit_codes_pass():
    # Published unified social credit codes (check characters per GB 32100).
    for code in ("91350100M000100Y43", "91110000802100433B"):
        assert v.validate_credit_code(code) == code
    assert v.uscc_check_char("91350100M000100Y4") == "3"
    assert v.validate_credit_code("91350100m000100y43") == "91350100M000100Y43"


@pytest.mark.parametrize("value, fragment", [
    ("91350100M000100Y44", "should be 3, not 4"),
    ("91350100M000100Y4", "18 characters, not 17"),
    ("91350100M000I00Y43", "except I, O, Z, S and V; found I"),
    ("9135AB00M000100Y43", "region code"),
])
def test_bad_credit_codes_are_refused_naming_the_problem(value, fragment):
    with pytest.raises(ValidationFailed) as err:
        v.validate_credit_code(value)
    assert fragment in err.value.message and err.value.field == "credit_code"


def test_phone_bank_industry_region_size_money():
    assert v.validate_phone("+86 138-0013-8000") == "13800138000"
    with pytest.raises(ValidationFailed) as err:
        v.validate_phone("12345")
    assert err.value.field == "phone"
    assert v.validate_bank_account("6222 0202 0000 1234 567") == "6222020200001234567"
    with pytest.raises(ValidationFailed, match="8 to 32 digits"):
        v.validate_bank_account("12ab")
    assert v.validate_industry("c13") == "C13"
    with pytest.raises(ValidationFailed, match="GB/T 4754"):
        v.validate_industry("Z99")
    assert v.validate_region("110105") == "110105"
    with pytest.raises(ValidationFailed):
        v.validate_region("990105")
    with pytest.raises(ValidationFailed):
        v.validate_size("huge")
    assert v.validate_money("1,000.50", field="x") == Decimal("1000.50")
    assert v.validate_money(0.1, field="x") == Decimal("0.1")  # shortest repr, never the binary value
    with pytest.raises(ValidationFailed, match="two decimal places"):
        v.validate_money("1.005", field="x")
    assert v.normalise_name(" ＡＢＣ 科技 ") == "abc科技"
