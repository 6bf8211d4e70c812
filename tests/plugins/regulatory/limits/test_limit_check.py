"""The limit check before an approval (plugins/regulatory/limits/check.py) with hand-computed numbers: what a
subject adds comes from a made-up reporting plugin (indicators/testing.py); leverage, the subject's customer and its
related group before and after; the workflow condition `regulatory.breach` routing to the committee; the GraphQL
query with names for customer readers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from surety.core.authz.matrix import set_grant
from surety.core.errors import PermissionDenied
from surety.core.ports.regulatory import Exposure, figure
from surety.core.workflow import actions, definitions, engine
from surety.core.workflow.models import WorkflowTask
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.related import add_relation
from surety.plugins.customers.testing import corporate
from surety.plugins.regulatory.indicators import services
from surety.plugins.regulatory.indicators.testing import Book, answering
from surety.plugins.regulatory.limits import check

DAY = dt.date(2026, 6, 30)
SUBJECT = "deals:deal"


@pytest.fixture
def parties(gw):
    with gw.acting("admin") as (s, admin):
        a, b, c = (create_customer(s, admin, "corporate", corporate(n)) for n in (1, 2, 3))
        add_relation(s, admin, b.id, c.id, "same_group")
        return a.id, b.id, c.id


@pytest.fixture
def book(parties):
    """Net-asset base 50,000,000 (10 % is 5,000,000; 15 % is 7,500,000). Liability balance before: a's small/micro
    loan 4,000,000 at 75 % = 3,000,000, b 900,000 and c 500,000 at 100 %: 4,400,000 (0.088x)."""
    a, b, c = parties
    found = Book(figures=[figure("finance.net_assets", D("50000000"))], exposures=[
        Exposure(a, "loan", "small_micro", D("4000000")), Exposure(b, "loan", "other_enterprise", D("900000")),
        Exposure(c, "loan", "other_enterprise", D("500000"))], proposed={
        (SUBJECT, "D-1"): [Exposure(a, "loan", "small_micro", D("1500000"))],
        (SUBJECT, "D-2"): [Exposure(b, "loan", "other_enterprise", D("6200000"))],
        (SUBJECT, "D-3"): [Exposure(c, "loan", "other_enterprise", D("200000"))],
    })
    with answering(found):
        yield found


def values(limits) -> dict:
    return {lim.key: (lim.value, lim.passes, lim.headroom) for lim in limits}


def test_crossing_the_threshold_breaches_the_single_party_limit(gw, parties, book):
    a = parties[0]
    with gw.session() as s:
        found = check.limit_check(s, SUBJECT, "D-1", as_of=DAY)
    # a: 5,500,000 aggregated > 5,000,000: all its loans at 100 %; 6,900,000 in all
    assert (found.liability_before, found.liability_after) == (D("4400000.00"), D("6900000.00"))
    assert values(found.before) == {"leverage": (D("0.088000"), True, D("495600000.00")),
                                    "single_party": (D("0.060000"), True, D("2000000.00")),
                                    "related_group": (D("0.060000"), True, D("4500000.00"))}
    assert values(found.after) == {"leverage": (D("0.138000"), True, D("493100000.00")),
                                   "single_party": (D("0.110000"), False, D("-500000.00")),
                                   "related_group": (D("0.110000"), True, D("2000000.00"))}
    assert found.breaches == found.new_breaches == ["single_party"] and found.customers == (a,)
    assert check.fields(found) == {
        "known": True, "breach": True, "new_breach": True, "breaches": ["single_party"],
        "leverage_before": D("0.088000"), "leverage_after": D("0.138000"), "leverage_limit": D("10"),
        "single_party_after": D("0.110000"), "related_group_after": D("0.110000"),
        "liability_after": D("6900000.00")}


def test_related_group_and_no_breach(gw, parties, book):
    _, b, c = parties
    with gw.session() as s:
        two = check.limit_check(s, SUBJECT, "D-2", as_of=DAY)
        three = check.limit_check(s, SUBJECT, "D-3", as_of=DAY)
    assert two.related == {b: (c,)}
    # b: 7,100,000 (0.142); b with c: 7,600,000 (0.152)
    assert values(two.after)["related_group"] == (D("0.152000"), False, D("-100000.00"))
    assert two.breaches == ["single_party", "related_group"]
    assert three.breaches == [] and values(three.after)["related_group"] == (D("0.032000"), True, D("5900000.00"))


def test_a_lower_leverage_cap_and_an_unknown_subject(gw, book):
    with gw.acting("admin") as (s, admin):
        services.update_settings(s, admin, {"leverage_cap": "0.1"})
    with gw.session() as s:
        found = check.limit_check(s, SUBJECT, "D-1", as_of=DAY)
        unknown = check.limit_check(s, SUBJECT, "nothing", as_of=DAY)
    assert found.breaches == ["leverage", "single_party"] and found.before[0].passes
    assert not unknown.known and unknown.breaches == []
    assert check.fields(unknown) == {"known": False, "breach": False, "new_breach": False, "breaches": []}


def test_read_check_permission_and_names(gw, parties, book):
    with gw.acting("risk") as (s, risk):
        assert check.read_check(s, risk, SUBJECT, "D-1").names == {parties[0]: "北京测试科技有限公司1"}
    with gw.session() as s:
        set_grant(s, "risk_officer", "customers:customer:read", False)
    with gw.acting("risk") as (s, risk):
        assert check.read_check(s, risk, SUBJECT, "D-1").names == {}
    with gw.acting("viewer") as (s, viewer), pytest.raises(PermissionDenied):
        check.read_check(s, viewer, SUBJECT, "D-1")


APPROVAL = {
    "key": "deals.approval", "name": "Deal approval", "subject_type": SUBJECT, "start": "review",
    "steps": [
        {"key": "review", "name": "Review", "kind": "task", "assignee": {"role": "risk_officer"},
         "transitions": [{"to": "committee", "when": "regulatory.breach"}, {"to": "approved"}]},
        {"key": "committee", "name": "Committee", "kind": "task", "assignee": {"role": "executive"},
         "transitions": [{"to": "approved"}]},
        {"key": "approved", "kind": "end", "result": "approved"},
    ],
}


def approve(gw, subject_id: str) -> tuple[str, str]:
    with gw.acting("admin") as (s, admin):
        iid = engine.start(s, admin, definition_key="deals.approval", subject_type=SUBJECT, subject_id=subject_id,
                           subject={"amount": "10"}, title=subject_id).id
    with gw.acting("risk") as (s, risk):
        task = s.scalar(select(WorkflowTask).where(WorkflowTask.instance_id == iid, WorkflowTask.status == "open"))
        inst = actions.act(s, risk, task.id, "approve")
        return inst.status, inst.current_step


def test_the_workflow_condition_routes_a_breach_to_the_committee(gw, book):
    with gw.acting("admin") as (s, admin):
        draft = definitions.save_draft(s, admin, APPROVAL)
        definitions.publish(s, admin, draft.key, draft.version)
    book.calls.clear()
    assert approve(gw, "D-1") == ("running", "committee")
    assert book.calls["regulatory_proposed_exposures"] == 1
    assert approve(gw, "D-3") == ("approved", "approved")


def test_a_condition_not_naming_it_runs_no_check(gw, book):
    plain = {**APPROVAL, "steps": [{**APPROVAL["steps"][0], "transitions": [
        {"to": "committee", "when": "amount > 100"}, {"to": "approved"}]}, *APPROVAL["steps"][1:]]}
    with gw.acting("admin") as (s, admin):
        draft = definitions.save_draft(s, admin, plain)
        definitions.publish(s, admin, draft.key, draft.version)
    book.calls.clear()
    assert approve(gw, "D-1") == ("approved", "approved")
    assert "regulatory_proposed_exposures" not in book.calls and "regulatory_exposures" not in book.calls


QUERY = """query($t: String!, $i: String!) { regulatoryLimitCheck(subjectType: $t, subjectId: $i, unit: WAN) {
  known proposedAmount liabilityBefore liabilityAfter netAssetBase breaches newBreaches
  after { key value passes headroom } customers { name relatedIds } } }"""


def test_graphql_limit_check(api, gw, book):
    token = api.login(gw.tenant.slug)
    body = api(QUERY, {"t": SUBJECT, "i": "D-2"}, token)
    assert "errors" not in body, body
    c = body["data"]["regulatoryLimitCheck"]
    assert c["known"] and D(c["proposedAmount"]) == 620 and D(c["liabilityAfter"]) == D("1060")
    assert c["breaches"] == c["newBreaches"] == ["single_party", "related_group"]
    assert D(c["after"][2]["headroom"]) == D("-10")
    assert c["customers"][0]["name"] == "北京测试科技有限公司2" and len(c["customers"][0]["relatedIds"]) == 1
