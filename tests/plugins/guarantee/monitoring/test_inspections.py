"""Post-guarantee inspections (保后检查): the plan made when a guarantee takes effect and ended on full release or a
balance compensated to 0; recording inspections (kinds, dates, findings, due-date moves, event, audit); changing the
plan; the due/late list within the data scope; the attachment guard; GraphQL."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from strawberry import relay

from surety.core.attachments import service as attachments
from surety.core.audit.models import AuditRecord
from surety.core.errors import NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.compensation.events import GuaranteeCompensationPaid
from surety.plugins.guarantee.finance.events import GuaranteeTookEffect
from surety.plugins.guarantee.monitoring import inspections as insp
from surety.plugins.guarantee.monitoring.models import GuaranteeInspection, GuaranteeInspectionPlan
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.release import releases as rel
from surety.plugins.guarantee.settings import get_settings
from surety.plugins.guarantee.testing import make_effective, make_project

TODAY = business_today()
D = dt.timedelta


def effective(gw, *, start=None, end=None, manager="mgr", manager_b=None, unit="A", loan="2800000.00"):
    """An effective project (no fee plan, no line) led by ``manager`` in org unit ``unit``; its id."""
    start = start or TODAY - D(days=100)
    with gw.acting("fin") as (s, a):
        p = make_effective(s, a, gw.customers["corp"], start=start, end=end or TODAY + D(days=300), margin=None,
                           line=False, loan=loan)
        p.manager_a_id = p.owner_id = gw.actors[manager].id_uuid
        p.manager_b_id = gw.actors[manager_b].id_uuid if manager_b else None
        p.org_unit_id = gw.units[unit]
        return p.id


def plan_row(gw, pid) -> GuaranteeInspectionPlan:
    with gw.session() as s:
        return s.scalars(select(GuaranteeInspectionPlan).where(GuaranteeInspectionPlan.project_id == pid)).one()


def set_next_due(gw, pid, day):
    with gw.session() as s:
        plan = s.scalars(select(GuaranteeInspectionPlan).where(GuaranteeInspectionPlan.project_id == pid)).one()
        plan.next_due = day


def audits(gw, action):
    with gw.session() as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq)))


# ---------------------------------------------------------------- the plan -----------------------------------------


def test_plan_created_when_the_guarantee_takes_effect(gw):
    start = TODAY - D(days=10)
    pid = effective(gw, start=start)  # confirm_loan raises GuaranteeTookEffect
    plan = plan_row(gw, pid)
    assert (plan.first_due, plan.next_due, plan.interval_days, plan.active) == (
        start + D(days=30), start + D(days=30), 90, True)
    [created] = audits(gw, "guarantee.inspection_plan.created")
    assert created.entity_id == str(plan.id) and created.after["next_due"] == (start + D(days=30)).isoformat()
    # The tenant's settings decide the first due date and interval.
    with gw.session() as s:
        settings = get_settings(s)
        settings.first_inspection_days, settings.inspection_interval_days = 15, 60
    other = effective(gw, start=start)
    assert (plan_row(gw, other).first_due, plan_row(gw, other).interval_days) == (start + D(days=15), 60)
    # Idempotent: the event again (or ensure_plan) keeps the one plan unchanged.
    with gw.acting("fin") as (s, a):
        insp.on_event(s, GuaranteeTookEffect(project_id=pid, project_no="X", customer_id=gw.customers["corp"],
                                             bank_id=None, loan_amount=Decimal("1"), in_force_balance=Decimal("1"),
                                             effective_date=TODAY, loan_end_date=TODAY + D(days=9)))
        assert insp.ensure_plan(s, pid, TODAY).id == plan.id
        assert len(s.scalars(select(GuaranteeInspectionPlan).where(
            GuaranteeInspectionPlan.project_id == pid)).all()) == 1
    assert plan_row(gw, pid).first_due == start + D(days=30)
    assert len(audits(gw, "guarantee.inspection_plan.created")) == 2


def test_plan_ends_on_full_release_not_partial(gw):
    pid = effective(gw, end=TODAY - D(days=1))
    with gw.acting("fin") as (s, a):
        rel.release(s, a, pid, kind="partial", amount="100000.00")
    assert plan_row(gw, pid).active is True
    with gw.acting("fin") as (s, a):
        rel.release(s, a, pid, kind="full")  # term ended
    assert plan_row(gw, pid).active is False
    [ended] = audits(gw, "guarantee.inspection_plan.deactivated")
    assert ended.after["reason"] == "released" and ended.before["active"] is True
    with gw.acting("mgr") as (s, a):
        with pytest.raises(rel.ProjectNotEffective) as e:
            insp.record_inspection(s, a, pid, conclusion="normal")
        assert e.value.field == "project_id"
        with pytest.raises(insp.InspectionPlanInactive):
            insp.update_plan(s, a, pid, interval_days=30)
    with gw.acting("fin") as (s, a):  # ending again is a no-op
        insp.deactivate_plan(s, pid, "released")
    assert len(audits(gw, "guarantee.inspection_plan.deactivated")) == 1


def test_plan_ends_when_compensation_brings_the_balance_to_zero(gw):
    pid = effective(gw)

    def paid(balance):
        return GuaranteeCompensationPaid(project_id=pid, compensation_id=uuid.uuid4(), receivable_id=uuid.uuid4(),
                                         bank_id=None, amount=Decimal("5"), paid_on=TODAY,
                                         in_force_balance=Decimal(balance))

    with gw.acting("fin") as (s, a):
        insp.on_event(s, paid("1000.00"))
    assert plan_row(gw, pid).active is True
    with gw.acting("fin") as (s, a):
        insp.on_event(s, paid("0.00"))
    assert plan_row(gw, pid).active is False
    assert audits(gw, "guarantee.inspection_plan.deactivated")[0].after["reason"] == "compensated"


# ---------------------------------------------------------------- recording ----------------------------------------


def test_record_inspections_move_the_due_date(gw):
    start = TODAY - D(days=100)
    pid = effective(gw, start=start)
    first_due = start + D(days=30)
    with gw.acting("mgr") as (s, a):
        first = insp.record_inspection(s, a, pid, conclusion="normal", inspected_on=TODAY - D(days=60))
        assert (first.kind, first.due_on, first.inspector_id, first.findings) == (
            "first", first_due, a.id_uuid, "")
    assert plan_row(gw, pid).next_due == TODAY - D(days=60) + D(days=90)
    with gw.acting("mgr") as (s, a):
        adhoc = insp.record_inspection(s, a, pid, conclusion="attention", findings="  仓库库存下降  ",
                                       inspected_on=TODAY - D(days=20), ad_hoc=True)
        assert (adhoc.kind, adhoc.due_on, adhoc.findings) == ("ad_hoc", None, "仓库库存下降")
    assert plan_row(gw, pid).next_due == TODAY + D(days=30)  # ad hoc: unchanged
    with gw.acting("mgr") as (s, a):
        second = insp.record_inspection(s, a, pid, conclusion="risk", findings="停产")
        assert (second.kind, second.due_on, second.inspected_on) == ("periodic", TODAY + D(days=30), TODAY)
        assert [i.kind for i in insp.inspections_of(s, a, pid)] == ["first", "ad_hoc", "periodic"]
        assert insp.plan_of(s, a, pid).next_due == TODAY + D(days=90)
        assert insp.get_inspection(s, a, second.id).conclusion == "risk"
    with gw.session() as s:
        events = [e.payload for e in s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "GuaranteeInspectionRecorded").order_by(OutboxEvent.id))]
    assert events[0] == {"project_id": str(pid), "inspection_id": str(first.id), "conclusion": "normal",
                         "inspected_on": (TODAY - D(days=60)).isoformat()}
    assert [e["conclusion"] for e in events] == ["normal", "attention", "risk"]
    recorded = audits(gw, "guarantee.inspection.recorded")
    assert [r.entity_id for r in recorded] == [str(first.id), str(adhoc.id), str(second.id)]
    assert recorded[2].before["plan"]["next_due"] == (TODAY + D(days=30)).isoformat()
    assert recorded[2].after["plan"]["next_due"] == (TODAY + D(days=90)).isoformat()
    assert "停产" not in str(recorded[2].after)  # findings stay in the row
    # A regular inspection is not dated before the last regular one; an ad-hoc one may be.
    with gw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed) as e:
            insp.record_inspection(s, a, pid, conclusion="normal", inspected_on=TODAY - D(days=1))
        assert e.value.field == "inspected_on"
    with gw.acting("mgr") as (s, a):
        assert insp.record_inspection(s, a, pid, conclusion="normal", inspected_on=TODAY - D(days=1),
                                      ad_hoc=True).kind == "ad_hoc"


def test_record_refusals(gw):
    start = TODAY - D(days=100)
    pid = effective(gw, start=start)
    with gw.acting("mgr") as (s, a):
        for kw, field in [(dict(conclusion="bad"), "conclusion"), (dict(conclusion="attention"), "findings"),
                          (dict(conclusion="risk", findings="   "), "findings"),
                          (dict(conclusion="normal", findings="x" * 4001), "findings"),
                          (dict(conclusion="normal", inspected_on=TODAY + D(days=1)), "inspected_on"),
                          (dict(conclusion="normal", inspected_on=start - D(days=1)), "inspected_on")]:
            with pytest.raises(ValidationFailed) as e:
                insp.record_inspection(s, a, pid, **kw)
            assert e.value.field == field, kw
    with gw.acting("mgr2") as (s, a):  # another manager's project: outside the data scope
        with pytest.raises(NotFound):
            insp.record_inspection(s, a, pid, conclusion="normal")
    with gw.acting("viewer") as (s, a):  # in scope (branch A) but may not record
        with pytest.raises(PermissionDenied):
            insp.record_inspection(s, a, pid, conclusion="normal")
    with gw.acting("mgr") as (s, a):
        draft = make_project(s, a, gw.customers["corp"], status="contracted")
        with pytest.raises(rel.ProjectNotEffective):
            insp.record_inspection(s, a, draft.id, conclusion="normal")
        assert insp.plan_of(s, a, draft.id) is None
    with gw.session() as s:
        assert s.scalars(select(GuaranteeInspection)).all() == []
    # A risk officer (org subtree from head office) records on any project.
    with gw.acting("risk") as (s, a):
        assert insp.record_inspection(s, a, pid, conclusion="normal").kind == "first"


def test_record_on_an_effective_project_without_plan_creates_it(gw):
    pid = effective(gw, start=TODAY - D(days=10))
    with gw.session() as s:
        s.delete(s.scalars(select(GuaranteeInspectionPlan).where(GuaranteeInspectionPlan.project_id == pid)).one())
    with gw.acting("mgr") as (s, a):
        row = insp.record_inspection(s, a, pid, conclusion="normal")
        assert (row.kind, row.due_on) == ("first", TODAY - D(days=10) + D(days=30))
    assert plan_row(gw, pid).next_due == TODAY + D(days=90)


# ---------------------------------------------------------------- changing the plan --------------------------------


def test_update_plan(gw):
    pid = effective(gw)
    with gw.acting("mgr") as (s, a):
        for kw, field in [({}, "interval_days"), (dict(interval_days=0), "interval_days"),
                          (dict(interval_days=367), "interval_days"), (dict(interval_days=True), "interval_days"),
                          (dict(interval_days="30"), "interval_days"),
                          (dict(next_due=TODAY - D(days=1)), "next_due"), (dict(next_due="2030-01-01"), "next_due")]:
            with pytest.raises(ValidationFailed) as e:
                insp.update_plan(s, a, pid, **kw)
            assert e.value.field == field, kw
        plan = insp.update_plan(s, a, pid, interval_days=366, next_due=TODAY)
        assert (plan.interval_days, plan.next_due) == (366, TODAY)
        plan = insp.update_plan(s, a, pid, interval_days=1)
        assert (plan.interval_days, plan.next_due) == (1, TODAY)
    [first, second] = audits(gw, "guarantee.inspection_plan.updated")
    assert (first.before["interval_days"], first.after["interval_days"], first.after["next_due"]) == (
        90, 366, TODAY.isoformat())
    assert second.after["interval_days"] == 1
    with gw.acting("mgr") as (s, a):  # the new interval counts from the next regular inspection
        insp.record_inspection(s, a, pid, conclusion="normal")
    assert plan_row(gw, pid).next_due == TODAY + D(days=1)
    with gw.acting("mgr2") as (s, a):
        with pytest.raises(NotFound):
            insp.update_plan(s, a, pid, interval_days=30)
    with gw.acting("head") as (s, a):  # department heads read but do not record
        with pytest.raises(PermissionDenied):
            insp.update_plan(s, a, pid, interval_days=30)
    with gw.acting("mgr") as (s, a):
        other = make_project(s, a, gw.customers["corp"], status="contracted")
        with pytest.raises(NotFound) as e:
            insp.update_plan(s, a, other.id, interval_days=30)
        assert e.value.field == "project_id"


# ---------------------------------------------------------------- due and late ---------------------------------------


def test_due_list_within_the_data_scope(gw):
    late = effective(gw, manager_b="mgr2")
    soon = effective(gw)
    later = effective(gw)
    elsewhere = effective(gw, manager="mgr2")
    ended = effective(gw)
    set_next_due(gw, late, TODAY - D(days=5))
    set_next_due(gw, soon, TODAY + D(days=2))
    set_next_due(gw, later, TODAY + D(days=20))
    set_next_due(gw, elsewhere, TODAY - D(days=1))
    set_next_due(gw, ended, TODAY - D(days=9))
    with gw.acting("fin") as (s, a):
        insp.deactivate_plan(s, ended, "released")
    with gw.acting("mgr") as (s, a):
        rows = insp.due_list(s, a)
        assert [r.project_id for r in rows] == [late, soon]
        first = rows[0]
        assert (first.days_late, first.late, first.next_due) == (5, True, TODAY - D(days=5))
        assert (first.manager_a_name, first.manager_b_name) == ("Mgr", "Mgr2")
        assert first.manager_a_id == a.id_uuid and first.manager_b_id == gw.actors["mgr2"].id_uuid
        assert (rows[1].days_late, rows[1].late, rows[1].manager_b_name) == (0, False, None)
        assert [r.project_id for r in insp.due_list(s, a, within_days=30)] == [late, soon, later]
        assert [r.project_id for r in insp.due_list(s, a, late_only=True)] == [late]
        assert [r.project_id for r in insp.due_list(s, a, within_days=30, limit=1)] == [late]
        for kw, field in [(dict(within_days=-1), "within_days"), (dict(within_days=367), "within_days"),
                          (dict(limit=0), "limit"), (dict(limit=201), "limit")]:
            with pytest.raises(ValidationFailed) as e:
                insp.due_list(s, a, **kw)
            assert e.value.field == field
    with gw.acting("mgr2") as (s, a):  # own scope: leads "elsewhere", seconds "late"
        assert [r.project_id for r in insp.due_list(s, a)] == [late, elsewhere]
    with gw.acting("head") as (s, a):  # branch A's subtree
        assert [r.project_id for r in insp.due_list(s, a)] == [late, elsewhere, soon]
    with gw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            insp.due_list(s, a)


# ---------------------------------------------------------------- attachments --------------------------------------


def test_attachment_guard(gw):
    pid = effective(gw)
    with gw.acting("mgr") as (s, a):
        row = insp.record_inspection(s, a, pid, conclusion="attention", findings="库存下降")
        stored = attachments.upload(s, a, "guarantee:inspection", str(row.id), "visit.txt", "现场照片说明".encode())
    with gw.acting("risk") as (s, a):
        assert [f.id for f in attachments.list_for(s, a, "guarantee:inspection", str(row.id))] == [stored.id]
    with gw.acting("mgr2") as (s, a):  # another manager's project: outside the data scope
        with pytest.raises(NotFound):
            attachments.list_for(s, a, "guarantee:inspection", str(row.id))
        with pytest.raises(NotFound):
            attachments.download(s, a, stored.id)
    with gw.acting("viewer") as (s, a):  # project in scope (branch A), but no guarantee:inspection:read
        assert insp.get_project(s, a, pid).id == pid
        with pytest.raises(NotFound):
            insp.attachment_guard(s, a, str(row.id))
    with gw.acting("mgr") as (s, a):
        insp.attachment_guard(s, a, str(row.id))
        for bad in (str(uuid.uuid4()), "not-a-uuid", str(pid)):
            with pytest.raises(NotFound):
                insp.attachment_guard(s, a, bad)
        with pytest.raises(NotFound):
            attachments.upload(s, a, "guarantee:inspection", str(uuid.uuid4()), "x.txt", b"hello")


# ---------------------------------------------------------------- GraphQL ------------------------------------------


RECORD = """mutation($i: GuaranteeInspectionRecordInput!) { guaranteeInspectionRecord(input: $i) {
  inspection { id entityId kind conclusion findings inspectedOn dueOn inspectorId }
  plan { nextDue intervalDays active } errors { code field message } } }"""
UPDATE = """mutation($i: GuaranteeInspectionPlanUpdateInput!) { guaranteeInspectionPlanUpdate(input: $i) {
  plan { id projectId firstDue nextDue intervalDays active } errors { code field } } }"""
READ = """query($p: ID!) { guaranteeInspectionPlan(projectId: $p) { nextDue intervalDays active }
  guaranteeInspections(projectId: $p) { kind conclusion } }"""
DUE = """query($w: Int!, $late: Boolean!, $first: Int, $after: String) {
  guaranteeInspectionsDue(withinDays: $w, lateOnly: $late, first: $first, after: $after) {
    totalCount edges { node { projectId projectNo managerAName managerBId nextDue daysLate late } }
    pageInfo { hasNextPage endCursor } } }"""


def test_graphql(gw, api):
    start = TODAY - D(days=100)
    pid = effective(gw, start=start)
    other = effective(gw)
    set_next_due(gw, other, TODAY - D(days=3))
    gid = relay.to_base64("GuaranteeProject", pid)
    mgr = api.login(gw.tenant.slug, "mgr")

    def run(query, token=mgr, **variables):
        body = api(query, variables, token=token)
        assert "errors" not in body, body
        return body["data"]

    bad = run(RECORD, i={"projectId": gid, "conclusion": "risk"})["guaranteeInspectionRecord"]
    assert bad["inspection"] is None and bad["errors"][0]["code"] == "VALIDATION_FAILED"
    assert bad["errors"][0]["field"] == "findings"
    ok = run(RECORD, i={"projectId": gid, "conclusion": "risk", "findings": "停产",
                        "inspectedOn": (TODAY - D(days=1)).isoformat()})["guaranteeInspectionRecord"]
    assert ok["errors"] == []
    assert {k: ok["inspection"][k] for k in ("kind", "conclusion", "findings", "dueOn")} == {
        "kind": "first", "conclusion": "risk", "findings": "停产", "dueOn": (start + D(days=30)).isoformat()}
    assert ok["plan"] == {"nextDue": (TODAY + D(days=89)).isoformat(), "intervalDays": 90, "active": True}
    assert ok["inspection"]["id"] == relay.to_base64("GuaranteeInspection", ok["inspection"]["entityId"])
    assert ok["inspection"]["inspectorId"] == relay.to_base64("User", str(gw.actors["mgr"].id_uuid))
    upd = run(UPDATE, i={"projectId": gid, "intervalDays": 60, "nextDue": TODAY.isoformat()})
    assert upd["guaranteeInspectionPlanUpdate"]["plan"]["nextDue"] == TODAY.isoformat()
    assert upd["guaranteeInspectionPlanUpdate"]["plan"]["projectId"] == gid
    refused = run(UPDATE, i={"projectId": gid, "intervalDays": 0})["guaranteeInspectionPlanUpdate"]
    assert refused == {"plan": None, "errors": [{"code": "VALIDATION_FAILED", "field": "intervalDays"}]}
    assert run(READ, p=gid) == {"guaranteeInspectionPlan": {"nextDue": TODAY.isoformat(), "intervalDays": 60,
                                                           "active": True},
                                "guaranteeInspections": [{"kind": "first", "conclusion": "risk"}]}
    page = run(DUE, w=7, late=False, first=1)["guaranteeInspectionsDue"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"] is True
    assert page["edges"][0]["node"]["projectId"] == relay.to_base64("GuaranteeProject", other)
    assert page["edges"][0]["node"]["daysLate"] == 3 and page["edges"][0]["node"]["late"] is True
    assert page["edges"][0]["node"]["managerAName"] == "Mgr" and page["edges"][0]["node"]["managerBId"] is None
    rest = run(DUE, w=7, late=False, first=1, after=page["pageInfo"]["endCursor"])["guaranteeInspectionsDue"]
    assert [e["node"]["projectId"] for e in rest["edges"]] == [gid] and rest["pageInfo"]["hasNextPage"] is False
    assert rest["edges"][0]["node"]["daysLate"] == 0
    assert run(DUE, w=7, late=True, first=None, after=None)["guaranteeInspectionsDue"]["totalCount"] == 1
    # Another manager's project is not found; a read-only user may not record.
    mgr2 = api.login(gw.tenant.slug, "mgr2")
    body = api(READ, {"p": gid}, token=mgr2)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    viewer = api.login(gw.tenant.slug, "viewer")
    denied = run(RECORD, token=viewer, i={"projectId": gid, "conclusion": "normal"})["guaranteeInspectionRecord"]
    assert denied["inspection"] is None and denied["errors"][0]["code"] == "FORBIDDEN"
    with gw.session() as s:
        assert s.scalars(select(GuaranteeProject.status).where(GuaranteeProject.id == pid)).one() == "effective"
