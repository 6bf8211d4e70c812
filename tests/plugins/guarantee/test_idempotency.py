"""Every money mutation of the guarantee plugin takes an ``idempotencyKey`` (core/idempotency.py): a repeat with the
same key and input answers the first payload and writes nothing more (no receipt, ledger entry, event, audit
record, workflow instance or balance change); the same key with other input is refused with
IDEMPOTENCY_KEY_REUSED on ``idempotencyKey``; on PostgreSQL two receipts at once with one key make one receipt."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from strawberry import relay

from surety.core.audit.models import AuditRecord
from surety.core.events_models import OutboxEvent
from surety.core.idempotency import idempotent
from surety.core.idempotency_models import IdempotencyKey
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, GraphQLFlow
from surety.core.workflow.actions import act
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowInstance, WorkflowTask
from surety.plugins.guarantee.compensation import claims as comp
from surety.plugins.guarantee.compensation.models import (
    GuaranteeCompensation,
    GuaranteeCompensationReceivable,
    GuaranteeRecoveryAction,
)
from surety.plugins.guarantee.finance import banks, fees
from surety.plugins.guarantee.finance.models import (
    GuaranteeFeeItem,
    GuaranteeFeePlan,
    GuaranteeFeeReceipt,
    GuaranteeFeeRefund,
)
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.release.models import GuaranteeRelease, GuaranteeReleaseRequest, GuaranteeRepayment
from surety.plugins.guarantee.testing import make_bank, make_effective, make_product, make_project

TODAY = business_today()
START = TODAY - dt.timedelta(days=400)
END = TODAY + dt.timedelta(days=300)
ERR = "errors { code field message }"

#: Rows whose number must not change on a replay.
COUNTED = (GuaranteeFeePlan, GuaranteeFeeItem, GuaranteeFeeReceipt, GuaranteeFeeRefund, GuaranteeRepayment, GuaranteeRelease,
           GuaranteeReleaseRequest, GuaranteeCompensation,
           GuaranteeCompensationReceivable, GuaranteeRecoveryAction, GuaranteeLedgerEntry, OutboxEvent, AuditRecord,
           WorkflowInstance, IdempotencyKey)


def gid(type_name: str, value) -> str:
    return relay.to_base64(type_name, str(value))


def state(gw) -> dict:
    """Row counts of every table a money mutation writes, and the money figures it changes."""
    with gw.session() as s:
        out = {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in COUNTED}
        out["in_force"] = s.scalar(select(func.sum(GuaranteeProject.in_force_balance)))
        out["received"] = s.scalar(select(func.sum(GuaranteeFeeItem.received)))
        out["refunded"] = s.scalar(select(func.sum(GuaranteeFeeItem.refunded)))
        out["recovered"] = s.scalar(select(func.sum(GuaranteeCompensationReceivable.recovered)))
        out["statuses"] = sorted(s.scalars(select(GuaranteeProject.status)))
        out["write_off_pending"] = s.scalar(select(func.count()).select_from(GuaranteeCompensationReceivable)
                                            .where(GuaranteeCompensationReceivable.write_off_instance_id.isnot(None)))
    return out


# ---------------------------------------------------------------- set-ups (services) ----------------------------------


def effective(gw):
    with gw.acting("fin") as (s, a):
        return make_effective(s, a, gw.customers["corp"], start=START, end=END)


def item(gw, project, fee_type: str):
    with gw.session() as s:
        return s.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.project_id == project.id,
                                                        GuaranteeFeeItem.fee_type == fee_type)).first()


def approve(gw, user: str, instance_id) -> None:
    with gw.acting(user) as (s, a):
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                    WorkflowTask.status == "open")).first()
        act(s, a, task.id, "approve")


def approved_claim(gw, project):
    with gw.acting("fin") as (s, a):
        claim = comp.claim(s, a, project.id, amount="500000", claim_date=TODAY - dt.timedelta(days=10))
    approve(gw, "risk", claim.workflow_instance_id)
    approve(gw, "boss", claim.workflow_instance_id)
    return claim


def receivable(gw, project):
    """The approved 500,000.00 claim paid: make_effective's line has a 20 % risk share, so the bank bears
    100,000.00 and the company pays (and the receivable opens at) 400,000.00."""
    claim = approved_claim(gw, project)
    with gw.acting("fin") as (s, a):
        return comp.pay(s, a, claim.id, amount="400000", paid_on=TODAY - dt.timedelta(days=5))


def contracted(gw):
    with gw.acting("fin") as (s, a):
        bank, _ = make_bank(s, total="10000000.00")
        project = make_project(s, a, gw.customers["corp"], bank=bank, status="contracted")
        banks.reserve(s, project)
        return project


# ---------------------------------------------------------------- the mutations ---------------------------------------


@dataclasses.dataclass
class Case:
    field: str
    input_type: str
    selection: str
    user: str
    make: Callable  # gw -> (input, the same input with other parameters)


def _fee_plan_set(gw):
    with gw.acting("fin") as (s, a):
        project = make_project(s, a, gw.customers["corp"], status="approved")
    i = {"projectId": gid("GuaranteeProject", project.id), "guaranteeFeeMethod": "rate", "guaranteeFeeRate": "0.015",
         "marginAmount": "300000", "startDate": START.isoformat()}
    return i, {**i, "marginAmount": "200000"}


def _fee_receive(gw):
    i = {"itemId": gid("GuaranteeFeeItem", item(gw, effective(gw), "guarantee_fee").id), "amount": "1000.00",
         "reference": "回单 001"}
    return i, {**i, "amount": "2000.00"}


def _fee_refund(gw):
    i = {"itemId": gid("GuaranteeFeeItem", item(gw, effective(gw), "margin").id), "amount": "1000",
         "reason": "退还部分保证金"}
    return i, {**i, "reason": "another reason"}


def _loan_confirm(gw):
    i = {"projectId": gid("GuaranteeProject", contracted(gw).id), "loanContractNo": "JK-7", "loanAmount": "2800000",
         "startDate": START.isoformat(), "endDate": END.isoformat(), "rate": "0.0435"}
    return i, {**i, "loanAmount": "2700000"}


def _issue(gw):
    with gw.acting("fin") as (s, a):
        project = make_project(s, a, gw.customers["corp"], product=make_product(s, kind="bid"), amount="500000.00",
                               status="contracted")
    i = {"id": gid("GuaranteeProject", project.id), "effectiveDate": TODAY.isoformat(),
         "expiryDate": (TODAY + dt.timedelta(days=180)).isoformat(), "letterNo": "BH-7"}
    return i, {**i, "letterNo": "BH-8"}


def _repayment(gw):
    i = {"projectId": gid("GuaranteeProject", effective(gw).id), "amount": "1000", "reference": "BANK-1"}
    return i, {**i, "amount": "1000.01"}


def _release(gw):
    i = {"projectId": gid("GuaranteeProject", effective(gw).id), "kind": "partial", "amount": "1000"}
    return i, {**i, "note": "other"}


def _claim(gw):
    i = {"projectId": gid("GuaranteeProject", effective(gw).id), "amount": "1000"}
    return i, {**i, "amount": "2000"}


def _pay(gw):
    # The payable amount of the 500,000.00 claim on the 20 % line: 500,000.00 - 100,000.00 = 400,000.00.
    i = {"compensationId": gid("GuaranteeCompensation", approved_claim(gw, effective(gw)).id), "amount": "400000",
         "paidOn": (TODAY - dt.timedelta(days=5)).isoformat()}
    return i, {**i, "paidOn": (TODAY - dt.timedelta(days=4)).isoformat()}


def _recovery(gw):
    i = {"receivableId": gid("GuaranteeCompensationReceivable", receivable(gw, effective(gw)).id),
         "kind": "negotiation", "amount": "1000", "notes": "协商还款"}
    return i, {**i, "amount": "2000"}


def _write_off(gw):
    i = {"receivableId": gid("GuaranteeCompensationReceivable", receivable(gw, effective(gw)).id),
         "reason": "借款人破产清算完毕"}
    return i, {**i, "reason": "另一理由"}


RECEIVABLE = "receivable { id status paid recovered writtenOff outstanding writeOffPending writeOffInstanceId }"
CASES = [
    Case("guaranteeFeePlanSet", "GuaranteeFeePlanSetInput",
         "plan { projectId guaranteeFeeTotal marginAmount schedule { id feeType amount } }", "fin", _fee_plan_set),
    Case("guaranteeFeeReceive", "GuaranteeFeeReceiveInput", "receipt { id itemId feeType amount receivedOn createdAt }",
         "fin", _fee_receive),
    Case("guaranteeFeeRefund", "GuaranteeFeeRefundInput", "refund { id itemId feeType amount reason createdAt }",
         "fin", _fee_refund),
    Case("guaranteeLoanConfirm", "GuaranteeLoanConfirmInput",
         "loan { projectId status loanAmount effectiveDate inForceBalance }", "fin", _loan_confirm),
    Case("guaranteeRepaymentRecord", "GuaranteeRepaymentRecordInput",
         "repayment { id amount balanceAfter createdAt }", "fin", _repayment),
    Case("guaranteeReleaseRequest", "GuaranteeReleaseRequestInput",
         "request { id kind amount status workflowInstanceId createdAt }", "fin", _release),
    Case("guaranteeIssue", "GuaranteeIssueInput", "issuance { projectId letterNo effectiveDate expiryDate }", "fin",
         _issue),
    Case("guaranteeCompensationClaim", "GuaranteeCompensationClaimInput",
         "compensation { id status claimedAmount workflowInstanceId }", "fin", _claim),
    Case("guaranteeCompensationPay", "GuaranteeCompensationPayInput", RECEIVABLE, "fin", _pay),
    Case("guaranteeRecoveryRecord", "GuaranteeRecoveryRecordInput", RECEIVABLE, "fin", _recovery),
    Case("guaranteeLossWriteOffPropose", "GuaranteeLossWriteOffProposeInput", RECEIVABLE, "risk", _write_off),
]

RECEIVE = CASES[1]


def document(case: Case) -> str:
    return f"mutation($i: {case.input_type}!) {{ {case.field}(input: $i) {{ {case.selection} {ERR} }} }}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.field)
def test_a_repeat_with_the_same_key_writes_nothing_more(api, gw, case):
    flow = GraphQLFlow(api, gw.tenant.slug)
    first_input, other_input = case.make(gw)
    key = f"{case.field}-0b1f8d3e-4c5a"
    flow.token(case.user)
    before = state(gw)
    first = flow.mutate(case.user, document(case), case.field, {"i": {**first_input, "idempotencyKey": key}})
    after_first = state(gw)
    assert after_first != before and after_first[IdempotencyKey.__tablename__] == 1
    with gw.session() as s:
        assert s.scalars(select(IdempotencyKey.scope)).all() == [case.field]  # keyed per mutation

    for _ in range(2):  # the retries: the first payload again, nothing written
        again = flow.mutate(case.user, document(case), case.field, {"i": {**first_input, "idempotencyKey": key}})
        assert again == first
        assert state(gw) == after_first

    body = flow.call(case.user, document(case), {"i": {**other_input, "idempotencyKey": key}})
    assert "errors" not in body, body
    errors = body["data"][case.field]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("IDEMPOTENCY_KEY_REUSED", "idempotencyKey")]
    assert state(gw) == after_first


def test_every_money_mutation_takes_an_idempotency_key(api, gw):
    """The money mutations' inputs carry ``idempotencyKey: String`` (the list the tests above cover)."""
    body = api("{ __schema { inputTypes: types { name inputFields { name type { name kind } } } } }")
    fields = {t["name"]: {f["name"]: f["type"] for f in (t["inputFields"] or [])}
              for t in body["data"]["__schema"]["inputTypes"]}
    for case in CASES:
        assert fields[case.input_type]["idempotencyKey"] == {"name": "String", "kind": "SCALAR"}, case.input_type


def test_without_a_key_each_call_is_a_new_receipt(api, gw):
    """What the key prevents: two identical receipts sent without a key are two receipts and two ledger entries."""
    flow = GraphQLFlow(api, gw.tenant.slug)
    first_input, _ = _fee_receive(gw)
    case = RECEIVE
    before = state(gw)
    for _ in range(2):
        flow.mutate("fin", document(case), case.field, {"i": first_input})
    after = state(gw)
    assert after["guarantee_fee_receipts"] - before["guarantee_fee_receipts"] == 2
    assert after["guarantee_ledger_entries"] - before["guarantee_ledger_entries"] == 2


def test_a_refused_call_keeps_the_key_free(api, gw):
    """A domain error rolls back the key with the rest: the corrected retry with the same key goes through."""
    flow = GraphQLFlow(api, gw.tenant.slug)
    good, _ = _fee_receive(gw)
    case = RECEIVE
    body = flow.call("fin", document(case), {"i": {**good, "amount": "999999999", "idempotencyKey": "retry-me"}})
    assert [e["field"] for e in body["data"][case.field]["errors"]] == ["amount"]
    assert state(gw)[IdempotencyKey.__tablename__] == 0
    payload = flow.mutate("fin", document(case), case.field, {"i": {**good, "idempotencyKey": "retry-me"}})
    assert payload["receipt"]["amount"] == "1000.00"


@pytest.mark.parametrize("key", ["", "has space", "x" * 129, "幂等键"])
def test_a_malformed_key_is_a_typed_error(api, gw, key):
    flow = GraphQLFlow(api, gw.tenant.slug)
    good, _ = _fee_receive(gw)
    flow.token("fin")  # logged in (and audited) before the count
    before = state(gw)
    body = flow.call("fin", document(RECEIVE), {"i": {**good, "idempotencyKey": key}})
    errors = body["data"]["guaranteeFeeReceive"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("VALIDATION_FAILED", "idempotencyKey")]
    assert state(gw) == before


def test_another_user_cannot_replay_a_key(api, gw):
    with gw.session() as s:
        create_user(s, username="fin2", password=TEST_PASSWORD, display_name="Fin2", org_unit_id=gw.units["HQ"],
                    roles=["finance"], email="fin2@example.com")
    flow = GraphQLFlow(api, gw.tenant.slug)
    good, _ = _fee_receive(gw)
    flow.mutate("fin", document(RECEIVE), "guaranteeFeeReceive", {"i": {**good, "idempotencyKey": "mine"}})
    flow.token("fin2")
    before = state(gw)
    body = flow.call("fin2", document(RECEIVE), {"i": {**good, "idempotencyKey": "mine"}})
    assert [e["code"] for e in body["data"]["guaranteeFeeReceive"]["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert state(gw) == before


# ---------------------------------------------------------------- concurrency (PostgreSQL) ---------------------------


@pytest.mark.postgres
def test_two_receipts_at_once_with_one_key_make_one_receipt(gw):
    """Two sessions receive the same fee with the same key at the same moment: one receipt, one ledger entry, one
    event; both callers get that receipt."""
    fee_item = item(gw, effective(gw), "guarantee_fee")
    before = state(gw)
    barrier, results = threading.Barrier(2), {}

    def receive(name: str) -> None:
        barrier.wait()
        try:
            with gw.acting("fin") as (s, a):
                row = idempotent(s, a, scope="guaranteeFeeReceive", key="same-moment",
                                 params={"item_id": fee_item.id, "amount": Decimal("1000")},
                                 perform=lambda: fees.receive(s, a, fee_item.id, "1000"))
                results[name] = row.id
        except Exception as exc:  # reported by the assertion below
            results[name] = exc

    threads = [threading.Thread(target=receive, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["a"] == results["b"], results
    after = state(gw)
    assert after["guarantee_fee_receipts"] - before["guarantee_fee_receipts"] == 1
    assert after["guarantee_ledger_entries"] - before["guarantee_ledger_entries"] == 1
    assert after["event_outbox"] - before["event_outbox"] == 1
    assert after["received"] - before["received"] == Decimal("1000.00")

