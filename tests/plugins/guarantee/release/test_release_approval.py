"""Release through an approval (申请解保): a request is checked as the release would be, starts guarantee.release
(the project's manager A, then the risk officers covering the project) and is executed when the instance ends
approved, with the effects of a release (balance, status, credit line, margin refund, ledger entry, event);
rejection and withdrawal release nothing; one open request per project; four-eyes rule; a non-financing
guarantee's term ends at its expiry date; the definition is installed for existing tenants; GraphQL."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from strawberry import relay

from surety.core.audit.models import AuditRecord
from surety.core.errors import NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.actions import act, withdraw
from surety.core.workflow.definitions import install_defaults
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowDefinition, WorkflowInstance, WorkflowTask
from surety.plugins.guarantee.finance import banks, fees
from surety.plugins.guarantee.finance.loans import confirm_loan
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem, GuaranteeFeeRefund
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.plugin import surety_workflow_subject as subject
from surety.plugins.guarantee.project.models import GuaranteeCreditLine, GuaranteeProject
from surety.plugins.guarantee.release import releases as rel
from surety.plugins.guarantee.release.approval import DEFINITION_KEY
from surety.plugins.guarantee.release.models import GuaranteeRelease, GuaranteeReleaseRequest
from surety.plugins.guarantee.testing import make_bank, make_product, make_project

TODAY = business_today()
START = TODAY - dt.timedelta(days=400)
M = Decimal


def effective(gw, *, ended=False, margin="300000.00"):
    """An effective project led by mgr (branch A; amount 3,000,000 reserved on a fresh line; loan 2,800,000) with its
    margin received."""
    end = TODAY - dt.timedelta(days=30) if ended else TODAY + dt.timedelta(days=300)
    with gw.acting("mgr") as (s, a):
        bank, line = make_bank(s, total="10000000.00")
        p = make_project(s, a, gw.customers["corp"], bank=bank, amount="3000000.00", status="contracted")
        banks.reserve(s, p)
    with gw.acting("fin") as (s, a):
        fees.set_plan(s, a, p.id, guarantee_fee_method="rate", guarantee_fee_rate="0.015", margin_amount=margin,
                      start_date=START)
        item = s.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.project_id == p.id,
                                                        GuaranteeFeeItem.fee_type == "margin")).one()
        fees.receive(s, a, item.id, margin, received_on=START)
        confirm_loan(s, a, p.id, loan_contract_no="JK-1", loan_amount="2800000.00", start_date=START, end_date=end,
                     rate="0.0435")
        return p.id, line.id


def row(gw, model, row_id):
    with gw.session() as s:
        return s.scalars(select(model).where(model.id == row_id)).one()


def do(gw, user, instance_id, action="approve", **kw) -> tuple[str, str]:
    """``user`` acts on the instance's open task; the instance's (current step, status) after."""
    with gw.acting(user) as (s, a):
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                    WorkflowTask.status == "open")).first()
        act(s, a, task.id, action, **kw)
    inst = row(gw, WorkflowInstance, instance_id)
    return inst.current_step, inst.status


def requested(gw, pid, who="fin", **kw) -> GuaranteeReleaseRequest:
    with gw.acting(who) as (s, a):
        return rel.request_release(s, a, pid, **kw)


def test_a_full_release_is_executed_when_its_approval_ends_approved(gw):
    pid, line_id = effective(gw)
    with gw.acting("fin") as (s, a):
        rel.record_repayment(s, a, pid, "800000.00", repaid_on=TODAY - dt.timedelta(days=20))
        rel.record_repayment(s, a, pid, "2000000.00", repaid_on=TODAY - dt.timedelta(days=10))
    req = requested(gw, pid, kind="full", note="贷款已结清")
    assert (req.status, req.kind, req.amount, req.release_id) == ("in_approval", "full", None, None)
    inst = row(gw, WorkflowInstance, req.workflow_instance_id)
    assert (inst.definition_key, inst.subject_type, inst.subject_id, inst.current_step) == (
        DEFINITION_KEY, "guarantee:release", str(req.id), "manager_review")
    # Nothing is released while the request is in approval.
    assert row(gw, GuaranteeProject, pid).status == "effective"
    assert row(gw, GuaranteeCreditLine, line_id).used == M("3000000.00")
    with gw.session() as s:
        assert s.scalars(select(GuaranteeRelease)).all() == []

    assert do(gw, "mgr", inst.id) == ("risk_review", "running")  # manager A
    assert do(gw, "risk", inst.id, comment="同意解保") == ("approved", "approved")

    done = row(gw, GuaranteeReleaseRequest, req.id)
    assert (done.status, done.decided_by, done.decision_comment) == (
        "released", gw.actors["risk"].id_uuid, "同意解保")
    released = row(gw, GuaranteeRelease, done.release_id)
    assert (released.kind, released.reason, released.amount, released.released_amount, released.released_on,
            released.request_id, released.created_by, released.note) == (
        "full", "repaid", M("0.00"), M("2800000.00"), TODAY, req.id, gw.actors["fin"].id_uuid, "贷款已结清")
    assert (released.line_released, released.margin_refunded) == (M("3000000.00"), M("300000.00"))
    p = row(gw, GuaranteeProject, pid)
    assert (p.status, p.in_force_balance) == ("released", M("0.00"))
    assert row(gw, GuaranteeCreditLine, line_id).used == M("0.00")
    with gw.session() as s:
        refund = s.scalars(select(GuaranteeFeeRefund).where(GuaranteeFeeRefund.project_id == pid)).one()
        assert (refund.amount, refund.created_by) == (M("300000.00"), gw.actors["fin"].id_uuid)
        entries = {e.kind: e.amount for e in s.scalars(select(GuaranteeLedgerEntry)
                                                       .where(GuaranteeLedgerEntry.project_id == pid))}
        assert (entries["release"], entries["margin_out"]) == (M("2800000.00"), M("300000.00"))
        decided = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.release.decided")).one()
        assert (decided.after["result"], decided.after["status"], decided.actor_id) == (
            "approved", "released", str(gw.actors["risk"].id))
        event = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "GuaranteeReleased")).one().payload
    assert (event["released_amount"], event["balance_released"], event["kind"]) == ("2800000.00", "0.00", "full")


def test_a_partial_release_request_and_the_subject_fields(gw):
    pid, line_id = effective(gw)
    req = requested(gw, pid, who="mgr", kind="partial", amount="500000", released_on=TODAY - dt.timedelta(days=1))
    with gw.session() as s:
        fields = subject(s, "guarantee:release", str(req.id))
    assert {k: fields[k] for k in ("release_request_id", "kind", "amount", "balance", "status", "requested_by",
                                   "released_on", "product_kind", "project_id", "in_force_balance")} == {
        "release_request_id": str(req.id), "kind": "partial", "amount": M("500000.00"),
        "balance": M("2800000.00"), "status": "in_approval", "requested_by": str(gw.actors["mgr"].id_uuid),
        "released_on": (TODAY - dt.timedelta(days=1)).isoformat(), "product_kind": "loan", "project_id": str(pid),
        "in_force_balance": M("2800000.00")}
    with gw.session() as s:
        assert subject(s, "guarantee:release", str(uuid.uuid4())) is None
    assert do(gw, "mgr", req.workflow_instance_id)[0] == "risk_review"
    assert do(gw, "risk", req.workflow_instance_id)[1] == "approved"
    done = row(gw, GuaranteeReleaseRequest, req.id)
    part = row(gw, GuaranteeRelease, done.release_id)
    assert (part.kind, part.amount, part.released_amount, part.balance_after, part.released_on,
            part.margin_refunded) == ("partial", M("500000.00"), M("500000.00"), M("2300000.00"),
                                      TODAY - dt.timedelta(days=1), M("0.00"))
    assert row(gw, GuaranteeCreditLine, line_id).used == M("2500000.00")
    assert row(gw, GuaranteeProject, pid).status == "effective"


def test_rejection_and_withdrawal_release_nothing(gw):
    pid, line_id = effective(gw, ended=True)
    req = requested(gw, pid, kind="full")
    assert do(gw, "mgr", req.workflow_instance_id, "reject", comment="银行尚未出具结清证明") == (
        "rejected", "rejected")
    closed = row(gw, GuaranteeReleaseRequest, req.id)
    assert (closed.status, closed.release_id, closed.decision_comment) == ("rejected", None, "银行尚未出具结清证明")
    again = requested(gw, pid, kind="full")  # the rejected request is closed: a new one may be made
    with gw.acting("fin") as (s, a):
        withdraw(s, a, again.workflow_instance_id, comment="撤回")
    assert row(gw, GuaranteeReleaseRequest, again.id).status == "withdrawn"
    assert row(gw, GuaranteeProject, pid).status == "effective"
    assert row(gw, GuaranteeCreditLine, line_id).used == M("3000000.00")
    with gw.session() as s:
        assert s.scalars(select(GuaranteeRelease)).all() == []
        assert s.scalars(select(GuaranteeFeeRefund)).all() == []


def test_refusals_at_request_and_one_open_request_per_project(gw):
    pid, _ = effective(gw)
    future = TODAY + dt.timedelta(days=1)
    for kw, error, field in [
        (dict(kind="half"), ValidationFailed, "kind"),
        (dict(kind="partial"), ValidationFailed, "amount"),
        (dict(kind="partial", amount="2800000.00"), ValidationFailed, "amount"),
        (dict(kind="partial", amount="2800000.01"), rel.ReleaseExceedsBalance, "amount"),
        (dict(kind="partial", amount="1", released_on=future), ValidationFailed, "released_on"),
        (dict(kind="full"), rel.FullReleaseNotDue, "kind"),  # neither repaid nor past the loan's end
    ]:
        with pytest.raises(error) as e:
            requested(gw, pid, **kw)
        assert e.value.field == field, kw
    with pytest.raises(NotFound):
        requested(gw, uuid.uuid4(), kind="full")
    for who in ("viewer", "risk", "legal"):
        with pytest.raises(PermissionDenied):
            requested(gw, pid, who=who, kind="partial", amount="1")
    first = requested(gw, pid, kind="partial", amount="1000")
    with pytest.raises(rel.ReleaseRequestOpen) as e:
        requested(gw, pid, kind="partial", amount="2000")
    assert (e.value.code, e.value.field, e.value.params["request_id"]) == (
        "GUARANTEE_RELEASE_REQUEST_OPEN", "project_id", str(first.id))
    with gw.session() as s:
        assert len(s.scalars(select(GuaranteeReleaseRequest)).all()) == 1


def test_the_approval_is_refused_when_the_release_no_longer_fits(gw):
    """Repayments after the request made the partial amount the whole balance: approving is refused, nothing
    changes; the request can still be rejected."""
    pid, _ = effective(gw)
    req = requested(gw, pid, kind="partial", amount="800000")
    with gw.acting("fin") as (s, a):
        rel.record_repayment(s, a, pid, "2000000.00")
    do(gw, "mgr", req.workflow_instance_id)
    with pytest.raises(ValidationFailed) as e:
        do(gw, "risk", req.workflow_instance_id)
    assert e.value.field == "amount"
    assert row(gw, GuaranteeReleaseRequest, req.id).status == "in_approval"
    assert row(gw, WorkflowInstance, req.workflow_instance_id).status == "running"
    assert do(gw, "risk", req.workflow_instance_id, "reject", comment="余额已变")[1] == "rejected"
    assert row(gw, GuaranteeReleaseRequest, req.id).status == "rejected"


def test_four_eyes_a_request_approved_by_its_requester_releases_nothing(gw):
    pid, _ = effective(gw, ended=True)
    req = requested(gw, pid, who="admin", kind="full")
    do(gw, "mgr", req.workflow_instance_id)
    with gw.acting("risk") as (s, a):
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == req.workflow_instance_id,
                                                    WorkflowTask.status == "open")).one()
        act(s, a, task.id, "transfer", to_user=gw.actors["admin"].id_uuid)
    assert do(gw, "admin", req.workflow_instance_id)[1] == "approved"
    closed = row(gw, GuaranteeReleaseRequest, req.id)
    assert (closed.status, closed.release_id, closed.decision_comment) == ("rejected", None, rel.FOUR_EYES_RELEASE)
    assert row(gw, GuaranteeProject, pid).status == "effective"


def test_a_non_financing_guarantee_ends_at_its_expiry_date(gw):
    with gw.acting("mgr") as (s, a):
        product = make_product(s, code="BID", kind="bid")
        p = make_project(s, a, gw.customers["corp"], product=product, amount="500000.00", status="effective",
                         in_force_balance=M("500000.00"), effective_date=START,
                         loan_end_date=TODAY + dt.timedelta(days=100),  # not the term of a letter of guarantee
                         expiry_date=TODAY - dt.timedelta(days=1))
        pid = p.id
        assert rel.term_end(s, p) == TODAY - dt.timedelta(days=1)
    req = requested(gw, pid, kind="full")
    do(gw, "mgr", req.workflow_instance_id)
    do(gw, "risk", req.workflow_instance_id)
    done = row(gw, GuaranteeRelease, row(gw, GuaranteeReleaseRequest, req.id).release_id)
    assert (done.reason, done.amount, done.released_amount) == ("term_ended", M("500000.00"), M("500000.00"))
    with gw.acting("mgr") as (s, a):  # before its expiry a letter of guarantee is not due for a full release
        product = s.merge(product)
        q = make_project(s, a, gw.customers["corp"], product=product, amount="500000.00", status="effective",
                         in_force_balance=M("500000.00"), effective_date=START,
                         loan_end_date=TODAY - dt.timedelta(days=1), expiry_date=TODAY + dt.timedelta(days=30))
        with pytest.raises(rel.FullReleaseNotDue) as e:
            rel.request_release(s, a, q.id, kind="full")
    assert (TODAY + dt.timedelta(days=30)).isoformat() in e.value.message


def test_the_definition_is_installed_for_a_tenant_that_lacks_it(gw):
    with gw.session() as s:
        assert s.scalars(select(WorkflowDefinition.status).where(WorkflowDefinition.key == DEFINITION_KEY)).all() \
            == ["published"]
        s.execute(update(WorkflowDefinition).where(WorkflowDefinition.key == DEFINITION_KEY)
                  .values(key="guarantee.release_old"))
    with gw.session() as s:
        installed = install_defaults(s, ["guarantee"])  # what upgrade.backfill runs first
        assert DEFINITION_KEY in {d.key for d in installed}
        assert s.scalars(select(WorkflowDefinition.status).where(WorkflowDefinition.key == DEFINITION_KEY)).all() \
            == ["published"]


# ---------------------------------------------------------------- GraphQL (through the app) ----------------------

ERR = "errors { code field message }"
REQUEST = f"""mutation($i: GuaranteeReleaseRequestInput!) {{ guaranteeReleaseRequest(input: $i) {{
  request {{ id kind amount status workflowInstanceId releaseId }} {ERR} }} }}"""
TASKS = "query($id: ID!) { workflowInstance(id: $id) { definitionKey status openTasks { id } } }"
APPROVE = f"""mutation($i: WorkflowTaskActionInput!) {{ workflowTaskApprove(input: $i) {{
  instance {{ status currentStep }} {ERR} }} }}"""
LIST = """query($p: ID!) { guaranteeReleaseRequests(projectId: $p) { status kind releaseId decisionComment }
  guaranteeReleases(projectId: $p) { kind amount releasedAmount requestId } }"""


def test_graphql_request_then_approval_through_the_task_mutations(gw, api):
    pid, _ = effective(gw, ended=True)
    gid = relay.to_base64("GuaranteeProject", pid)
    slug = gw.tenant.slug
    fin, mgr, risk, viewer = (api.login(slug, u, TEST_PASSWORD) for u in ("fin", "mgr", "risk", "viewer"))

    def data(query, token, **variables):
        body = api(query, variables, token=token)
        assert "errors" not in body, body
        return body["data"]

    denied = data(REQUEST, viewer, i={"projectId": gid, "kind": "full"})["guaranteeReleaseRequest"]
    assert denied["request"] is None and denied["errors"][0]["code"] == "FORBIDDEN"
    bad = data(REQUEST, fin, i={"projectId": gid, "kind": "partial", "amount": "9999999"})["guaranteeReleaseRequest"]
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("GUARANTEE_RELEASE_EXCEEDS_BALANCE", "amount")]
    made = data(REQUEST, fin, i={"projectId": gid, "kind": "full", "note": "期满"})["guaranteeReleaseRequest"]
    assert made["errors"] == [] and made["request"]["status"] == "in_approval"
    iid = made["request"]["workflowInstanceId"]
    for token, step in ((mgr, "risk_review"), (risk, "approved")):
        inst = data(TASKS, token, id=iid)["workflowInstance"]
        assert inst["definitionKey"] == "guarantee.release"
        done = data(APPROVE, token, i={"taskId": inst["openTasks"][0]["id"], "comment": "同意"})
        assert done["workflowTaskApprove"]["errors"] == [] and done["workflowTaskApprove"]["instance"][
            "currentStep"] == step
    listed = data(LIST, fin, p=gid)
    assert listed["guaranteeReleaseRequests"][0]["status"] == "released"
    assert listed["guaranteeReleases"] == [{"kind": "full", "amount": "2800000.00", "releasedAmount": "2800000.00",
                                            "requestId": listed["guaranteeReleaseRequests"][0]["releaseId"] and
                                            made["request"]["id"]}]
    gone = api("mutation { guaranteeRelease(input: {projectId: \"x\", kind: \"full\"}) { errors { code } } }",
               token=fin)
    assert "errors" in gone  # releasing at once is not offered: the request and its approval are
