"""The fee standards catalogue: create, update, list by day and kind, input checks, permissions (finance and admin
manage, auditor and executive read), audit, what a standard charges, and the GraphQL API (including the income
forecast in 万元)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events import raise_event
from surety.core.identity.auth import user_actor
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, GraphQLFlow, acting_session
from surety.plugins.finance.forecast import standards
from surety.plugins.finance.testing import AnyEvent as Event

LOAN = {"code": "DB-2026", "name": "融资担保费 2026", "business_kind": "loan_guarantee", "basis": "annual_rate",
        "rate": Decimal("0.015"), "min_fee": Decimal("3000"), "valid_from": dt.date(2026, 1, 1),
        "valid_to": dt.date(2026, 12, 31)}
BID = {"code": "BH-1", "name": "投标保函手续费", "business_kind": "bid_bond", "basis": "fixed", "amount": "800",
       "valid_from": dt.date(2025, 1, 1)}


def test_create_list_by_day_and_kind_and_update(fw):
    with fw.acting("fin") as (s, a):
        loan = standards.create_standard(s, a, LOAN)
        assert (loan.rate, loan.amount, loan.min_fee) == (Decimal("0.01500000"), None, Decimal("3000.00"))
        bid = standards.create_standard(s, a, BID)
        assert (bid.amount, bid.rate, bid.valid_to) == (Decimal("800.00"), None, None)
        assert [x.code for x in standards.list_standards(s, a)] == ["BH-1", "DB-2026"]  # by kind, then code
        assert [x.code for x in standards.list_standards(s, a, on=dt.date(2027, 1, 1))] == ["BH-1"]
        assert [x.code for x in standards.list_standards(s, a, on=dt.date(2025, 6, 1))] == ["BH-1"]
        assert [x.code for x in standards.list_standards(s, a, business_kind="loan_guarantee")] == ["DB-2026"]
        changed = standards.update_standard(s, a, "BH-1", {"basis": "one_off_rate", "rate": "0.002"})
        assert (changed.basis, changed.rate, changed.amount) == ("one_off_rate", Decimal("0.00200000"), None)
        changed = standards.update_standard(s, a, "DB-2026", {"min_fee": None, "name": "  融资担保费  "})
        assert (changed.min_fee, changed.name, changed.rate) == (None, "融资担保费", Decimal("0.01500000"))
        actions = s.scalars(select(AuditRecord.action).where(AuditRecord.action.like("finance.fee_standard.%"))).all()
    assert sorted(actions) == ["finance.fee_standard.created"] * 2 + ["finance.fee_standard.updated"] * 2


@pytest.mark.parametrize(("change", "field"), [
    ({"basis": "monthly"}, "basis"),
    ({"rate": None}, "rate"),
    ({"rate": "0"}, "rate"),
    ({"rate": "1.5"}, "rate"),
    ({"amount": "100"}, "amount"),
    ({"code": ""}, "code"),
    ({"code": "a b"}, "code"),
    ({"business_kind": "Loan Guarantee"}, "business_kind"),
    ({"name": "x" * 101}, "name"),
    ({"min_fee": "-1"}, "min_fee"),
    ({"min_fee": "1.001"}, "min_fee"),
    ({"valid_from": None}, "valid_from"),
    ({"valid_to": dt.date(2025, 12, 31)}, "valid_to"),
])
def test_refused_input_names_the_field(fw, change, field):
    with fw.acting("fin") as (s, a), pytest.raises(ValidationFailed) as e:
        standards.create_standard(s, a, {**LOAN, **change})
    assert e.value.field == field


def test_a_fixed_standard_needs_its_amount_and_no_rate_and_codes_are_unique_and_fixed(fw):
    with fw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed) as e:
            standards.create_standard(s, a, {**BID, "amount": None})
        assert e.value.field == "amount"
        with pytest.raises(ValidationFailed) as e:
            standards.create_standard(s, a, {**BID, "rate": "0.01"})
        assert e.value.field == "rate"
        standards.create_standard(s, a, LOAN)
        with pytest.raises(Conflict):
            standards.create_standard(s, a, LOAN)
        with pytest.raises(ValidationFailed) as e:
            standards.update_standard(s, a, "DB-2026", {"code": "OTHER"})
        assert e.value.field == "code"
        with pytest.raises(ValidationFailed):  # a change to fixed needs the amount
            standards.update_standard(s, a, "DB-2026", {"basis": "fixed"})
        with pytest.raises(NotFound):
            standards.update_standard(s, a, "NOPE", {"name": "x"})


def test_finance_and_admin_manage_auditor_and_executive_read_others_nothing(fw):
    with fw.session() as s:
        for name in ("aud", "exe"):
            user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name, email=f"{name}@e.com",
                               roles=["auditor" if name == "aud" else "executive"])
            fw.actors[name] = user_actor(user)
    with fw.acting("admin") as (s, a):
        standards.create_standard(s, a, LOAN)
    for name in ("aud", "exe"):
        with acting_session(fw.db, fw.tenant.id, fw.actors[name]) as (s, a):
            assert len(standards.list_standards(s, a)) == 1
            with pytest.raises(PermissionDenied):
                standards.create_standard(s, a, BID)
    with fw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        standards.list_standards(s, a)


def test_what_a_standard_charges():
    # 1,000,000.00 at 1.5 % a year for 73 days: 3,000.00; at least the minimum fee.
    assert standards.fee_of("annual_rate", Decimal("0.015"), None, None, Decimal("1000000"), 73) == Decimal("3000.00")
    assert standards.fee_of("annual_rate", Decimal("0.015"), None, Decimal("5000"), Decimal("1000000"), 73) == \
        Decimal("5000")
    assert standards.fee_of("one_off_rate", Decimal("0.002"), None, None, Decimal("123456.78"), 1) == Decimal("246.91")
    assert standards.fee_of("fixed", None, Decimal("800.00"), None, Decimal("1"), 1) == Decimal("800.00")


STANDARDS = """query($on: Date) { financeFeeStandards(on: $on) { code name businessKind basis rate amount minFee
    validFrom validTo } }"""
CREATE = """mutation($i: FinanceFeeStandardCreateInput!) { financeFeeStandardCreate(input: $i) {
    standard { code rate } errors { code field } } }"""
UPDATE = """mutation($i: FinanceFeeStandardUpdateInput!) { financeFeeStandardUpdate(input: $i) {
    standard { code name minFee validTo } errors { code field } } }"""
FORECAST = """query($u: AmountUnit!) { financeIncomeForecast(asOf: "2026-01-05", months: 2, unit: $u) { asOf
    amountUnit months { period amount projects } total later remaining unscheduled projects } }"""


def test_the_graphql_catalogue_and_forecast(api, fw):
    flow = GraphQLFlow(api, fw.tenant.slug)
    made = flow.mutate("fin", CREATE, "financeFeeStandardCreate", {"i": {
        "code": "DB-2026", "name": "融资担保费", "businessKind": "loan_guarantee", "basis": "annual_rate",
        "rate": "0.015", "validFrom": "2026-01-01"}})["standard"]
    assert made == {"code": "DB-2026", "rate": "0.015"}
    bad = flow.call("fin", CREATE, {"i": {"code": "X", "name": "x", "businessKind": "bid_bond", "basis": "fixed",
                                          "validFrom": "2026-01-01"}})["data"]["financeFeeStandardCreate"]
    assert bad["standard"] is None and bad["errors"][0]["field"] == "amount"
    updated = flow.mutate("fin", UPDATE, "financeFeeStandardUpdate", {"i": {
        "code": "DB-2026", "minFee": "2000", "validTo": "2026-06-30"}})["standard"]
    assert updated == {"code": "DB-2026", "name": "融资担保费", "minFee": "2000.00", "validTo": "2026-06-30"}
    assert [x["code"] for x in flow.query("fin", STANDARDS, {"on": "2026-03-01"})["financeFeeStandards"]] == \
        ["DB-2026"]
    assert flow.query("fin", STANDARDS, {"on": "2026-07-01"})["financeFeeStandards"] == []

    p = uuid.uuid4()
    with fw.acting("fin") as (s, _a):
        raise_event(s, Event(kind="GuaranteeFeeReceived", data={"project_id": p, "fee_type": "guarantee_fee",
                                                                "amount": Decimal("12000"),
                                                                "received_on": "2026-01-01"}))
        raise_event(s, Event(kind="GuaranteeTookEffect", data={"project_id": p, "effective_date": "2026-01-01",
                                                               "loan_end_date": "2026-12-31"}))
    yuan = flow.query("fin", FORECAST, {"u": "YUAN"})["financeIncomeForecast"]
    assert yuan["months"] == [{"period": "2026-01", "amount": "1019.18", "projects": 1},
                              {"period": "2026-02", "amount": "920.55", "projects": 1}]
    assert (yuan["asOf"], yuan["amountUnit"], yuan["total"], yuan["remaining"]) == (
        "2026-01-05", "YUAN", "1939.73", "12000.00")
    wan = flow.query("fin", FORECAST, {"u": "WAN"})["financeIncomeForecast"]
    assert (wan["amountUnit"], wan["remaining"], wan["months"][0]["amount"]) == ("WAN", "1.200000", "0.101918")
