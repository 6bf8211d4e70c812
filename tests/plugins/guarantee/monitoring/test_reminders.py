"""The day-end reminders: fees due, guarantees expiring, inspections due or late, overdue loans reported by banks;
each sent once per (kind, subject, due date) to the right people, whatever the number of runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select, update

from surety.core.audit.models import AuditRecord
from surety.core.batch import day_end_jobs
from surety.core.identity.models import User
from surety.core.identity.org import create_org_unit
from surety.core.identity.service import create_user
from surety.core.notifications.models import Notification
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.engine import business_today
from surety.plugins.customers.testing import actor_for
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem, GuaranteeFeePlan
from surety.plugins.guarantee.monitoring import reminders
from surety.plugins.guarantee.monitoring.models import GuaranteeInspectionPlan, GuaranteeReminder
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.settings import get_settings
from surety.plugins.guarantee.testing import make_effective
from surety.plugins.guarantee.warnings import early_warnings
from surety.plugins.guarantee.warnings.models import GuaranteeOverdueReport

TODAY = business_today()
D = dt.timedelta
NONE = {k: 0 for k in reminders.KINDS}


def effective(gw, *, end=None, manager="mgr", manager_b=None, unit="A", margin=None):
    """An effective project led by ``manager`` in ``unit``, its inspection not due for 200 days; (id, number)."""
    with gw.acting("fin") as (s, a):
        p = make_effective(s, a, gw.customers["corp"], start=TODAY - D(days=100), end=end or TODAY + D(days=300),
                           margin=margin, line=False)
        p.manager_a_id = p.owner_id = gw.actors[manager].id_uuid
        p.manager_b_id = gw.actors[manager_b].id_uuid if manager_b else None
        p.org_unit_id = gw.units[unit]
        plan = s.scalars(select(GuaranteeInspectionPlan).where(GuaranteeInspectionPlan.project_id == p.id)).one()
        plan.next_due = TODAY + D(days=200)
        return p.id, p.project_no


def run(gw, day=TODAY):
    with gw.session() as s:
        return reminders.run_reminders(s, day)


def inbox(gw, kind=None):
    """(username, notification) pairs, oldest first."""
    with gw.session() as s:
        stmt = select(User.username, Notification).join(User, User.id == Notification.user_id)
        if kind:
            stmt = stmt.where(Notification.kind == f"guarantee_{kind}")
        return [(u, n) for u, n in s.execute(stmt.order_by(Notification.created_at, User.username)).all()]


def to(gw, kind):
    return sorted(u for u, _ in inbox(gw, kind))


def set_plan(gw, pid, day, active=True):
    with gw.session() as s:
        plan = s.scalars(select(GuaranteeInspectionPlan).where(GuaranteeInspectionPlan.project_id == pid)).one()
        plan.next_due, plan.active = day, active


def test_job_is_registered_for_the_day_end_batch():
    jobs = {job.name: job for _, job in day_end_jobs(["guarantee"])}
    assert jobs["guarantee_reminders"].run is reminders.run_reminders
    assert jobs["guarantee_warnings"].order < jobs["guarantee_reminders"].order  # warnings first, then reminders


def test_the_warnings_job_reports_how_many_it_raised(gw, monkeypatch):
    monkeypatch.setattr(early_warnings, "scan", lambda session, day: 3)
    jobs = {job.name: job for _, job in day_end_jobs(["guarantee"])}
    with gw.session() as s:
        assert jobs["guarantee_warnings"].run(s, TODAY) == {"raised": 3}


def test_nothing_to_remind(gw):
    effective(gw)
    assert run(gw) == NONE
    assert inbox(gw) == []
    with gw.session() as s:
        assert s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.reminders.sent")).all() == []


def test_inspection_due_and_late(gw):
    due, due_no = effective(gw, manager_b="mgr2")
    late, late_no = effective(gw)
    far, _ = effective(gw)
    ended, _ = effective(gw)
    set_plan(gw, due, TODAY + D(days=reminders.INSPECTION_DUE_DAYS))
    set_plan(gw, late, TODAY - D(days=4))
    set_plan(gw, far, TODAY + D(days=reminders.INSPECTION_DUE_DAYS + 1))
    set_plan(gw, ended, TODAY - D(days=4), active=False)
    assert run(gw) == {**NONE, "inspection_due": 1, "inspection_late": 1}
    assert to(gw, "inspection_due") == ["mgr", "mgr2"]
    assert to(gw, "inspection_late") == ["head", "mgr"]  # managers and branch A's department head
    [(_, note)] = inbox(gw, "inspection_late")[:1]
    assert note.title == f"保后检查逾期：{late_no}，应于 {(TODAY - D(days=4)).isoformat()} 完成"  # written in zh_CN
    assert "已逾期 4 天" in note.body and (note.entity_type, note.entity_id) == ("guarantee:project", str(late))
    assert inbox(gw, "inspection_due")[0][1].title == \
        f"保后检查提醒：{due_no}，{(TODAY + D(days=3)).isoformat()} 到期"
    # Idempotent: again the same day sends nothing; the next day only the plan entering the window.
    assert run(gw) == NONE
    assert run(gw, TODAY + D(days=1)) == {**NONE, "inspection_due": 1}
    assert run(gw, TODAY + D(days=1)) == NONE
    assert len(inbox(gw)) == 5
    with gw.session() as s:
        rows = s.scalars(select(GuaranteeReminder).order_by(GuaranteeReminder.kind, GuaranteeReminder.due_on)).all()
        assert [(r.kind, r.project_id, r.due_on, r.sent_on) for r in rows] == [
            ("inspection_due", due, TODAY + D(days=3), TODAY), ("inspection_due", far, TODAY + D(days=4),
                                                                TODAY + D(days=1)),
            ("inspection_late", late, TODAY - D(days=4), TODAY)]
    # A new due date is a new reminder; a due reminder turning late is reminded as late.
    set_plan(gw, late, TODAY + D(days=1))
    assert run(gw) == {**NONE, "inspection_due": 1}
    assert run(gw, TODAY + D(days=4)) == {**NONE, "inspection_late": 2}
    # The department head is found in the nearest unit above the project's that has one.
    with gw.session() as s:
        assert reminders._role_holders(s, {"role": "department_head", "org_unit": "subject"},
                                       {"org_unit_id": gw.units["HQ"]}) == []


def test_fee_due(gw):
    pid, number = effective(gw, margin="300000.00", manager_b="mgr2")  # margin received, guarantee fee not
    with gw.session() as s:
        plan = s.scalars(select(GuaranteeFeePlan).where(GuaranteeFeePlan.project_id == pid)).one()
        start_item = s.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.project_id == pid,
                                                              GuaranteeFeeItem.fee_type == "guarantee_fee")).one()
        extra = dict(plan_id=plan.id, project_id=pid, fee_type="review_fee")
        s.add_all([GuaranteeFeeItem(seq=2, due_date=TODAY + D(days=7), amount=Decimal("100.00"),
                                    received=Decimal("40.00"), **extra),
                   GuaranteeFeeItem(seq=3, due_date=TODAY + D(days=8), amount=Decimal("100.00"), **extra),
                   GuaranteeFeeItem(seq=4, due_date=TODAY + D(days=1), amount=Decimal("100.00"),
                                    received=Decimal("100.00"), **extra)])
    counts = run(gw)
    assert counts == {**NONE, "fee_due": 2}  # the unpaid guarantee fee (past due) and review fee #2
    assert to(gw, "fee_due") == ["mgr", "mgr", "mgr2", "mgr2"]
    titles = sorted({n.title for _, n in inbox(gw, "fee_due")})
    assert titles == sorted([f"费用到期：{number} 担保费第 1 期，{start_item.due_date.isoformat()}",
                             f"费用到期：{number} 评审费第 2 期，{(TODAY + D(days=7)).isoformat()}"])
    review = next(n for _, n in inbox(gw, "fee_due") if "评审费" in n.title)
    assert "评审费第 2 期 100.00 元" in review.body and "尚有 60.00 元未收到" in review.body
    assert run(gw) == NONE
    # The window follows the settings.
    with gw.session() as s:
        get_settings(s).fee_due_within_days = 8
    assert run(gw) == {**NONE, "fee_due": 1}


def test_expiring(gw):
    soon, number = effective(gw, end=TODAY + D(days=30))
    effective(gw, end=TODAY + D(days=31))
    past, _ = effective(gw, end=TODAY - D(days=2))  # term ended, not released yet
    assert run(gw) == {**NONE, "expiring": 2}
    assert to(gw, "expiring") == ["mgr", "mgr"]
    notes = {n.entity_id: n for _, n in inbox(gw, "expiring")}
    assert notes[str(soon)].title == f"担保到期提醒：{number}，{(TODAY + D(days=30)).isoformat()} 到期"
    assert "贷款将于" in notes[str(soon)].body and "贷款已于" in notes[str(past)].body
    assert run(gw, TODAY + D(days=1)) == {**NONE, "expiring": 1}  # the 31-day one enters the window


def test_overdue_reports_reach_managers_and_risk_officers(gw):
    pid, number = effective(gw, manager_b="mgr2")
    with gw.session() as s:
        s.add_all([GuaranteeOverdueReport(project_id=pid, reported_on=TODAY - D(days=1), days_past_due=12,
                                          overdue_principal=Decimal("50000.00"), overdue_interest=Decimal("812.50")),
                   GuaranteeOverdueReport(project_id=pid, reported_on=TODAY - D(days=40),
                                          closed_on=TODAY - D(days=10), close_reason="cured")])
    assert run(gw) == {**NONE, "overdue": 1}
    assert to(gw, "overdue") == ["mgr", "mgr2", "risk"]
    note = inbox(gw, "overdue")[0][1]
    assert note.title == f"贷款逾期：{number}，{(TODAY - D(days=1)).isoformat()} 报告"
    assert "逾期 12 天" in note.body and "逾期本金 50,000.00 元" in note.body and "逾期利息 812.50 元" in note.body
    assert run(gw) == NONE and len(inbox(gw, "overdue")) == 3


def test_no_personal_data_inactive_users_and_counts_audited(gw):
    pid, _ = effective(gw, end=TODAY + D(days=5), manager_b="mgr2")
    set_plan(gw, pid, TODAY - D(days=1))
    with gw.session() as s:
        s.scalars(select(User).where(User.username == "mgr2")).one().status = "disabled"
    counts = run(gw)
    assert counts == {**NONE, "expiring": 1, "inspection_late": 1}
    assert to(gw, "expiring") == ["mgr"]  # the disabled manager B gets nothing
    for _, note in inbox(gw):
        assert "华夏" not in note.title + note.body
    with gw.session() as s:
        [record] = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.reminders.sent")).all()
        assert record.after == {"business_date": TODAY.isoformat(), **counts}


def add_branch(gw, code, **people):
    """Branch ``code`` under HQ with ``people`` (username=role) in it."""

    with gw.session() as s:
        gw.units[code] = create_org_unit(s, code=code, name=f"Branch {code}", kind="branch",
                                         parent_id=gw.units["HQ"]).id
        for username, role in people.items():
            user = create_user(s, username=username, password=TEST_PASSWORD, display_name=username.title(),
                               org_unit_id=gw.units[code], roles=[role], email=f"{username}@example.com")
            gw.actors[username] = actor_for(user)


def test_overdue_reports_reach_only_the_risk_officers_covering_the_project(gw):
    add_branch(gw, "B", riskb="risk_officer")
    in_a, _ = effective(gw)  # branch A has no risk officer: HQ's, whose subtree covers it
    in_b, _ = effective(gw, unit="B")
    with gw.session() as s:
        s.add_all([GuaranteeOverdueReport(project_id=pid, reported_on=TODAY - D(days=1), days_past_due=3,
                                          overdue_principal=Decimal("1000.00")) for pid in (in_a, in_b)])
    assert run(gw) == {**NONE, "overdue": 2}
    got: dict[str, list[str]] = {}
    for user, note in inbox(gw, "overdue"):
        got.setdefault(note.entity_id, []).append(user)
    assert sorted(got[str(in_a)]) == ["mgr", "risk"]  # not branch B's risk officer
    assert sorted(got[str(in_b)]) == ["mgr", "riskb"]  # the nearest unit's officer


def test_no_expiring_reminder_for_a_guarantee_with_nothing_in_force(gw):
    compensated, _ = effective(gw, end=TODAY + D(days=10))
    kept, _ = effective(gw, end=TODAY + D(days=10))
    with gw.session() as s:  # fully compensated: still effective, balance 0
        s.execute(update(GuaranteeProject).where(GuaranteeProject.id == compensated)
                  .values(in_force_balance=Decimal("0.00")))
    assert run(gw) == {**NONE, "expiring": 1}
    assert [n.entity_id for _, n in inbox(gw, "expiring")] == [str(kept)]
