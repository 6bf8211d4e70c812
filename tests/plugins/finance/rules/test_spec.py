"""The rule arithmetic (pure): amount expressions, conditions, negative amounts on the other side, zero lines
dropped, summaries, dates, and what a rule line refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from surety.plugins.finance.rules import spec
from surety.plugins.finance.rules.defaults import RULES

PAYLOAD = {"amount": "1000.00", "upfront_fee": "20.00", "fee_type": "review_fee", "loan_no": "XD-1",
           "customer_id": "c1", "project_id": None, "delta": "-12.345", "received_on": "2026-11-30"}


def test_expressions_add_and_subtract_payload_fields():
    assert spec.evaluate("amount - upfront_fee", PAYLOAD) == Decimal("980.00")
    assert spec.evaluate("amount+upfront_fee - missing", PAYLOAD) == Decimal("1020.00")
    with pytest.raises(spec.RuleError):
        spec.evaluate("amount * 2", PAYLOAD)
    with pytest.raises(spec.RuleError, match="fee_type is not an amount"):
        spec.evaluate("fee_type", PAYLOAD)
    with pytest.raises(spec.RuleError, match="not an exact amount"):
        spec.evaluate("x", {"x": 1.5})


def test_plan_applies_conditions_flips_negatives_and_drops_zeros():
    lines = [spec.check_line(x) for x in (
        {"account": "1002", "side": "debit", "amount": "amount"},
        {"account": "6051", "side": "credit", "amount": "amount", "when": {"fee_type": "review_fee"},
         "summary": "评审费 {loan_no}"},
        {"account": "2002", "side": "credit", "amount": "amount", "when": {"fee_type": ["margin"]}},
        {"account": "6701", "side": "debit", "amount": "delta", "dimensions": []},
        {"account": "1304", "side": "credit", "amount": "upfront_fee - upfront_fee"},
    )]
    planned = spec.plan(lines, PAYLOAD, "收到 {fee_type}")
    assert [(p.account, p.side, p.amount, p.summary) for p in planned] == [
        ("1002", "debit", Decimal("1000.00"), "收到 review_fee"),
        ("6051", "credit", Decimal("1000.00"), "评审费 XD-1"),
        ("6701", "credit", Decimal("12.35"), "收到 review_fee")]
    assert planned[0].dimensions == {"customer_id": "c1"} and planned[2].dimensions == {}


@pytest.mark.parametrize(("line", "words"), [
    ("x", "is an object"),
    ({"account": "1002", "side": "debit", "amount": "amount", "colour": "red"}, "Unknown rule line key colour"),
    ({"account": "A1", "side": "debit", "amount": "amount"}, "account is an account code"),
    ({"account": "1002", "side": "left", "amount": "amount"}, "side is debit or credit"),
    ({"account": "1002", "side": "debit", "amount": "1000"}, "amount is payload field names"),
    ({"account": "1002", "side": "debit", "amount": "amount", "when": ["x"]}, "condition"),
    ({"account": "1002", "side": "debit", "amount": "amount", "dimensions": ["colour"]}, "dimensions are among"),
    ({"account": "1002", "side": "debit", "amount": "amount", "else_account": 6701}, "else_account"),
])
def test_a_bad_rule_line_is_refused(line, words):
    with pytest.raises(spec.RuleError, match=words):
        spec.check_line(line)


def test_voucher_dates_come_from_the_payload():
    today = dt.date(2026, 12, 3)
    assert spec.voucher_date(PAYLOAD, "received_on", lambda: today) == dt.date(2026, 11, 30)
    assert spec.voucher_date(PAYLOAD, "paid_on", lambda: today) == today
    with pytest.raises(spec.RuleError):
        spec.voucher_date({"d": "soon"}, "d", lambda: today)


def test_every_default_rule_is_a_valid_rule():
    for key, rules in RULES.items():
        for rule in rules:
            assert [spec.check_line(x) for x in rule["lines"]] == rule["lines"], (key, rule["event_type"])
