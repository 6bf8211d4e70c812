"""The leaders' dashboard: a small world whose every figure is computed by hand (in force, new business, releases,
compensation and its rate, recovery and its rate, write-offs, cycle time, workload per person and unit, breakdowns),
period boundaries inclusive, the data scope of a department head, refusals, and the GraphQL round trip."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from strawberry import relay

from surety.core.context import acting
from surety.core.errors import PermissionDenied, ValidationFailed
from surety.core.identity.models import OrgUnit, User
from surety.core.workflow.actions import act
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowTask, WorkflowTaskCandidate
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import actor_for, corporate
from surety.plugins.guarantee.compensation.models import (
    CLAIM_COMPENSATED,
    RECEIVABLE_CLOSED,
    GuaranteeCompensation,
    GuaranteeCompensationReceivable,
    GuaranteeRecoveryAction,
)
from surety.plugins.guarantee.dashboard.figures import dashboard, ratio
from surety.plugins.guarantee.origination import applications as ap
from surety.plugins.guarantee.project.models import GuaranteeCounterGuarantee, GuaranteeProject
from surety.plugins.guarantee.release import releases as rel
from surety.plugins.guarantee.testing import make_bank, make_effective, make_product

D = dt.date
FROM, TO = D(2025, 1, 1), D(2025, 3, 31)
UTC = dt.timezone.utc


def M(value: str) -> Decimal:
    return Decimal(value)


def _effective(gw, customer: str, start: dt.date, loan: str, *, kind="corporate", in_a=False, submitted=None):
    """An effective project (led by fin in HQ, or by mgr in branch A when ``in_a``)."""
    with gw.acting("fin") as (s, a):
        p = make_effective(s, a, gw.customers[customer], amount=loan, loan=loan, start=start,
                           end=start + dt.timedelta(days=365), margin=None, customer_kind=kind)
        if in_a:
            mgr = gw.actors["mgr"]
            p.manager_a_id = p.owner_id = mgr.id_uuid
            p.org_unit_id = gw.units["A"]
        p.submitted_at = submitted
        s.flush()
        return p.id, p.bank_id


def _compensate(gw, project_id, amount: str, paid_on: dt.date, *, recoveries=(), written_off_on=None):
    """A compensation paid (rows inserted as the service leaves them: the claim compensated, the balance lowered, a
    receivable opened), its recovery actions and, optionally, the remainder written off."""
    with gw.acting("fin") as (s, a):
        p = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == project_id)).one()
        paid = M(amount)
        claim = GuaranteeCompensation(project_id=p.id, claimed_amount=paid, claim_date=paid_on,
                                      status=CLAIM_COMPENSATED, paid_amount=paid, paid_on=paid_on,
                                      claimed_by=a.id_uuid)
        s.add(claim)
        s.flush()
        p.in_force_balance -= paid
        rec = GuaranteeCompensationReceivable(compensation_id=claim.id, project_id=p.id, paid=paid, opened_on=paid_on)
        s.add(rec)
        s.flush()
        for day, value in recoveries:
            s.add(GuaranteeRecoveryAction(receivable_id=rec.id, project_id=p.id, kind="negotiation",
                                          action_date=day, amount=M(value), notes="还款"))
            rec.recovered += M(value)
        if written_off_on is not None:
            rec.written_off = rec.outstanding
            rec.written_off_on = rec.closed_on = written_off_on
            rec.status = RECEIVABLE_CLOSED
        s.flush()


def _submitted(gw):
    """A project of mgr (branch A) submitted for approval: its first task goes to the department head."""
    with gw.acting("admin") as (s, a):
        product = make_product(s)
        bank, _ = make_bank(s)
    with gw.acting("mgr") as (s, a):
        p = ap.create_application(s, a, {"customer_id": gw.customers["corp"], "product_id": product.id,
                                         "bank_id": bank.id, "amount": "3000000", "term_months": 12,
                                         "purpose": "流动资金", "loan_category": "small_micro"})
        s.add(GuaranteeCounterGuarantee(project_id=p.id, kind="pledge", valuation=Decimal("1")))
        s.flush()
        return ap.submit_application(s, a, p.id)


def _open_task(gw, project):
    with gw.session() as s:
        return s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == project.workflow_instance_id,
                                                    WorkflowTask.status == "open")).one()


@pytest.fixture
def world(gw):
    """P1 HQ effective 2024-12-31, repaid 100,000 that day, partly released 200,000 on 2025-01-01 (balance 700,000).
    P2 A effective 2025-01-01 (submitted 2024-12-22), repaid 500,000 on 2025-02-01, compensated 300,000 on
    2025-03-31, recovered 20,000 on 2025-03-31 and 50,000 on 2025-04-01 (balance 1,200,000).
    P3 HQ individual effective 2025-03-31 (submitted 2025-03-02 23:30 UTC), repaid 500,000 and fully released that day.
    P4 HQ individual effective 2025-04-01 (submitted 2025-03-01), on P1's bank (balance 700,000).
    P5 A effective 2024-06-01, compensated 900,000 on 2024-12-31, recovered 100,000 on 2025-01-15, the remaining
    800,000 written off on 2025-02-15 (balance 0).
    P6 and P7 of mgr in approval; P6's acceptance task unclaimed (head and mgr2 may claim it), P7's due diligence
    task assigned to mgr."""
    p1, bank1 = _effective(gw, "corp", D(2024, 12, 31), "1000000.00")
    p2, bank2 = _effective(gw, "corp", D(2025, 1, 1), "2000000.00", in_a=True,
                           submitted=dt.datetime(2024, 12, 22, 10, 0, tzinfo=UTC))
    p3, bank3 = _effective(gw, "person", D(2025, 3, 31), "500000.00", kind="individual",
                           submitted=dt.datetime(2025, 3, 2, 23, 30, tzinfo=UTC))
    p4, _ = _effective(gw, "person", D(2025, 4, 1), "700000.00", kind="individual",
                       submitted=dt.datetime(2025, 3, 1, 8, 0, tzinfo=UTC))
    p5, bank5 = _effective(gw, "corp", D(2024, 6, 1), "900000.00", in_a=True)
    with gw.acting("fin") as (s, a):
        s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == p4)).one().bank_id = bank1
        rel.record_repayment(s, a, p1, "100000", repaid_on=D(2024, 12, 31))
        rel.release(s, a, p1, kind="partial", amount="200000", released_on=D(2025, 1, 1))
        rel.record_repayment(s, a, p2, "500000", repaid_on=D(2025, 2, 1))
        rel.record_repayment(s, a, p3, "500000", repaid_on=D(2025, 3, 31))
        rel.release(s, a, p3, kind="full", released_on=D(2025, 3, 31))
    _compensate(gw, p2, "300000.00", D(2025, 3, 31), recoveries=[(D(2025, 3, 31), "20000"), (D(2025, 4, 1), "50000")])
    _compensate(gw, p5, "900000.00", D(2024, 12, 31), recoveries=[(D(2025, 1, 15), "100000")],
                written_off_on=D(2025, 2, 15))
    p6, p7 = _submitted(gw), _submitted(gw)
    with gw.acting("head") as (s, a):
        act(s, a, _open_task(gw, p7).id, "approve")
    with gw.session() as s:
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.id == _open_task(gw, p6).id)).one()
        task.assignee_id = None
        s.add(WorkflowTaskCandidate(task_id=task.id, user_id=gw.actors["mgr2"].id_uuid))
    return dict(p1=p1, p2=p2, p3=p3, p4=p4, p5=p5, bank1=bank1, bank2=bank2, bank3=bank3, bank5=bank5)


def _board(gw, who, **kw):
    with gw.acting(who) as (s, a):
        return dashboard(s, a, **{"date_from": FROM, "date_to": TO, **kw})


def test_every_figure_tenant_wide(gw, world):
    d = _board(gw, "boss")
    assert (d.date_from, d.date_to, d.as_of) == (FROM, TO, business_today())
    # In force now: P1 700,000 + P2 1,200,000 + P4 700,000 (P5, fully compensated, is effective at 0: not in force).
    assert (d.in_force.count, d.in_force.balance) == (3, M("2600000.00"))
    # Took effect in [2025-01-01, 2025-03-31]: P2 and P3 (P1 the day before, P4 the day after).
    assert (d.new_business.count, d.new_business.loan_amount) == (2, M("2500000.00"))
    r = d.releases
    assert (r.full_count, r.partial_count, r.released_amount) == (1, 1, M("200000.00"))
    assert r.repaid_amount == M("1000000.00")  # P2 500,000 + P3 500,000 (P1's repayment is on 2024-12-31)
    assert r.compensated_amount == M("300000.00")
    assert r.guarantee_released == M("1500000.00")
    assert (d.compensation.count, d.compensation.paid_amount) == (1, M("300000.00"))
    assert d.compensation.rate == M("0.200000")  # 300,000 / 1,500,000
    rec = d.recovery
    assert rec.recovered == M("120000.00")  # P5 100,000 (01-15) + P2 20,000 (03-31)
    assert (rec.cumulative_recovered, rec.cumulative_compensation) == (M("120000.00"), M("1200000.00"))
    assert rec.rate == M("0.100000")
    assert rec.written_off == M("800000.00")
    # P2: 2024-12-22 -> 2025-01-01 = 10 days; P3: 2025-03-02 (UTC date) -> 2025-03-31 = 29 days.
    assert (d.cycle_time.projects, d.cycle_time.average_days) == (2, M("19.50"))


def test_workload_per_person_and_unit(gw, world):
    d = _board(gw, "boss", as_of=business_today() + dt.timedelta(days=90))
    ids = {n: gw.actors[n].id_uuid for n in ("fin", "mgr", "mgr2", "head")}
    people = [(p.user_id, p.in_approval, p.effective, p.in_force_balance, p.open_tasks, p.claimable_tasks,
               p.overdue_tasks) for p in d.people]
    assert people == [
        (ids["fin"], 0, 2, M("1400000.00"), 0, 0, 0),
        (ids["mgr"], 2, 1, M("1200000.00"), 1, 0, 1),  # P2 (P5 is at 0)  # P7's due diligence, due within 10 working days
        (ids["head"], 0, 0, M("0.00"), 0, 1, 0),
        (ids["mgr2"], 0, 0, M("0.00"), 0, 1, 0),
    ]
    assert [p.name for p in d.people] == ["Fin", "Mgr", "Head", "Mgr2"]
    with gw.session() as s:
        hq_name = s.scalar(select(OrgUnit.name).where(OrgUnit.id == gw.units["HQ"]))
    units = [(u.org_unit_id, u.name, u.in_approval, u.effective, u.in_force_balance, u.open_tasks) for u in d.units]
    assert units == [(gw.units["HQ"], hq_name, 0, 2, M("1400000.00"), 0),
                     (gw.units["A"], "Branch A", 2, 1, M("1200000.00"), 1)]
    assert [p.overdue_tasks for p in _board(gw, "boss").people] == [0, 0, 0, 0]  # as_of today: nothing overdue


def test_breakdowns(gw, world):
    d = _board(gw, "boss")
    rows = {dim: [(s.key, s.label, s.in_force_count, s.in_force_balance, s.new_count, s.new_amount)
                  for s in slices] for dim, slices in d.breakdowns.items()}
    corp = (2, M("1900000.00"), 1, M("2000000.00"))  # P1, P2 (P2 new; P5 at 0 is not in force)
    person = (1, M("700000.00"), 1, M("500000.00"))  # P4 in force, P3 new
    assert rows["industry"] == [("C13", "C13", *corp), (None, "", *person)]
    assert rows["region"] == [("110105", "110105", *corp), (None, "", *person)]
    assert rows["customer_kind"] == [("corporate", "corporate", *corp), ("individual", "individual", *person)]
    w = world
    assert rows["bank"] == [(str(w["bank1"]), "测试银行", 2, M("1400000.00"), 0, M("0.00")),
                            (str(w["bank2"]), "测试银行", 1, M("1200000.00"), 1, M("2000000.00")),
                            (str(w["bank3"]), "测试银行", 0, M("0.00"), 1, M("500000.00"))]


def test_period_boundaries_are_inclusive(gw, world):
    one_day = _board(gw, "boss", date_from=D(2025, 3, 31), date_to=D(2025, 3, 31))
    assert (one_day.new_business.count, one_day.new_business.loan_amount) == (1, M("500000.00"))  # P3
    assert (one_day.releases.full_count, one_day.releases.partial_count) == (1, 0)
    assert one_day.releases.repaid_amount == M("500000.00")
    assert one_day.compensation.paid_amount == M("300000.00")
    assert one_day.compensation.rate == M("0.375000")  # 300,000 / (500,000 + 300,000)
    assert one_day.recovery.recovered == M("20000.00")
    first_day = _board(gw, "boss", date_from=D(2025, 1, 1), date_to=D(2025, 1, 1))
    assert (first_day.new_business.count, first_day.releases.partial_count) == (1, 1)  # P2; P1's partial release
    assert first_day.releases.released_amount == M("200000.00")
    assert first_day.recovery.cumulative_compensation == M("900000.00")  # P5's, paid 2024-12-31
    assert first_day.recovery.rate == M("0")
    assert first_day.recovery.written_off == M("0.00")
    # After the period: P2's 2025-04-01 recovery joins the cumulative figure.
    later = _board(gw, "boss", date_from=D(2025, 4, 1), date_to=D(2025, 4, 1))
    assert later.recovery.cumulative_recovered == M("170000.00")
    assert later.recovery.rate == M("0.141667")  # 170,000 / 1,200,000
    assert later.new_business.count == 1  # P4


def test_nothing_released_or_compensated_gives_no_rate(gw, world):
    d = _board(gw, "boss", date_from=D(2020, 1, 1), date_to=D(2020, 12, 31))
    assert d.releases.guarantee_released == M("0.00") and d.compensation.rate is None
    assert d.recovery.cumulative_compensation == M("0.00") and d.recovery.rate is None
    assert d.cycle_time.projects == 0 and d.cycle_time.average_days is None
    assert ratio(M("1"), M("3")) == M("0.333333") and ratio(M("2"), M("3")) == M("0.666667")


def test_department_head_sees_only_its_subtree(gw, world):
    d = _board(gw, "head", as_of=business_today() + dt.timedelta(days=90))
    assert (d.in_force.count, d.in_force.balance) == (1, M("1200000.00"))  # P2 (P5 is at 0)
    assert (d.new_business.count, d.new_business.loan_amount) == (1, M("2000000.00"))
    r = d.releases
    assert (r.full_count, r.partial_count, r.released_amount, r.repaid_amount) == (0, 0, M("0.00"), M("500000.00"))
    assert r.guarantee_released == M("800000.00")
    assert d.compensation.rate == M("0.375000")
    assert (d.recovery.recovered, d.recovery.rate, d.recovery.written_off) == (M("120000.00"), M("0.100000"),
                                                                              M("800000.00"))
    assert (d.cycle_time.projects, d.cycle_time.average_days) == (1, M("10.00"))
    assert [p.user_id for p in d.people] == [gw.actors[n].id_uuid for n in ("mgr", "head", "mgr2")]  # not fin (HQ)
    assert [u.org_unit_id for u in d.units] == [gw.units["A"]]
    assert [s.key for s in d.breakdowns["customer_kind"]] == ["corporate"]
    assert {s.key for s in d.breakdowns["bank"]} == {str(world["bank2"])}  # P5's bank: nothing in force or new


def test_refusals(gw, world):
    for who in ("mgr", "viewer"):
        with pytest.raises(PermissionDenied):
            _board(gw, who)
    with pytest.raises(ValidationFailed) as err:
        _board(gw, "boss", date_from=TO, date_to=FROM)
    assert err.value.field == "date_to"
    with pytest.raises(ValidationFailed) as err:
        _board(gw, "boss", date_from=None)
    assert err.value.field == "date_from"


def test_other_tenants_do_not_count(gw, world, db, make_tenant):
    other = make_tenant(plugins=["customers", "guarantee"])
    with db.tenant_session(other.id) as s:
        admin = actor_for(s.scalar(select(User).where(User.username == "admin")))
    with acting(admin), db.tenant_session(other.id) as s:
        customer = create_customer(s, admin, "corporate", corporate(7)).id
        make_effective(s, admin, customer, amount="5000000.00", loan="5000000.00", start=D(2025, 2, 1),
                       end=D(2026, 2, 1), margin=None)
    d = _board(gw, "boss")
    assert (d.in_force.count, d.in_force.balance, d.new_business.count) == (3, M("2600000.00"), 2)
    with acting(admin), db.tenant_session(other.id) as s:
        theirs = dashboard(s, admin, date_from=FROM, date_to=TO)
    assert (theirs.in_force.count, theirs.in_force.balance, theirs.new_business.count) == (1, M("5000000.00"), 1)
    assert [p.user_id for p in theirs.people] == [admin.id_uuid]


QUERY = """query($f: Date!, $t: Date!) {
  guaranteeDashboard(dateFrom: $f, dateTo: $t) {
    dateFrom dateTo
    inForce { count balance }
    newBusiness { count loanAmount }
    releases { fullCount partialCount releasedAmount repaidAmount compensatedAmount guaranteeReleased }
    compensation { count paidAmount rate }
    recovery { recovered cumulativeRecovered cumulativeCompensation rate writtenOff }
    cycleTime { projects averageDays }
    people { name inApproval effective inForceBalance openTasks claimableTasks }
    units { name effective inForceBalance }
    breakdowns { industry { key label inForceCount inForceBalance newCount newAmount } bank { key } }
  } }"""


def test_graphql(gw, api, world):
    boss = api.login(gw.tenant.slug, "boss")
    body = api(QUERY, {"f": "2025-01-01", "t": "2025-03-31"}, token=boss)
    assert "errors" not in body, body
    d = body["data"]["guaranteeDashboard"]
    assert d["dateFrom"] == "2025-01-01" and d["inForce"] == {"count": 3, "balance": "2600000.00"}
    assert d["newBusiness"] == {"count": 2, "loanAmount": "2500000.00"}
    assert d["releases"] == {"fullCount": 1, "partialCount": 1, "releasedAmount": "200000.00",
                             "repaidAmount": "1000000.00", "compensatedAmount": "300000.00",
                             "guaranteeReleased": "1500000.00"}
    assert d["compensation"] == {"count": 1, "paidAmount": "300000.00", "rate": "0.200000"}
    assert d["recovery"] == {"recovered": "120000.00", "cumulativeRecovered": "120000.00",
                             "cumulativeCompensation": "1200000.00", "rate": "0.100000", "writtenOff": "800000.00"}
    assert d["cycleTime"] == {"projects": 2, "averageDays": "19.50"}
    assert d["people"][1] == {"name": "Mgr", "inApproval": 2, "effective": 1, "inForceBalance": "1200000.00",
                              "openTasks": 1, "claimableTasks": 0}
    assert d["units"][1] == {"name": "Branch A", "effective": 1, "inForceBalance": "1200000.00"}
    assert d["breakdowns"]["industry"][0] == {"key": "C13", "label": "C13", "inForceCount": 2,
                                              "inForceBalance": "1900000.00", "newCount": 1,
                                              "newAmount": "2000000.00"}
    assert d["breakdowns"]["bank"][0]["key"] == relay.to_base64("GuaranteeBank", str(world["bank1"]))
    mgr = api.login(gw.tenant.slug, "mgr")
    refused = api(QUERY, {"f": "2025-01-01", "t": "2025-03-31"}, token=mgr)
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = api(QUERY, {"f": "2025-03-31", "t": "2025-01-01"}, token=boss)
    assert bad["data"] is None and bad["errors"][0]["extensions"] == {"code": "VALIDATION_FAILED", "field": "date_to"}
