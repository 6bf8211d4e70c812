"""Demo data of the ``microloan`` plugin (``surety demo``): a small loan book that fills the ledger and the dashboard.

Added to the demo tenant (every installed plugin is enabled there, microloan after customers):

- two customer managers of the microloan business, ``zhoujie`` and ``wuhui`` (one generated password, printed and
  appended to ``var/demo-credentials.txt`` like the other demo staff);
- two products through the product service: ``DEMO-XF`` 个人消费贷 (等额本息, 18 %) and ``DEMO-JY`` 小微经营贷
  (先息后本, 9.6 %);
- three corporate borrowers through the customers door (``ensure_demo_corporates``); consumer loans go to the
  customers demo's individuals (corporates when there are none);
- twelve loans dated from the business date, with their schedules booked (``testing.make_loan``) and the state a
  day-end would leave: four current, one disbursed this month, overdue 15, 100, 300 and 400 days (classed 关注,
  次级, 可疑 and 损失 by the tenant's class days, provisions at its rates, penalty interest accrued at the contract
  rate x (1 + uplift) on each overdue installment), two settled (one early) and one written off with a recovery.

Idempotent: the consumer product's code marks the data as present, and a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import Actor, acting
from surety.core.db.types import to_money
from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.ports import customers as door
from surety.core.ports.customers import DemoCorporate
from surety.core.workflow.engine import business_today
from surety.plugins.microloan.collection import cases as collection_cases
from surety.plugins.microloan.conventions import RISK_CLASSES
from surety.plugins.microloan.loan.book import installments, loan_terms
from surety.plugins.microloan.product import services as products
from surety.plugins.microloan.product.models import MicroloanProduct
from surety.plugins.microloan.schedule.daycount import add_months
from surety.plugins.microloan.settings import get_settings
from surety.plugins.microloan.testing import make_loan
from surety.tenants import demo as platform_demo

CONSUMER_CODE, BUSINESS_CODE = "DEMO-XF", "DEMO-JY"
#: username -> display name (role customer_manager).
STAFF = {"zhoujie": "周杰（小贷客户经理）", "wuhui": "吴慧（小贷客户经理）"}
#: Corporate borrowers: name -> (credit-code seq, industry, size).
CORPORATES = {
    "北京鑫旺餐饮管理有限公司": (401, "H62", "micro"),
    "北京顺达汽车维修有限公司": (402, "O81", "micro"),
    "北京佳禾五金制品有限公司": (403, "C33", "small"),
}


@dataclass(frozen=True)
class DemoLoan:
    """One demo loan: kind (consumer / business), amount, term, months since disbursement (of the due date to be
    overdue on), days past due, and its end (None: on the books; ``settled``, ``early``, ``written_off``)."""

    kind: str
    amount: str
    term: int
    months: int
    days_past_due: int = 0
    manager: str = "zhoujie"
    end: str | None = None


LOANS = (
    DemoLoan("consumer", "50000.00", 12, 2),
    DemoLoan("consumer", "30000.00", 6, 1, manager="wuhui"),
    DemoLoan("business", "500000.00", 12, 3),
    DemoLoan("business", "1000000.00", 24, 0, manager="wuhui"),
    DemoLoan("consumer", "50000.00", 12, 5, manager="wuhui"),
    DemoLoan("consumer", "80000.00", 12, 4, 15),
    DemoLoan("business", "300000.00", 12, 5, 100, manager="wuhui"),
    DemoLoan("consumer", "60000.00", 12, 3, 300),
    DemoLoan("business", "200000.00", 12, 3, 400, manager="wuhui"),
    DemoLoan("consumer", "20000.00", 6, 8, end="settled"),
    DemoLoan("business", "150000.00", 12, 7, end="early", manager="wuhui"),
    DemoLoan("business", "400000.00", 12, 4, 500, end="written_off"),
)
RECOVERED = Decimal("30000.00")
PURPOSES = {"consumer": "日常消费", "business": "流动资金周转"}


def add_demo_microloans(session: Session, tenant) -> None:
    """Add the demo loan book to ``tenant`` (the demo tenant, customers demo already run). Idempotent."""
    if session.scalar(select(MicroloanProduct.id).where(MicroloanProduct.code == CONSUMER_CODE)) is not None:
        return
    admin = session.scalar(select(User).where(User.username == "admin"))
    if admin is None:
        return
    _Demo(session, tenant, user_actor(admin)).build()


class _Demo:
    def __init__(self, session: Session, tenant, admin: Actor) -> None:
        self.s, self.tenant, self.admin = session, tenant, admin
        self.today = business_today()
        self.settings = get_settings(session)

    def build(self) -> None:
        managers = self.staff()
        with acting(self.admin):
            consumer = products.create_product(self.s, self.admin, {
                "code": CONSUMER_CODE, "name": "个人消费贷", "min_amount": "1000.00", "max_amount": "200000.00",
                "max_term_months": 24, "annual_rate": "0.18", "repayment_method": "equal_installment"})
            business = products.create_product(self.s, self.admin, {
                "code": BUSINESS_CODE, "name": "小微经营贷", "min_amount": "50000.00",
                "max_amount": "3000000.00", "max_term_months": 36, "annual_rate": "0.096",
                "repayment_method": "interest_first"})
            found = door.ensure_demo_corporates(self.s, self.admin, [
                DemoCorporate(name, seq, {"industry": industry, "region": "110105", "size": size,
                                          "tags": ["小贷客户"]})
                for name, (seq, industry, size) in CORPORATES.items()])
        corporates = [found[n]["id"] for n in CORPORATES if n in found]
        individuals = [c["id"] for c in found.values() if c["kind"] == "individual"] or corporates
        borrowers = {"consumer": individuals, "business": corporates}
        for n, spec in enumerate(LOANS, start=1):
            pool = borrowers[spec.kind]
            self.loan(n, spec, consumer if spec.kind == "consumer" else business, pool[n % len(pool)],
                      managers[spec.manager])
        # The overdue loans are in collection as the day-end would have put them: a case per loan at its stage.
        collection_cases.sync_cases(self.s, self.today)

    def staff(self) -> dict[str, User]:
        password, added, users = platform_demo.password(), [], {}
        for username, name in STAFF.items():
            user = self.s.scalar(select(User).where(User.username == username))
            if user is None:
                user = create_user(self.s, username=username, password=password, display_name=name,
                                   roles=["customer_manager"], email=f"{username}@demo.example.com")
                added.append(username)
            users[username] = user
        if added:
            platform_demo.keep_credentials(
                f"tenant: {self.tenant.slug}  microloan staff: {', '.join(added)}  password: {password}")
        return users

    def loan(self, n: int, spec: DemoLoan, product: MicroloanProduct, customer_id: uuid.UUID, manager: User) -> None:
        """Disburse, then bring the loan to the state its spec describes as of today."""
        # The installment due ``months`` after disbursement falls ``days_past_due`` days before today; a loan with no
        # days past due was disbursed ``months`` months (and a few days) ago.
        anchor = self.today - dt.timedelta(days=spec.days_past_due or 3)
        disbursed = add_months(anchor, -spec.months) if spec.months else self.today - dt.timedelta(days=3)
        loan = make_loan(self.s, product, customer_id=customer_id, amount=spec.amount, term_months=spec.term,
                         disbursed_on=disbursed, kind=spec.kind, manager_id=manager.id, created_by=manager.id,
                         department_id=manager.org_unit_id, purpose=PURPOSES[spec.kind])
        loan.loan_no = f"XD-{disbursed.year}-{n:06d}"
        terms = loan_terms(self.s, loan)
        rows = installments(self.s, loan)
        end = self.today - dt.timedelta(days=30) if spec.end == "early" else self.today
        penalty_rate = terms.annual_rate * (1 + terms.penalty_uplift) / 360
        paid_until = anchor if spec.days_past_due else self.today
        for row in rows:
            if row.due_date < paid_until or (spec.end in ("settled", "early") and row.due_date <= end):
                row.paid_principal, row.paid_interest, row.paid_fee = row.principal, row.interest, row.fee
                row.settled_on = row.due_date
            elif spec.end == "early":
                row.paid_principal, row.settled_on = row.principal, end
            elif row.due_date <= self.today:
                row.penalty = to_money((row.principal + row.interest) * penalty_rate * (self.today - row.due_date).days)
        loan.principal_balance = sum((r.principal - r.paid_principal for r in rows), Decimal("0.00"))
        loan.accrued_interest = sum((r.interest for r in rows if r.due_date <= self.today), Decimal("0.00"))
        loan.accrued_to = self.today
        unpaid = [r for r in rows if r.settled_on is None and r.due_date <= self.today]
        loan.penalty_balance = sum((r.penalty for r in unpaid), Decimal("0.00"))
        if unpaid:
            loan.overdue_since = unpaid[0].due_date
            loan.days_past_due = (self.today - unpaid[0].due_date).days
        loan.risk_class = self.risk_class(loan.days_past_due)
        if spec.end in ("settled", "early"):
            loan.status, loan.settled_on = "settled", end
        elif spec.end == "written_off":
            loan.status, loan.written_off_on = "written_off", self.today - dt.timedelta(days=60)
            loan.written_off_principal, loan.principal_balance = loan.principal_balance, Decimal("0.00")
            loan.written_off_interest = sum((r.interest - r.paid_interest for r in unpaid), Decimal("0.00"))
            loan.penalty_balance, loan.recovered_amount = Decimal("0.00"), RECOVERED
        else:
            rate = Decimal(str(self.settings.provision_rates.get(loan.risk_class, "0")))
            loan.provision = to_money(loan.principal_balance * rate)
        self.s.flush()

    def risk_class(self, days_past_due: int) -> str:
        """The class the tenant's class days give ``days_past_due`` (正常 below the first)."""
        found = "normal"
        for key in RISK_CLASSES:
            start = self.settings.class_days.get(key)
            if start is not None and days_past_due >= int(start):
                found = key
        return found
