"""Demo data of the ``guarantee`` plugin (``surety demo``): a believable guarantee company.

Added to the demo tenant, all through the plugin's and core's services (permissions, numbering, the approval
workflow, audit and events run as they would for people using the application):

- a branch 北京分公司 (code ``BJ``) under the head office, and staff in every role of the approval: customer
  managers A/B and the department head in the branch; risk officer, executive, legal, finance and five committee
  members at the head office. They share one generated password, printed by ``surety demo`` and appended to
  ``var/demo-credentials.txt`` like the admin's (``tenant: demo  staff: ...  password: ...``);
- two products: a loan guarantee requiring counter-guarantees (``DEMO-LOAN``) and a bid guarantee (``DEMO-BID``);
- two partner banks with credit lines covering this year and the next two;
- a few corporate customers of the lead customer manager (with financial statements), besides the customers demo's;
- a project at every stage of part 1 (docs/guarantee/project.md, "Lifecycle"), dated from the business date
  (``business_today``): a draft; one waiting at acceptance; one at due diligence (rated, report in draft); one at
  the review committee with a meeting scheduled for the next working day; one approved with a fee plan; one
  contracted (contracts generated and signed by hand); one effective (through a committee meeting held today, fees
  received, loan confirmed); one rejected at the preliminary review; one withdrawn;
- part 2: an inspection of the effective project; a project released after the loan was repaid (margin refunded);
  one in recovery (compensation claimed, approved through ``guarantee.compensation`` and paid; a negotiated
  recovery and a lawsuit); one whose remaining loss was written off through ``guarantee.loss_write_off``; the bank's
  overdue report on the in-recovery project (a warning task for the risk officer); both compensated projects are
  classed 次级 by the payment itself (the effective one has 关注 proposed, awaiting the branch head); a
  customer self-service user ``huaxin`` (the staff's password) for 北京华信精密机械有限公司.

Idempotent: the products' codes mark the data as present, and a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.attachments import service as attachments
from surety.core.context import Actor, acting
from surety.core.identity.auth import user_actor
from surety.core.identity.models import OrgUnit, User
from surety.core.identity.org import create_org_unit
from surety.core.identity.service import create_user
from surety.core.ports import customers as door
from surety.core.ports.customers import DemoCorporate
from surety.core.workflow.actions import act
from surety.core.workflow.engine import business_today, calendar
from surety.core.workflow.models import WorkflowTask
from surety.plugins.guarantee.compensation import claims as compensation
from surety.plugins.guarantee.documents import contracts
from surety.plugins.guarantee.documents.meetings import open_meeting, schedule_meeting
from surety.plugins.guarantee.documents.minutes import export_minutes
from surety.plugins.guarantee.finance import banks, fees
from surety.plugins.guarantee.finance.fees import add_months
from surety.plugins.guarantee.finance.loans import confirm_loan
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem
from surety.plugins.guarantee.monitoring import inspections
from surety.plugins.guarantee.origination import applications
from surety.plugins.guarantee.origination.applications import withdraw_application
from surety.plugins.guarantee.portal import self_service as portal
from surety.plugins.guarantee.project import conditions as approval_conditions
from surety.plugins.guarantee.project import products
from surety.plugins.guarantee.project.models import GuaranteeProduct
from surety.plugins.guarantee.release import releases as release
from surety.plugins.guarantee.risk.counter_guarantees import add_counter_guarantee
from surety.plugins.guarantee.risk.due_diligence import save_report, submit_report
from surety.plugins.guarantee.risk.rating import score_rating
from surety.plugins.guarantee.settings import legal_particulars
from surety.plugins.guarantee.warnings import classification, early_warnings
from surety.tenants import demo as platform_demo

#: Codes of the demo products: their presence means the demo data is there.
LOAN_CODE, BID_CODE = "DEMO-LOAN", "DEMO-BID"
BRANCH_CODE = "BJ"

#: username -> (display name, role, org unit: "branch" or "head")
STAFF = {
    "zhangwei": ("张伟（客户经理 A）", "customer_manager", "branch"),
    "lina": ("李娜（客户经理 B）", "customer_manager", "branch"),
    "wangqiang": ("王强（业务部负责人）", "department_head", "branch"),
    "chenjing": ("陈静（风控专员）", "risk_officer", "head"),
    "liuyang": ("刘洋（分管副总）", "executive", "head"),
    "zhaolei": ("赵磊（法务）", "legal", "head"),
    "sunli": ("孙丽（财务）", "finance", "head"),
    "zhoumin": ("周敏（审保会委员）", "committee_member", "head"),
    "wujun": ("吴军（审保会委员）", "committee_member", "head"),
    "zhenghao": ("郑浩（审保会委员）", "committee_member", "head"),
    "fengyan": ("冯燕（审保会委员）", "committee_member", "head"),
    "hegang": ("何刚（审保会委员）", "committee_member", "head"),
}
MEMBERS = ("zhoumin", "wujun", "zhenghao", "fengyan", "hegang")

#: Corporate customers of the lead manager added for the projects: name -> (code seq, industry, size, statement).
CORPORATES = {
    "北京华信精密机械有限公司": (301, "C34", "small", ("46000000", "25000000", "21000000", "12500000", "6000000",
                                                     "58000000", "3100000")),
    "北京绿源农业科技有限公司": (302, "A01", "small", ("38000000", "17000000", "15000000", "8000000", "3500000",
                                                     "42000000", "2600000")),
    "北京恒通物流有限公司": (303, "G54", "medium", ("72000000", "41000000", "30000000", "19000000", "2000000",
                                               "96000000", "4800000")),
    "北京城建路桥工程有限公司": (304, "E48", "medium", ("150000000", "96000000", "80000000", "52000000",
                                                      "20000000", "210000000", "7600000")),
    "北京速达电子商务有限公司": (305, "F52", "micro", ("9000000", "7600000", "5200000", "5100000", "2500000",
                                                    "15000000", "-400000")),
}
_STATEMENT_LINES = ("total_assets", "total_liabilities", "current_assets", "current_liabilities", "inventory",
                    "revenue", "net_profit")
#: Qualitative scores of the default scorecards (rating.DEFAULT_TEMPLATES).
CORPORATE_SCORES = {"management": "80", "industry_outlook": "75", "credit_history": "85"}
INDIVIDUAL_SCORES = {"repayment_capacity": "80", "credit_history": "85", "stability": "75", "assets": "70"}


def add_demo_guarantees(session: Session, tenant) -> None:
    """Add the demo guarantee company to ``tenant`` (the demo tenant, customers demo already run). Idempotent."""

    if session.scalar(select(GuaranteeProduct.id).where(GuaranteeProduct.code == LOAN_CODE)) is not None:
        return
    admin = session.scalar(select(User).where(User.username == "admin"))
    if admin is None:
        return
    _Demo(session, tenant, admin).build()


class _Demo:
    def __init__(self, session: Session, tenant, admin) -> None:
        self.s, self.tenant = session, tenant
        self.today = business_today()
        self.actors: dict[str, Actor] = {"admin": user_actor(admin)}

    # ------------------------------------------------------------ set-up --------------------------------------------

    def build(self) -> None:
        self.staff()
        self.catalogue()
        self.customers()
        self.projects()

    def as_(self, username: str):
        return acting(self.actors[username])

    def staff(self) -> None:
        head = self.s.scalar(select(OrgUnit).where(OrgUnit.code == "HQ"))
        branch = self.s.scalar(select(OrgUnit).where(OrgUnit.code == BRANCH_CODE))
        if branch is None:
            branch = create_org_unit(self.s, code=BRANCH_CODE, name="北京分公司", kind="branch", parent_id=head.id)
        units = {"head": head.id, "branch": branch.id}
        password, added = platform_demo.password(), []
        self.password = password
        for n, (username, (name, role, unit)) in enumerate(STAFF.items(), start=1):
            user = self.s.scalar(select(User).where(User.username == username))
            if user is None:
                user = create_user(self.s, username=username, password=password, display_name=name,
                                   org_unit_id=units[unit], roles=[role], email=f"{username}@demo.example.com")
                added.append(username)
            self.actors[username] = user_actor(user)
        if added:
            platform_demo.keep_credentials(f"tenant: {self.tenant.slug}  staff: {', '.join(added)}  password: {password}")

    def catalogue(self) -> None:
        with self.as_("admin"):
            applications.update_settings(self.s, self.actors["admin"], legal_name="京华融资担保有限公司",
                                         legal_address="北京市朝阳区建国门外大街 1 号", legal_representative="周建华",
                                         seal_text="京华融资担保有限公司合同专用章")
            self.loan = products.create_product(self.s, self.actors["admin"], {
                "code": LOAN_CODE, "name": "流动资金贷款担保", "kind": "loan", "min_amount": "100000.00",
                "max_amount": "30000000.00", "min_term_months": 3, "max_term_months": 36,
                "default_fee_rate": "0.018", "requires_counter_guarantee": True})
            self.bid = products.create_product(self.s, self.actors["admin"], {
                "code": BID_CODE, "name": "投标保函", "kind": "bid", "min_amount": "10000.00",
                "max_amount": "10000000.00", "min_term_months": 1, "max_term_months": 12,
                "default_fee_rate": "0.005", "requires_counter_guarantee": False})
        start, end = dt.date(self.today.year, 1, 1), dt.date(self.today.year + 2, 12, 31)
        fin = self.actors["sunli"]
        with self.as_("sunli"):
            self.icbc = banks.create_bank(self.s, fin, code="ICBC-BJ", name="中国工商银行北京分行")
            banks.create_line(self.s, fin, self.icbc.id, total="200000000.00", risk_share_ratio="0.20",
                              start_date=start, end_date=end)
            self.bjrcb = banks.create_bank(self.s, fin, code="BJRCB", name="北京农村商业银行")
            banks.create_line(self.s, fin, self.bjrcb.id, total="50000000.00", risk_share_ratio="0.10",
                              start_date=start, end_date=end)

    def customers(self) -> None:
        """The customers demo's customers and :data:`CORPORATES` (added through the customers door when missing, each
        with last year's statement)."""
        period = dt.date(self.today.year - 1, 12, 31)
        wanted = []
        for name, (seq, industry, size, figures) in CORPORATES.items():
            lines = dict(zip(_STATEMENT_LINES, figures))
            lines["equity"] = str(Decimal(lines["total_assets"]) - Decimal(lines["total_liabilities"]))
            wanted.append(DemoCorporate(name, seq, {
                "industry": industry, "region": "110105", "size": size, "registered_capital": "10000000.00",
                "tags": ["担保客户"]}, period, lines))
        with self.as_("zhangwei"):
            found = door.ensure_demo_corporates(self.s, self.actors["zhangwei"], wanted)
        self.customer: dict[str, tuple[uuid.UUID, str]] = {n: (v["id"], v["kind"]) for n, v in found.items()}

    def _customer(self, *names: str) -> tuple[uuid.UUID, str]:
        """The first of ``names`` that exists (the customers demo's customers may have been changed or removed)."""
        for name in names:
            if name in self.customer:
                return self.customer[name]
        return next(iter(self.customer.values()))

    # ------------------------------------------------------------ one project, step by step -------------------------

    def draft(self, customer: tuple[uuid.UUID, str], product, amount: str, term: int, purpose: str, *,
              bank=None, counters: Iterable[dict] = (), category: str = "small_micro", **extra: Any):
        mgr = self.actors["zhangwei"]
        with self.as_("zhangwei"):
            project = applications.create_application(self.s, mgr, {
                "customer_id": customer[0], "product_id": product.id, "bank_id": bank.id if bank else None,
                "amount": amount, "term_months": term, "purpose": purpose, "loan_category": category,
                "manager_b_id": self.actors["lina"].id_uuid, **extra})
            for data in counters:
                add_counter_guarantee(self.s, mgr, project.id, {"valuation_date": self.today, **data})
        return project

    def submit(self, project):
        with self.as_("zhangwei"):
            return applications.submit_application(self.s, self.actors["zhangwei"], project.id)

    def act(self, username: str, project, action: str = "approve", *, instance_id: uuid.UUID | None = None,
            **kw) -> None:
        """``username`` does ``action`` on the open task that is theirs to take, of the project's approval (or of
        the instance ``instance_id``: a compensation claim, a write-off...)."""

        actor = self.actors[username]
        task = self.s.scalars(select(WorkflowTask).where(
            WorkflowTask.instance_id == (instance_id or project.workflow_instance_id), WorkflowTask.status == "open",
            (WorkflowTask.assignee_id.is_(None)) | (WorkflowTask.assignee_id == actor.id_uuid))
            .order_by(WorkflowTask.created_at, WorkflowTask.id)).first()
        if task is None:
            raise RuntimeError(f"demo: no open task of {project.project_no} for {username}")
        with self.as_(username):
            act(self.s, actor, task.id, action, **kw)

    def diligence(self, project, *, submit: bool) -> None:
        """Manager A rates the customer and writes the due-diligence report (submitted, or left as a draft)."""

        mgr = self.actors["zhangwei"]
        scores = CORPORATE_SCORES if project.customer_kind == "corporate" else INDIVIDUAL_SCORES
        report = {"business_overview": "企业经营正常，主营业务收入稳定，近三年无重大违约记录。",
                  "financial_analysis": "资产负债率处于行业合理水平，经营性现金流为正。",
                  "repayment_source": "第一还款来源为经营收入，第二还款来源为反担保物处置。",
                  "counter_guarantee_analysis": "反担保措施足额有效，抵押物权属清晰。",
                  "risks": "行业周期波动、应收账款回收风险。",
                  "recommended_amount": str(project.amount), "recommended_term_months": project.term_months,
                  "recommended_rate": "0.018"}
        with self.as_("zhangwei"):
            score_rating(self.s, mgr, project.id, scores, comment="尽调评级")
            if submit:
                save_report(self.s, mgr, project.id, {**report, "conclusion": "建议同意担保。"})
                submit_report(self.s, mgr, project.id)
            else:
                save_report(self.s, mgr, project.id, report)  # conclusion still to write

    def to_re_review(self, project) -> None:
        self.act("wangqiang", project, comment="资料齐全，同意受理")
        self.diligence(project, submit=True)
        self.act("zhangwei", project, comment="尽调完成")
        self.act("chenjing", project, comment="风险可控，同意")

    def approve(self, project) -> None:
        """Through the approval without the committee (amount within the threshold) to ``approved``."""
        self.to_re_review(project)
        self.act("liuyang", project, comment="同意")  # re-review -> reply
        self.act("liuyang", project, comment="同意批复")  # reply -> credit-line check -> approved

    def fee_plan(self, project, *, rate: str, frequency: str, review_fee: str, margin_rate: str, receive: bool):
        fin = self.actors["sunli"]
        with self.as_("sunli"):
            fees.set_plan(self.s, fin, project.id, guarantee_fee_method="rate", guarantee_fee_rate=rate,
                          frequency=frequency, review_fee=review_fee, margin_method="rate", margin_rate=margin_rate)
            if receive:
                due = self.s.scalars(select(GuaranteeFeeItem).where(
                    GuaranteeFeeItem.project_id == project.id, GuaranteeFeeItem.due_date <= self.today)
                    .order_by(GuaranteeFeeItem.due_date, GuaranteeFeeItem.fee_type, GuaranteeFeeItem.seq))
                for n, item in enumerate(due, start=1):
                    fees.receive(self.s, fin, item.id, item.amount, received_on=self.today,
                                 reference=f"{project.project_no}-SK{n}")

    def sign_contracts(self, project) -> None:
        legal = self.actors["zhaolei"]
        with self.as_("zhaolei"):
            for contract in contracts.generate_contracts(self.s, legal, project.id):
                contracts.mark_signed(self.s, legal, contract.id, signed_on=self.today, signers=[
                    {"role": "guarantor", "name": legal_particulars(self.s).name}, {"role": "counterparty", "name": "对方"}])

    def meet_conditions(self, project) -> None:
        """The legal officer records the committee's conditions met, each with a note file as its evidence."""
        legal = self.actors["zhaolei"]
        with self.as_("zhaolei"):
            for condition in approval_conditions.open_conditions(self.s, project.id):
                proof = attachments.upload(self.s, legal, "guarantee:project", str(project.id), "附加条件落实说明.txt",
                                           f"{condition.text}：已签署并核实。".encode())
                approval_conditions.meet_condition(self.s, legal, condition.id, attachment_ids=[proof.id],
                                                   note="已按审保会决议落实")

    def confirm_loan(self, project, contract_no: str) -> None:
        with self.as_("sunli"):
            confirm_loan(self.s, self.actors["sunli"], project.id, loan_contract_no=contract_no,
                         loan_amount=project.amount, start_date=self.today,
                         end_date=add_months(self.today, project.term_months), rate="0.0385")

    def meeting(self, projects, day: dt.date, title: str):
        members = [self.actors[m].id_uuid for m in MEMBERS]
        with self.as_("zhaolei"):
            return schedule_meeting(self.s, self.actors["zhaolei"], meeting_date=day, chair_id=members[0],
                                    member_ids=members, project_ids=[p.id for p in projects], title=title,
                                    place="总部三楼会议室", quorum_note="应到 5 人")

    # ------------------------------------------------------------ the projects --------------------------------------

    def projects(self) -> None:
        mortgage = {"kind": "mortgage", "description": "厂房及土地使用权抵押", "owner_name": "借款企业",
                    "collateral": {"certificate_no": "京(2023)朝阳区不动产权第0012345号",
                                   "address": "北京市朝阳区工业园 6 号", "property_type": "工业厂房"},
                    "valuation": "5200000.00", "discount_rate": "0.7"}
        guarantor = {"kind": "third_party", "description": "实际控制人连带责任保证", "owner_name": "实际控制人",
                     "collateral": {"relation": "实际控制人"}}
        pledge = {"kind": "pledge", "description": "应收账款质押", "owner_name": "借款企业",
                  "collateral": {"pledged_item": "对国有企业的应收账款", "certificate_no": "ZD-2025-0088"},
                  "valuation": "3000000.00", "discount_rate": "0.6"}

        # 1. A draft, not yet submitted.
        self.draft(self._customer("上海浦江贸易有限公司"), self.loan, "2000000.00", 12, "采购商品的流动资金",
                   bank=self.bjrcb, counters=[guarantor], category="small_micro")

        # 2. Submitted: waits at acceptance by the branch head.
        p = self.draft(self._customer("王建国"), self.loan, "800000.00", 12, "个体经营周转资金",
                       bank=self.bjrcb, counters=[{**guarantor, "description": "配偶共同还款承诺"}],
                       category="small_micro")
        self.submit(p)

        # 3. At due diligence: accepted, the customer rated, the report in draft.
        p = self.draft(self._customer("北京华信精密机械有限公司"), self.loan, "3000000.00", 12, "购买原材料",
                       bank=self.icbc, counters=[mortgage])
        self.submit(p)
        self.act("wangqiang", p, comment="同意受理")
        self.diligence(p, submit=False)

        # 4. Effective: through a committee meeting held today, fees received, contracts signed, loan confirmed.
        effective = self.draft(self._customer("北京绿源农业科技有限公司"), self.loan, "6000000.00", 24,
                               "扩大种植基地的流动资金", bank=self.icbc, counters=[mortgage, guarantor])
        self.submit(effective)
        self.to_re_review(effective)
        self.act("liuyang", effective, comment="金额超过审保会门槛，提交审保会")
        held = self.meeting([effective], self.today, f"第 {self.today:%Y%m%d}-1 次审保会")
        with self.as_("zhaolei"):
            open_meeting(self.s, self.actors["zhaolei"], held.id)
        for member in MEMBERS[:4]:
            self.act(member, effective, "vote", vote="approve", comment="同意")
        self.act(MEMBERS[4], effective, "vote", vote="approve_with_conditions", comment="追加实际控制人保证")
        with self.as_("zhaolei"):
            export_minutes(self.s, self.actors["zhaolei"], held.id)
        self.act("liuyang", effective, comment="按审保会决议批复")
        self.fee_plan(effective, rate="0.018", frequency="yearly", review_fee="5000.00", margin_rate="0.10",
                      receive=True)
        self.sign_contracts(effective)
        self.meet_conditions(effective)
        self.confirm_loan(effective, f"ICBC-JK-{self.today:%Y}-0001")

        # 5. At the review committee, with a meeting scheduled for the next working day.
        p = self.draft(self._customer("北京建国建材有限公司"), self.loan, "8000000.00", 12, "建材采购流动资金",
                       bank=self.icbc, counters=[mortgage, pledge])
        self.submit(p)
        self.to_re_review(p)
        self.act("liuyang", p, comment="提交审保会")
        self.meeting([p], calendar(self.s).next_working_day(self.today), "审保会（待开）")

        # 6. Approved, with a fee plan (bid guarantee: no bank, no counter-guarantee needed).
        p = self.draft(self._customer("北京城建路桥工程有限公司"), self.bid, "2000000.00", 6,
                       "市政道路改造工程投标保函", category="other", beneficiary_name="北京市公共资源交易中心",
                       underlying_contract="某区市政道路改造工程施工招标（JGZB-2026-031）")
        self.submit(p)
        self.approve(p)
        self.fee_plan(p, rate="0.005", frequency="once", review_fee="0", margin_rate="0.20", receive=False)

        # 7. Contracted: fees received, contracts generated and signed on paper.
        p = self.draft(self._customer("北京恒通物流有限公司"), self.loan, "4000000.00", 12, "购置运输车辆",
                       bank=self.bjrcb, counters=[pledge, guarantor])
        self.submit(p)
        self.approve(p)
        self.fee_plan(p, rate="0.02", frequency="quarterly", review_fee="3000.00", margin_rate="0.05", receive=True)
        self.sign_contracts(p)

        # 8. Rejected at the preliminary review.
        p = self.draft(self._customer("北京速达电子商务有限公司"), self.loan, "1500000.00", 12, "平台推广费用",
                       bank=self.bjrcb, counters=[guarantor])
        self.submit(p)
        self.act("wangqiang", p, comment="同意受理")
        self.diligence(p, submit=True)
        self.act("zhangwei", p, comment="尽调完成")
        self.act("chenjing", p, "reject", comment="连续亏损，反担保不足")

        # 9. Withdrawn by the customer manager after submission.
        p = self.draft(self._customer("李秀英"), self.loan, "500000.00", 12, "个体门店装修",
                       bank=self.bjrcb, counters=[guarantor])
        self.submit(p)
        with self.as_("zhangwei"):
            withdraw_application(self.s, self.actors["zhangwei"], p.id, comment="客户资金已自筹，撤回申请")

        self.after_effect(effective, mortgage, guarantor, pledge)

    # ------------------------------------------------------------ part 2: after the guarantee took effect -----------

    def effective(self, customer, amount: str, purpose: str, counters, contract_no: str, *, bank=None):
        """A loan guarantee taken all the way to effective (approval without the committee, fees, contracts)."""
        p = self.draft(customer, self.loan, amount, 12, purpose, bank=bank or self.bjrcb, counters=counters)
        self.submit(p)
        self.approve(p)
        self.fee_plan(p, rate="0.018", frequency="once", review_fee="2000.00", margin_rate="0.10", receive=True)
        self.sign_contracts(p)
        self.confirm_loan(p, contract_no)
        return p

    def compensate(self, project, amount: str, notes: str):
        """The bank's claim, reviewed by risk and approved by the executive, then paid: the open receivable."""

        with self.as_("sunli"):
            claim = compensation.claim(self.s, self.actors["sunli"], project.id, amount=amount, notes=notes)
        self.act("chenjing", project, instance_id=claim.workflow_instance_id, comment="代偿条件成立")
        self.act("liuyang", project, instance_id=claim.workflow_instance_id, comment="同意代偿")
        with self.as_("sunli"):
            return compensation.pay(self.s, self.actors["sunli"], claim.id)  # the claim less the bank's share

    def after_effect(self, effective, mortgage, guarantor, pledge) -> None:
        """Part 2: an inspection of the effective project; one project released (repaid, margin refunded); one in
        recovery after a compensation; one whose remaining loss was written off."""

        with self.as_("zhangwei"):
            inspections.record_inspection(self.s, self.actors["zhangwei"], effective.id, conclusion="normal",
                                          findings="实地走访，经营正常，抵押物状况良好。")

        # 10. Released: the loan repaid in full, the release requested (申请解保) and approved (manager A, then the
        # risk officer), which released the guarantee and refunded the margin.
        done = self.effective(self._customer("北京恒通物流有限公司"), "1200000.00", "短期周转资金",
                              [pledge], f"BJRCB-JK-{self.today:%Y}-0101")
        with self.as_("sunli"):
            release.record_repayment(self.s, self.actors["sunli"], done.id, done.in_force_balance,
                                     reference="银行还款通知 HK-0101")
            request = release.request_release(self.s, self.actors["sunli"], done.id, kind="full",
                                              note="贷款结清，解除保证责任")
        self.act("zhangwei", done, instance_id=request.workflow_instance_id, comment="已核对银行结清证明")
        self.act("chenjing", done, instance_id=request.workflow_instance_id, comment="同意解保")

        # 11. In recovery: the borrower defaulted, the company paid the bank, part is recovered, a lawsuit is filed.
        p = self.effective(self._customer("北京速达电子商务有限公司", "北京华信精密机械有限公司"), "2000000.00",
                           "平台备货资金", [guarantor], f"BJRCB-JK-{self.today:%Y}-0102")
        self.in_recovery = p
        rec = self.compensate(p, "1500000.00", "银行代偿通知书 DC-0102：借款人逾期 90 天")
        with self.as_("chenjing"):
            compensation.record_recovery(self.s, self.actors["chenjing"], rec.id, kind="negotiation",
                                         amount="300000.00", notes="与借款人协商，分期归还首期款项")
            compensation.record_recovery(self.s, self.actors["chenjing"], rec.id, kind="lawsuit",
                                         notes="已向朝阳区人民法院提起诉讼")

        # 12. Written off: the collateral sold, the rest written off as a loss after approval.
        p = self.effective(self._customer("北京绿源农业科技有限公司"), "900000.00", "农资采购",
                           [mortgage], f"BJRCB-JK-{self.today:%Y}-0103")
        rec = self.compensate(p, "900000.00", "银行代偿通知书 DC-0103")
        with self.as_("chenjing"):
            compensation.record_recovery(self.s, self.actors["chenjing"], rec.id, kind="collateral_disposal",
                                         amount="650000.00", notes="抵押物司法拍卖所得")
            rec = compensation.propose_write_off(self.s, self.actors["chenjing"], rec.id,
                                                 reason="借款人已注销，保证人无可执行财产")
        self.act("liuyang", p, instance_id=rec.write_off_instance_id, comment="同意核销")

        self.monitoring(effective)
        self.portal_user()

    def monitoring(self, effective) -> None:
        """The in-recovery project: the bank's overdue report (a warning waits in the risk officer's inbox) and its
        classification moved to 次级 through the approval; the effective project: 关注 proposed, awaiting the head."""

        p = self.in_recovery
        with self.as_("zhangwei"):
            early_warnings.record_overdue(self.s, self.actors["zhangwei"], p.id, overdue_principal="500000.00",
                                          overdue_interest="18500.00", days_past_due=95,
                                          notes="银行逾期通知：本金及利息逾期 95 天")
        self.s.refresh(p)
        if p.risk_class != "substandard":  # the compensation paid on it raised it already (warnings.classification)
            with self.as_("chenjing"):
                change = classification.propose_change(self.s, self.actors["chenjing"], p.id, to_class="substandard",
                                                       reason="逾期超过 90 天，已代偿")
            self.act("wangqiang", p, instance_id=change.workflow_instance_id, comment="同意调整")
            self.act("liuyang", p, instance_id=change.workflow_instance_id, comment="同意调整为次级")
        with self.as_("chenjing"):
            classification.propose_change(self.s, self.actors["chenjing"], effective.id, to_class="special_mention",
                                          reason="行业景气度下降，建议关注")

    def portal_user(self) -> None:
        """A self-service user for one corporate customer, with the staff's password."""

        customer = self._customer("北京华信精密机械有限公司")
        with self.as_("zhangwei"):
            portal.create_portal_user(self.s, self.actors["zhangwei"], customer[0], username="huaxin",
                                      password=self.password, display_name="华信精密（客户自助）")
        platform_demo.keep_credentials(f"tenant: {self.tenant.slug}  portal: huaxin  password: {self.password}")
