"""When a project's approval ends approved, finance and legal (the holders of the finance and legal roles) are told
through core notifications, in zh-CN, naming the project by its number only (an individual customer's name is
personal data); a rejection or withdrawal tells nobody; inactive users are left out."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update

from surety.core.identity.models import User
from surety.core.notifications.models import Notification
from surety.core.workflow.actions import act
from surety.core.workflow.models import WorkflowTask
from surety.plugins.guarantee.origination import applications as ap
from surety.plugins.guarantee.origination import handlers
from surety.plugins.guarantee.origination.events import GuaranteeProjectDecided
from surety.plugins.guarantee.project.models import GuaranteeCounterGuarantee, GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_product, make_project


def submitted(gw, customer="person", **extra) -> GuaranteeProject:
    """A renewal of 800,000 (the green channel: acceptance, then the reply) for the individual 张三."""
    with gw.acting("admin") as (s, a):
        product = make_product(s, name="个人经营贷担保")
        bank, _ = make_bank(s)
    with gw.acting("mgr") as (s, a):
        p = ap.create_application(s, a, {"customer_id": gw.customers[customer], "product_id": product.id,
                                         "bank_id": bank.id, "amount": "800000", "term_months": 12,
                                         "purpose": "经营周转", "renewal": True, **extra})
        s.add(GuaranteeCounterGuarantee(project_id=p.id, kind="pledge", valuation=Decimal("1")))
        s.flush()
        return ap.submit_application(s, a, p.id)


def do(gw, user, project, action="approve", **kw):
    with gw.acting(user) as (s, a):
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == project.workflow_instance_id,
                                                    WorkflowTask.status == "open")).one()
        return act(s, a, task.id, action, **kw)


def notices(gw) -> list[Notification]:
    with gw.session() as s:
        return list(s.scalars(select(Notification).where(Notification.kind == handlers.NOTIFY_APPROVED)
                              .order_by(Notification.user_id)))


def test_finance_and_legal_are_told_when_a_project_is_approved(gw):
    p = submitted(gw, proposed_fee_rate="0.0125")
    do(gw, "head", p)
    assert notices(gw) == []  # not before the end
    assert do(gw, "boss", p).status == "approved"
    got = notices(gw)
    assert sorted(n.user_id for n in got) == sorted([gw.actors["fin"].id_uuid, gw.actors["legal"].id_uuid])
    note = got[0]
    assert note.title == f"担保项目 {p.project_no} 已审批通过"
    assert (note.entity_type, note.entity_id) == ("guarantee:project", str(p.id))
    assert note.body.splitlines() == [
        f"项目编号：{p.project_no}", "担保金额：800,000.00 元，期限 12 个月", "产品：个人经营贷担保",
        "批准的拟收担保费：年费率 1.25%", "请财务据此制定收费计划，法务准备担保合同。"]
    assert all("张三" not in n.title and "张三" not in n.body for n in got)  # personal data stays out
    # Nobody else: not the manager, the approvers, the risk officer or the committee.
    for who in ("mgr", "boss", "head", "risk", "mem1", "admin"):
        assert gw.actors[who].id_uuid not in {n.user_id for n in got}


def test_a_rejection_or_withdrawal_tells_nobody(gw):
    rejected = submitted(gw)
    do(gw, "head", rejected, "reject", comment="资料不全")
    withdrawn = submitted(gw)
    with gw.acting("mgr") as (s, a):
        ap.withdraw_application(s, a, withdrawn.id, comment="客户撤回")
    assert notices(gw) == []


def test_inactive_holders_are_left_out(gw):
    with gw.session() as s:
        s.execute(update(User).where(User.id == gw.actors["legal"].id_uuid).values(status="disabled"))
    p = submitted(gw, customer="corp")
    do(gw, "head", p)
    do(gw, "boss", p)
    assert [n.user_id for n in notices(gw)] == [gw.actors["fin"].id_uuid]


def test_the_notice_names_the_fee_and_the_committee_conditions(gw):
    with gw.acting("mgr") as (s, a):
        p = make_project(s, a, gw.customers["corp"], status="approved", amount="5000000.00", term_months=24,
                         proposed_fee_rate=Decimal("0.015"), proposed_fee=Decimal("150000.00"))
        title, body = handlers.approved_notice(s, p, ("追加配偶保证", "追加保证金 10%"))
        assert title == f"担保项目 {p.project_no} 已审批通过"
        assert "批准的拟收担保费：年费率 1.5%，担保费 150,000.00 元" in body
        assert "审保会附加条件：2 项，放款确认前须全部落实或经审批人豁免" in body
        bare = make_project(s, a, gw.customers["corp"], status="approved")
        assert "批准的拟收担保费：申请未拟定" in handlers.approved_notice(s, bare, ())[1]
        # The reaction itself: only an approved decision notifies.
        handlers.on_event(s, GuaranteeProjectDecided(project_id=p.id, project_no=p.project_no, result="rejected",
                                                     amount=p.amount))
        assert s.scalars(select(Notification)).all() == []
        handlers.on_event(s, GuaranteeProjectDecided(project_id=p.id, project_no=p.project_no, result="approved",
                                                     amount=p.amount, conditions=("追加配偶保证",)))
        assert len(s.scalars(select(Notification).where(Notification.entity_id == str(p.id))).all()) == 2
