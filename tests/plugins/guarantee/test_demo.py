"""`surety demo` for the guarantee plugin: on a fresh demo tenant the demo adds staff in every role, products, banks
with credit lines, a project at every stage of part 1 and part 2's released, in-recovery and written-off projects,
made through the real services (numbers, approval workflow, meetings, fees, contracts, loan confirmation,
compensation and write-off approvals, audit); the staff's recorded password logs in; running it again adds
nothing."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surety.core.audit.models import AuditRecord
from surety.core.events_models import OutboxEvent
from surety.core.identity.models import User
from surety.core.settings import get_settings
from surety.core.workflow.engine import business_today, calendar
from surety.core.workflow.models import WorkflowInstance, WorkflowTask
from surety.plugins.customers.models import Customer
from surety.plugins.guarantee.compensation.models import (
    GuaranteeCompensation,
    GuaranteeCompensationReceivable,
    GuaranteeRecoveryAction,
)
from surety.plugins.guarantee.demo import BID_CODE, LOAN_CODE, MEMBERS, STAFF, add_demo_guarantees
from surety.plugins.guarantee.documents.models import GuaranteeContract, GuaranteeMeeting, GuaranteeMeetingItem
from surety.plugins.guarantee.finance.models import (
    GuaranteeFeeItem,
    GuaranteeFeePlan,
    GuaranteeFeeReceipt,
    GuaranteeFeeRefund,
)
from surety.plugins.guarantee.monitoring.models import GuaranteeInspection
from surety.plugins.guarantee.project.models import (
    GuaranteeBank,
    GuaranteeCounterGuarantee,
    GuaranteeCreditLine,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.release.models import GuaranteeRelease
from surety.plugins.guarantee.risk.models import REPORT_DRAFT, GuaranteeDueDiligenceReport, GuaranteeRating
from surety.plugins.guarantee.warnings.classification import COMPENSATION_REASON
from surety.plugins.guarantee.warnings.models import GuaranteeClassificationChange, GuaranteeWarning
from surety.tenants.demo import CREDENTIALS_FILE, add_demo_data

#: Tables whose row counts a second run must leave unchanged.
COUNTED = (User, Customer, GuaranteeProduct, GuaranteeBank, GuaranteeCreditLine, GuaranteeProject,
           GuaranteeCounterGuarantee, GuaranteeRating, GuaranteeDueDiligenceReport, GuaranteeMeeting,
           GuaranteeMeetingItem, GuaranteeFeePlan, GuaranteeFeeItem, GuaranteeFeeReceipt, GuaranteeContract,
           WorkflowInstance, WorkflowTask, AuditRecord, OutboxEvent)


@pytest.fixture
def demo(db, make_tenant):
    """A fresh tenant set up like `surety demo` does: customers and guarantee enabled, each plugin's demo data."""
    tenant = make_tenant(slug=f"demo-{secrets.token_hex(3)}", plugins=["customers", "guarantee"])
    before = business_today()
    with db.tenant_session(tenant.id) as s:
        add_demo_data(s, tenant)
    return tenant, {before, business_today()}


def counts(db, tenant) -> dict[str, int]:
    with db.tenant_session(tenant.id) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in COUNTED}


def by_status(s) -> dict[str, list[GuaranteeProject]]:
    out: dict[str, list[GuaranteeProject]] = {}
    for p in s.scalars(select(GuaranteeProject).order_by(GuaranteeProject.created_at, GuaranteeProject.id)):
        out.setdefault(p.status, []).append(p)
    return out


def step_of(s, project) -> str:
    return s.scalar(select(WorkflowInstance.current_step).where(WorkflowInstance.id == project.workflow_instance_id))


def test_every_stage_of_part_one_exists(db, demo):
    tenant, today = demo
    with db.tenant_session(tenant.id) as s:
        projects = by_status(s)
        assert {k: len(v) for k, v in projects.items()} == {
            "draft": 1, "in_approval": 3, "approved": 1, "contracted": 1, "effective": 2, "compensated": 1,
            "released": 1, "rejected": 1, "withdrawn": 1}  # the written-off project was compensated in full
        # Numbers came from the real numbering: the draft has none, the eleven submitted ones are gap-free.
        (draft,) = projects["draft"]
        assert draft.project_no is None and draft.workflow_instance_id is None
        numbered = sorted(p.project_no for ps in projects.values() for p in ps if p.project_no)
        year = min(today).year
        assert numbered == [f"DB-{year}-{n:05d}" for n in range(1, 12)] or \
            numbered == [f"DB-{max(today).year}-{n:05d}" for n in range(1, 12)]

        # In approval: one each at acceptance, due diligence and the committee.
        waiting = {step_of(s, p): p for p in projects["in_approval"]}
        assert set(waiting) == {"acceptance", "due_diligence", "committee"}
        dd = s.scalar(select(GuaranteeDueDiligenceReport).where(
            GuaranteeDueDiligenceReport.project_id == waiting["due_diligence"].id))
        assert dd.status == REPORT_DRAFT and dd.rating_id is not None
        at_committee = waiting["committee"]
        assert at_committee.amount > Decimal("5000000")  # above the committee threshold
        meeting = s.scalars(select(GuaranteeMeeting).join(
            GuaranteeMeetingItem, GuaranteeMeetingItem.meeting_id == GuaranteeMeeting.id).where(
            GuaranteeMeetingItem.project_id == at_committee.id)).one()
        assert meeting.status == "scheduled" and meeting.meeting_date > max(today)
        assert meeting.meeting_date in {calendar(s).next_working_day(d) for d in today}
        convene = s.scalars(select(WorkflowTask).where(
            WorkflowTask.instance_id == at_committee.workflow_instance_id, WorkflowTask.status == "open")).one()
        assert convene.kind == "convene"

        # Approved with a fee plan (a bid guarantee: no bank, not reserved on a line).
        (approved,) = projects["approved"]
        product = s.scalar(select(GuaranteeProduct).where(GuaranteeProduct.id == approved.product_id))
        assert product.code == BID_CODE and approved.bank_id is None and approved.decided_at is not None
        plan = s.scalar(select(GuaranteeFeePlan).where(GuaranteeFeePlan.project_id == approved.id))
        assert plan.guarantee_fee_total == Decimal("5000.00")  # 2,000,000 x 0.5 % x 6 / 12
        assert plan.margin_amount == Decimal("400000.00")

        # Contracted and effective: every contract signed by hand, fees received.
        (contracted,) = projects["contracted"]
        (effective,) = [p for p in projects["effective"] if p.amount == Decimal("6000000.00")]  # part 1's
        for p in (contracted, effective):
            contracts = s.scalars(select(GuaranteeContract).where(GuaranteeContract.project_id == p.id)).all()
            counters = s.scalar(select(func.count()).select_from(GuaranteeCounterGuarantee).where(
                GuaranteeCounterGuarantee.project_id == p.id))
            assert len(contracts) == 2 + counters  # guarantee, entrustment, one per counter-guarantee
            assert {(c.status, c.signed_via, c.signed_on in today) for c in contracts} == {("signed", "manual", True)}
            assert s.scalar(select(func.sum(GuaranteeFeeReceipt.amount)).where(
                GuaranteeFeeReceipt.project_id == p.id)) > 0
            assert p.credit_line_id is not None
        assert contracted.in_force_balance == Decimal("0.00") and contracted.loan_contract_no is None
        assert effective.in_force_balance == effective.amount == effective.loan_amount == Decimal("6000000.00")
        assert effective.effective_date in today and effective.loan_end_date > effective.loan_start_date
        # The effective project went through a committee meeting held today, with its minutes.
        held = s.scalars(select(GuaranteeMeeting).join(
            GuaranteeMeetingItem, GuaranteeMeetingItem.meeting_id == GuaranteeMeeting.id).where(
            GuaranteeMeetingItem.project_id == effective.id)).one()
        assert held.status == "open" and held.meeting_date in today and held.minutes_attachment_id is not None
        votes = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == effective.workflow_instance_id,
                                                     WorkflowTask.kind == "vote")).all()
        assert len(votes) == len(MEMBERS) and all(t.status != "open" for t in votes)
        # Credit lines carry what the approvals reserved.
        used = {line.bank_id: line.used for line in s.scalars(select(GuaranteeCreditLine))}
        assert used[effective.bank_id] == Decimal("6000000.00")
        # The contracted project's bank also carries part 2's in-recovery project (2,000,000 less the 1,500,000
        # compensated); the released and the written-off ones gave theirs back.
        assert used[contracted.bank_id] == Decimal("4500000.00")

        # Rejected at the preliminary review by the risk officer; withdrawn by the manager.
        (rejected,) = projects["rejected"]
        assert step_of(s, rejected) == "preliminary_review" and rejected.decided_at is not None
        (withdrawn,) = projects["withdrawn"]
        assert s.scalar(select(WorkflowInstance.status).where(
            WorkflowInstance.id == withdrawn.workflow_instance_id)) == "withdrawn"

        # Each step was audited as the person whose role owns it.
        names = {str(u.id): u.username for u in s.scalars(select(User))}
        actors = {r.action: names.get(r.actor_id) for r in s.scalars(
            select(AuditRecord).where(AuditRecord.entity_id == str(effective.id)))}
        assert actors["guarantee.application.submitted"] == "zhangwei"
        assert actors["guarantee.loan.confirmed"] == "sunli"
        assert actors["guarantee.contracts.generated"] == "zhaolei"
        assert actors["guarantee.project.contracted"] == "zhaolei"

        # The projects use the customers demo's customers (its demo runs first) besides the new ones.
        customer = {c.id: c for c in s.scalars(select(Customer))}
        assert customer[at_committee.customer_id].name == "北京建国建材有限公司"
        assert customer[projects["withdrawn"][0].customer_id].kind == "individual"
        assert len(customer) == 9 and len({p.customer_id for ps in projects.values() for p in ps}) == 9

        # Products and banks.
        loan = s.scalar(select(GuaranteeProduct).where(GuaranteeProduct.code == LOAN_CODE))
        assert loan.kind == "loan" and loan.requires_counter_guarantee
        assert s.scalar(select(func.count()).select_from(GuaranteeBank)) == 2
        # Staff in each role, the customer managers and the head in the branch.
        users = {u.username: u for u in s.scalars(select(User).where(User.username.in_(list(STAFF))))}
        assert set(users) == set(STAFF)
        assert users["zhangwei"].org_unit_id == users["wangqiang"].org_unit_id != users["chenjing"].org_unit_id


def test_part_two_released_in_recovery_and_written_off(db, demo):
    tenant, _ = demo
    with db.tenant_session(tenant.id) as s:
        projects = by_status(s)
        (released,) = projects["released"]
        assert released.in_force_balance == Decimal("0.00")
        rel = s.scalars(select(GuaranteeRelease).where(GuaranteeRelease.project_id == released.id)).one()
        assert rel.kind == "full" and rel.margin_refunded == Decimal("120000.00")  # 10 % margin back
        assert s.scalar(select(func.sum(GuaranteeFeeRefund.amount)).where(
            GuaranteeFeeRefund.project_id == released.id)) == Decimal("120000.00")
        claims = {c.project_id: c for c in s.scalars(select(GuaranteeCompensation))}
        assert {c.status for c in claims.values()} == {"compensated"} and len(claims) == 2
        recs = {r.project_id: r for r in s.scalars(select(GuaranteeCompensationReceivable))}
        recovering = next(p for p in projects["effective"] if p.amount == Decimal("2000000.00"))
        (written,) = projects["compensated"]  # no principal left in force: 已代偿
        assert written.amount == Decimal("900000.00")
        # Both on 北京农村商业银行's 10 % line: the bank bears 10 % of each claim, the company pays the rest.
        #   in recovery: 1,500,000.00 - 150,000.00 = 1,350,000.00; written off: 900,000.00 - 90,000.00 = 810,000.00
        assert {p: (c.claimed_amount, c.principal, c.bank_share_ratio, c.bank_share, c.payable_amount, c.paid_amount)
                for p, c in claims.items()} == {
            recovering.id: (Decimal("1500000.00"), Decimal("1500000.00"), Decimal("0.10"), Decimal("150000.00"),
                            Decimal("1350000.00"), Decimal("1350000.00")),
            written.id: (Decimal("900000.00"), Decimal("900000.00"), Decimal("0.10"), Decimal("90000.00"),
                         Decimal("810000.00"), Decimal("810000.00"))}
        r = recs[recovering.id]
        # outstanding = 1,350,000.00 paid - 300,000.00 recovered = 1,050,000.00
        assert (r.status, r.paid, r.recovered, r.outstanding) == ("open", Decimal("1350000.00"),
                                                                  Decimal("300000.00"), Decimal("1050000.00"))
        assert (recovering.status, recovering.in_force_balance) == ("effective", Decimal("500000.00"))
        kinds = s.scalars(select(GuaranteeRecoveryAction.kind).where(
            GuaranteeRecoveryAction.project_id == recovering.id)).all()
        assert sorted(kinds) == ["lawsuit", "negotiation"]
        w = recs[written.id]
        # written off = 810,000.00 paid - 650,000.00 recovered = 160,000.00
        assert (w.status, w.paid, w.recovered, w.written_off) == ("closed", Decimal("810000.00"),
                                                                  Decimal("650000.00"), Decimal("160000.00"))
        assert written.in_force_balance == Decimal("0.00")
        # Both approvals went through the engine.
        ended = {i.definition_key: i.status for i in s.scalars(select(WorkflowInstance).where(
            WorkflowInstance.definition_key.in_(["guarantee.compensation", "guarantee.loss_write_off"])))}
        assert ended == {"guarantee.compensation": "approved", "guarantee.loss_write_off": "approved"}
        (inspection,) = s.scalars(select(GuaranteeInspection)).all()
        assert inspection.kind == "first" and inspection.conclusion == "normal"
        # Monitoring: the overdue report raised a warning waiting for the risk officer; each compensation payment
        # raised its project to 次级 (a change recorded approved, so the demo proposes none for the in-recovery
        # project), the effective one's proposal (关注) awaits the head.

        warnings = s.scalars(select(GuaranteeWarning).where(GuaranteeWarning.project_id == recovering.id)).all()
        assert warnings and {w.status for w in warnings} == {"open"}
        waiting = s.scalars(select(WorkflowTask).where(
            WorkflowTask.instance_id.in_([w.workflow_instance_id for w in warnings]),
            WorkflowTask.status == "open")).all()
        assert len(waiting) == len(warnings)
        assert recovering.risk_class == written.risk_class == "substandard"
        changes = sorted((str(c.project_id), c.from_class, c.to_class, c.status, c.reason, c.workflow_instance_id
                          is None) for c in s.scalars(select(GuaranteeClassificationChange)))
        part_one = next(p for p in projects["effective"] if p.amount == Decimal("6000000.00"))
        assert changes == sorted([
            (str(recovering.id), "normal", "substandard", "approved", COMPENSATION_REASON, True),
            (str(written.id), "normal", "substandard", "approved", COMPENSATION_REASON, True),
            (str(part_one.id), "normal", "special_mention", "proposed", "行业景气度下降，建议关注", False)])
        assert part_one.risk_class == "normal"


def test_the_staff_password_is_kept_and_logs_in(db, demo, api):
    tenant, _ = demo
    lines = (get_settings().var_dir / CREDENTIALS_FILE).read_text().splitlines()
    line = [x for x in lines if x.startswith(f"tenant: {tenant.slug}  staff: ")][-1]
    assert all(name in line for name in STAFF)
    password = line.split("password:")[1].strip()
    query = "{guaranteeProjects(first: 50){edges{node{projectNo status customer{name} bank{name}}}}}"
    for username in ("zhangwei", "lina", "wangqiang"):  # manager A, manager B, the branch head
        body = api(query, token=api.login(tenant.slug, username, password))
        statuses = sorted(e["node"]["status"] for e in body["data"]["guaranteeProjects"]["edges"])
        assert statuses == sorted(["draft", "in_approval", "in_approval", "in_approval", "approved", "contracted",
                                   "effective", "effective", "compensated", "released", "rejected",
                                   "withdrawn"]), username
    body = api(query, token=api.login(tenant.slug, "hegang", password))  # a committee member reads them too
    assert len(body["data"]["guaranteeProjects"]["edges"]) == 12
    # The portal user of 北京华信精密机械有限公司 sees its own projects only.
    portal_line = [x for x in lines if x.startswith(f"tenant: {tenant.slug}  portal: huaxin  ")][-1]
    token = api.login(tenant.slug, "huaxin", portal_line.split("password:")[1].strip())
    mine = api("{guaranteePortalProjects{projectNo status}}", token=token)["data"]["guaranteePortalProjects"]
    assert len(mine) == 1 and mine[0]["status"] == "in_approval"
    assert api(query, token=token)["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_second_run_adds_nothing(db, demo):
    tenant, _ = demo
    first = counts(db, tenant)
    assert first["guarantee_projects"] == 12 and first["users"] == len(STAFF) + 2  # admin and the portal user
    with db.tenant_session(tenant.id) as s:
        add_demo_guarantees(s, tenant)
    assert counts(db, tenant) == first
