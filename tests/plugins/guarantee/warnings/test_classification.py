"""Five-category risk classification (风险分类): a proposed change goes to the department head of the project's org
unit, then an executive (driven through the engine); approved -> the project's class changes (audited, event),
rejected -> unchanged; the proposal's rules; the suggested class from the open overdue report; GraphQL."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from strawberry import relay

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.workflow.actions import act, withdraw
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowInstance, WorkflowTask
from surety.plugins.guarantee.compensation.models import GuaranteeCompensation, GuaranteeCompensationReceivable
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.testing import make_project
from surety.plugins.guarantee.warnings import classification as cl
from surety.plugins.guarantee.warnings import early_warnings as ew
from surety.plugins.guarantee.warnings.models import GuaranteeClassificationChange

TODAY = business_today()
START = TODAY - dt.timedelta(days=400)


def project(gw, status="effective", **extra):
    with gw.acting("mgr") as (s, a):
        return make_project(s, a, gw.customers["corp"], status=status, in_force_balance=Decimal("1000000.00"),
                            effective_date=START, **extra).id


def propose(gw, pid, to_class="special_mention", user="risk", reason="逾期 35 天"):
    with gw.acting(user) as (s, a):
        return cl.propose_change(s, a, pid, to_class=to_class, reason=reason)


def change(gw, change_id) -> GuaranteeClassificationChange:
    with gw.session() as s:
        return s.scalars(select(GuaranteeClassificationChange)
                         .where(GuaranteeClassificationChange.id == change_id)).one()


def risk_class(gw, pid) -> str:
    with gw.session() as s:
        return s.scalar(select(GuaranteeProject.risk_class).where(GuaranteeProject.id == pid))


def do(gw, user, instance_id, action="approve", comment=None) -> str | None:
    """``user`` acts on the instance's open task; the instance's current step after."""
    with gw.acting(user) as (s, a):
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                    WorkflowTask.status == "open")).one()
        act(s, a, task.id, action, comment=comment)
        inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == instance_id)).one()
        return inst.current_step, inst.status


def events(gw, name) -> list[dict]:
    with gw.session() as s:
        return [e.payload for e in s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == name))]


def test_an_approved_change_reclassifies_the_project(gw):
    pid = project(gw)
    row = propose(gw, pid, "substandard")
    assert (row.from_class, row.to_class, row.status) == ("normal", "substandard", "proposed")
    with gw.session() as s:
        inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == row.workflow_instance_id)).one()
        assert (inst.definition_key, inst.subject_type, inst.subject_id, inst.current_step) == \
            ("guarantee.risk_classification", "guarantee:classification", str(row.id), "review")
    for user in ("mgr", "risk", "boss"):  # the review is the branch head's
        with pytest.raises(PermissionDenied):
            do(gw, user, row.workflow_instance_id)
    assert do(gw, "head", row.workflow_instance_id) == ("approval", "running")
    assert risk_class(gw, pid) == "normal"  # not before the executive approves
    with pytest.raises(PermissionDenied):
        do(gw, "head", row.workflow_instance_id)
    assert do(gw, "boss", row.workflow_instance_id) == ("approved", "approved")
    assert risk_class(gw, pid) == "substandard"
    done = change(gw, row.id)
    assert done.status == "approved" and done.decided_at is not None
    assert events(gw, "GuaranteeRiskClassified") == [{"project_id": str(pid), "change_id": str(row.id),
                                                      "from_class": "normal", "to_class": "substandard"}]
    with gw.session() as s:
        rec = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.project.risk_classified")).one()
        assert (rec.entity_id, rec.before, rec.after["risk_class"]) == (str(pid), {"risk_class": "normal"},
                                                                         "substandard")
        assert s.scalar(select(AuditRecord.id).where(AuditRecord.action == "guarantee.classification.proposed"))
    # The next change starts from the new class.
    assert propose(gw, pid, "doubtful").from_class == "substandard"


def test_a_rejected_or_withdrawn_change_leaves_the_class(gw):
    pid = project(gw)
    row = propose(gw, pid)
    do(gw, "head", row.workflow_instance_id)
    assert do(gw, "boss", row.workflow_instance_id, "reject", comment="证据不足") == ("rejected", "rejected")
    assert change(gw, row.id).status == "rejected" and risk_class(gw, pid) == "normal"
    again = propose(gw, pid)  # no longer pending: a new proposal is allowed
    assert do(gw, "head", again.workflow_instance_id, "reject", comment="no") == ("rejected", "rejected")
    assert change(gw, again.id).status == "rejected"
    third = propose(gw, pid)
    with gw.acting("risk") as (s, a):
        withdraw(s, a, third.workflow_instance_id, comment="撤回")
    assert change(gw, third.id).status == "rejected" and risk_class(gw, pid) == "normal"
    assert events(gw, "GuaranteeRiskClassified") == []


def test_proposal_rules(gw):
    pid = project(gw)
    with pytest.raises(ValidationFailed) as err:
        propose(gw, pid, "bad")
    assert err.value.field == "to_class"
    with pytest.raises(ValidationFailed) as err:
        propose(gw, pid, "normal")  # the current class
    assert err.value.field == "to_class"
    with pytest.raises(ValidationFailed) as err:
        propose(gw, pid, reason="  ")
    assert err.value.field == "reason"
    with pytest.raises(PermissionDenied):
        propose(gw, pid, user="mgr")
    with pytest.raises(NotFound):
        propose(gw, uuid.uuid4())
    row = propose(gw, pid)
    with pytest.raises(Conflict) as err:  # one pending change per project
        propose(gw, pid, "loss")
    assert err.value.field == "project_id"
    assert change(gw, row.id).status == "proposed"
    for status in ("draft", "contracted", "released"):
        with pytest.raises(Conflict) as err:
            propose(gw, project(gw, status))
        assert err.value.field == "project_id"


def test_a_released_project_with_an_open_compensation_receivable_can_be_reclassified(gw):
    pid = project(gw, "released")
    with gw.session() as s:
        claim = GuaranteeCompensation(project_id=pid, claimed_amount=Decimal("500000.00"), claim_date=TODAY,
                                      status="compensated")
        s.add(claim)
        s.flush()
        rec = GuaranteeCompensationReceivable(compensation_id=claim.id, project_id=pid, paid=Decimal("500000.00"),
                                              opened_on=TODAY, status="open")
        s.add(rec)
        s.commit()
        rec_id = rec.id
    row = propose(gw, pid, "doubtful")
    do(gw, "head", row.workflow_instance_id)
    do(gw, "boss", row.workflow_instance_id)
    assert risk_class(gw, pid) == "doubtful"
    with gw.session() as s:
        s.scalars(select(GuaranteeCompensationReceivable).where(GuaranteeCompensationReceivable.id == rec_id)) \
            .one().status = "closed"
        s.commit()
    with pytest.raises(Conflict):
        propose(gw, pid, "loss")


@pytest.mark.parametrize("days, expected", [
    (0, "normal"), (1, "special_mention"), (90, "special_mention"), (91, "substandard"), (270, "substandard"),
    (271, "doubtful"), (360, "doubtful"), (361, "loss"), (5000, "loss"),
])
def test_the_suggested_class_follows_days_past_due(days, expected):
    assert cl.class_for_days(days) == expected


def test_the_suggested_class_is_shown_next_to_the_current_one(gw):
    pid = project(gw)
    with gw.acting("mgr") as (s, a):
        view = cl.classification_of(s, a, pid)
        assert (view.current, view.suggested, view.days_past_due, view.pending) == ("normal", "normal", None, None)
        ew.record_overdue(s, a, pid, overdue_principal="10000", days_past_due=100)
        view = cl.classification_of(s, a, pid)
        assert (view.suggested, view.days_past_due) == ("substandard", 100)
        assert cl.suggested_class(s, view.project) == "substandard"
        ew.cure_overdue(s, a, pid)
        assert cl.classification_of(s, a, pid).suggested == "normal"
    row = propose(gw, pid)
    with gw.acting("risk") as (s, a):
        assert cl.classification_of(s, a, pid).pending.id == row.id
        assert [c.id for c in cl.changes_of(s, a, pid)] == [row.id]
    with gw.acting("mgr2") as (s, a):
        with pytest.raises(NotFound):
            cl.classification_of(s, a, pid)
    with gw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            cl.changes_of(s, a, pid)


def test_the_subject_fields(gw):
    pid = project(gw)
    row = propose(gw, pid, "loss")
    with gw.session() as s:
        fields = cl.subject_fields(s, str(row.id))
        assert fields["org_unit_id"] == str(gw.units["A"])
        assert (fields["from_class"], fields["to_class"]) == ("normal", "loss")
        assert cl.subject_fields(s, "x") is None


PROPOSE = """mutation($i: GuaranteeClassificationProposeInput!) { guaranteeClassificationPropose(input: $i) {
  change { id fromClass toClass status workflowInstanceId } errors { code field } } }"""
VIEW = """query($p: ID!) { guaranteeRiskClassification(projectId: $p) { currentClass currentClassName
  suggestedClass suggestedClassName daysPastDue pendingChange { toClass } }
  guaranteeClassificationChanges(projectId: $p) { toClass status reason } }"""


def test_graphql(gw, api):
    pid = project(gw)
    with gw.acting("mgr") as (s, a):
        ew.record_overdue(s, a, pid, overdue_principal="10000", days_past_due=300)
    gid = relay.to_base64("GuaranteeProject", pid)
    risk = api.login(gw.tenant.slug, "risk")

    def run(query, token=risk, **variables):
        body = api(query, variables, token=token)
        assert "errors" not in body, body
        return body["data"]

    view = run(VIEW, p=gid)
    assert view["guaranteeRiskClassification"] == {
        "currentClass": "normal", "currentClassName": "正常", "suggestedClass": "doubtful",
        "suggestedClassName": "可疑", "daysPastDue": 300, "pendingChange": None}
    bad = run(PROPOSE, i={"projectId": gid, "toClass": "normal", "reason": "x"})["guaranteeClassificationPropose"]
    assert bad == {"change": None, "errors": [{"code": "VALIDATION_FAILED", "field": "toClass"}]}
    ok = run(PROPOSE, i={"projectId": gid, "toClass": "doubtful", "reason": "逾期 300 天"})
    assert ok["guaranteeClassificationPropose"]["change"]["status"] == "proposed"
    mgr = api.login(gw.tenant.slug, "mgr")
    denied = run(PROPOSE, token=mgr, i={"projectId": gid, "toClass": "loss", "reason": "x"})
    assert denied["guaranteeClassificationPropose"]["errors"][0]["code"] == "FORBIDDEN"
    view = run(VIEW, p=gid)
    assert view["guaranteeRiskClassification"]["pendingChange"] == {"toClass": "doubtful"}
    assert view["guaranteeClassificationChanges"] == [{"toClass": "doubtful", "status": "proposed",
                                                       "reason": "逾期 300 天"}]
