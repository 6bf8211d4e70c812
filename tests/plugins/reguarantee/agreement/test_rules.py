"""agreement/rules.py with the worked numbers of issue 17 and docs/reguarantee/README.md: the split to the fen with
the remainder to the original guarantor, the fee of the re-guarantor's share (0.5 %, 0.3 % at or below 500万,
halved under a programme, ACT/365), the household cap (inclusive) and the eligibility reasons."""

from __future__ import annotations

from decimal import Decimal

import pytest

from surety.plugins.reguarantee.agreement import rules

D = Decimal
SPLIT = {"original": D("0.4"), "reguarantor": D("0.2"), "national_fund": D("0.2"), "bank": D("0.2")}
STANDARD = rules.FeeRules(base_rate=D("0.005"), reduced_rate=D("0.003"), reduced_threshold=D("5000000"))
HALVED = rules.FeeRules(base_rate=D("0.005"), reduced_rate=D("0.003"), reduced_threshold=D("5000000"),
                        multiplier=D("0.5"))


def test_a_1000_wan_guarantee_split_40_20_20_20():
    assert rules.split_amount(D("10000000.00"), SPLIT) == {
        "original": D("4000000.00"), "reguarantor": D("2000000.00"), "national_fund": D("2000000.00"),
        "bank": D("2000000.00")}


def test_the_rounding_remainder_goes_to_the_original_guarantor():
    # 0.01 x 0.2 = 0.002 -> 0.00 for the three; 0.01 x 0.4 would be 0.004 but the original gets what is left.
    parts = {"original": D("0.4"), "reguarantor": D("0.2"), "national_fund": D("0.2"), "bank": D("0.2")}
    assert rules.split_amount(D("0.01"), parts) == {"original": D("0.01"), "reguarantor": D("0.00"),
                                                    "national_fund": D("0.00"), "bank": D("0.00")}
    thirds = {"original": D("0.33333334"), "reguarantor": D("0.33333333"), "national_fund": D("0.33333333"),
              "bank": D("0")}
    shares = rules.split_amount(D("100.00"), thirds)
    assert shares == {"original": D("33.34"), "reguarantor": D("33.33"), "national_fund": D("33.33"), "bank": D("0.00")}
    assert sum(shares.values()) == D("100.00")


def test_a_split_that_does_not_sum_to_one_is_refused():
    with pytest.raises(ValueError):
        rules.split_amount(D("100"), {**SPLIT, "bank": D("0.3")})


def test_fee_half_a_percent_of_the_share_a_year():
    # 1000万, re-guarantor's share 200万, above 500万: 0.5 % -> 1万 a year.
    fee = rules.fee_for(D("10000000.00"), D("2000000.00"), STANDARD, 365)
    assert (fee.rate, fee.annual_fee, fee.fee) == (D("0.005"), D("10000.00"), D("10000.00"))


def test_fee_reduced_at_and_below_500_wan_boundary_inclusive():
    # 500万 exactly: 0.3 % of the share 100万 = 3,000.00 a year; one fen more: 0.5 % = 5,000.00.
    at = rules.fee_for(D("5000000.00"), D("1000000.00"), STANDARD, 365)
    above = rules.fee_for(D("5000000.01"), D("1000000.00"), STANDARD, 365)
    assert (at.rate, at.annual_fee) == (D("0.003"), D("3000.00"))
    assert (above.rate, above.annual_fee) == (D("0.005"), D("5000.00"))


def test_fee_halved_under_a_programme_with_multiplier_half():
    fee = rules.fee_for(D("10000000.00"), D("2000000.00"), HALVED, 365)
    assert (fee.rate, fee.annual_fee) == (D("0.0025"), D("5000.00"))
    small = rules.fee_for(D("3000000.00"), D("600000.00"), HALVED, 365)
    assert (small.rate, small.annual_fee) == (D("0.0015"), D("900.00"))


def test_fee_pro_rata_by_days_act_365_to_the_fen():
    # 200万 x 0.5 % x 180 / 365 = 4,931.506... -> 4,931.51; a leap year's 366 days are 366/365 of a year.
    assert rules.fee_for(D("10000000.00"), D("2000000.00"), STANDARD, 180).fee == D("4931.51")
    assert rules.fee_for(D("10000000.00"), D("2000000.00"), STANDARD, 366).fee == D("10027.40")
    assert rules.fee_for(D("10000000.00"), D("2000000.00"), STANDARD, 0).fee == D("0.00")


def test_no_reduction_without_a_reduced_rate():
    plain = rules.FeeRules(base_rate=D("0.005"))
    assert plain.rate_for(D("1000000")) == D("0.005")


def test_household_cap_boundary_inclusive():
    at = rules.cap_check(D("8000000.00"), D("2000000.00"), D("10000000.00"))
    over = rules.cap_check(D("8000000.00"), D("2000000.01"), D("10000000.00"))
    assert (at.total, at.headroom, at.within) == (D("10000000.00"), D("0.00"), True)
    assert (over.headroom, over.within) == (D("-0.01"), False)


RULES = [
    {"field": "scope", "op": "in", "value": ["小微", "三农"], "message": "服务对象须为小微企业或三农主体"},
    {"field": "debt_ratio", "op": "<=", "value": "0.70", "message": "资产负债率须不高于 70%"},
    {"field": "industry", "op": "not_in", "value": ["房地产"], "message": "不支持房地产行业"},
    {"field": "term_months", "op": "<", "value": "37", "message": "期限须短于 37 个月"},
]


def test_an_eligible_filing_has_no_reasons():
    fields = {"scope": "小微", "debt_ratio": "0.70", "industry": "制造业", "term_months": 12}
    assert rules.failed_rules(RULES, fields) == []


def test_every_failed_rule_gives_its_reason_in_rule_order():
    fields = {"scope": "大型", "debt_ratio": "0.7001", "industry": "房地产", "term_months": 37}
    assert rules.failed_rules(RULES, fields) == ["服务对象须为小微企业或三农主体", "资产负债率须不高于 70%",
                                                 "不支持房地产行业", "期限须短于 37 个月"]


def test_a_missing_or_non_numeric_field_fails_its_rule():
    assert rules.failed_rules(RULES, {"scope": "三农", "industry": "农业", "term_months": 6}) == [
        "资产负债率须不高于 70%"]
    assert rules.failed_rules(RULES[1:2], {"debt_ratio": "高"}) == ["资产负债率须不高于 70%"]
    assert rules.failed_rules(RULES[1:2], {"debt_ratio": 0.5}) == ["资产负债率须不高于 70%"]  # a float is no number


@pytest.mark.parametrize(("op", "value", "given", "holds"), [
    ("==", "A", "A", True), ("==", "A", "B", False), ("!=", "A", "B", True), (">=", "3", "3", True),
    (">", "3", "3", False), ("<=", "3", "2.99", True), ("not_in", ["x"], "x", False),
])
def test_operators(op, value, given, holds):
    assert rules.rule_holds({"field": "f", "op": op, "value": value, "message": "m"}, {"f": given}) is holds
