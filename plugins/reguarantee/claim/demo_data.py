"""Demo fee bills, compensation claims and recoveries (``add_demo_claims``, called by the plugin's demo after the
partners, agreements and filings):

- every active agreement without a confirmed filing in force in the last ended billing period gets one (written
  directly, testing.make_filing), then that period is billed through filing/fees.py: a bill per partner;
- twelve filings of 100万 to 500万 with cover 0.8 ended by compensation, each with a claim: three submitted through
  claim/services.py (in review, the 受理 step open), the others written directly with the review's outcome (no
  workflow, as the partners' admissions of the demo): two approved, two rejected, five paid through
  claim/services.pay_claim (raising ReguaranteeClaimPaid);
- on the first paid claim a recovery reported and settled, on the second one reported.

Idempotent: a claim present means the data is there, and a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import acting
from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.claim import recoveries, services
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim
from surety.plugins.reguarantee.filing import fees
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.filing.numbering import take_numbers
from surety.plugins.reguarantee.settings import get_settings
from surety.plugins.reguarantee.testing import make_filing

#: The demo claims' customers, one per claim.
CUSTOMERS = ("江宁精工机械有限公司", "溧水绿源农业合作社", "高淳湖蟹养殖场", "句容茶叶专业合作社",
             "宜兴紫砂工艺有限公司", "沛县食品加工有限公司", "如皋花木种植有限公司", "苏州微电子科技有限公司",
             "南京云帆软件有限公司", "镇江香醋酿造有限公司", "无锡纺织印染有限公司", "徐州建材贸易有限公司")
#: Outcome of each demo claim, in order: submitted (review running), approved, rejected, paid.
OUTCOMES = ("submitted",) * 3 + ("approved",) * 2 + ("rejected",) * 2 + ("paid",) * 5


def _ensure_in_force(session: Session, agreements: list[ReguaranteeAgreement], period: fees.Period) -> None:
    f = ReguaranteeFiling
    covered = set(session.scalars(select(f.agreement_id).where(
        f.status == "confirmed", f.start_date <= period.end, f.end_date > period.start)))
    for n, a in enumerate(agreements):
        if a.id not in covered:
            make_filing(session, a, amount=f"{3000000 + 1000000 * (n % 4)}.00",
                        start_date=period.start - dt.timedelta(days=120 + 7 * n),
                        end_date=period.start + dt.timedelta(days=245 - 7 * n))


def _direct(session: Session, filing: ReguaranteeFiling, outcome: str, compensated_on: dt.date,
            unpaid: Decimal) -> ReguaranteeClaim:
    """A claim with the review's outcome written directly (and its filing released by compensation)."""
    filing.status, filing.released_on, filing.release_kind = "compensated", compensated_on, "compensation"
    figures = services.claim_figures(unpaid, filing.cover_ratio, unpaid + Decimal("50000.00"),
                                     filing.share_reguarantor, filing.guarantee_amount)
    (claim_no,) = take_numbers(session, services.CLAIM_PATTERN, business_today(), 1)
    claim = ReguaranteeClaim(
        claim_no=claim_no, filing_id=filing.id, partner_id=filing.partner_id,
        compensated_on=compensated_on, compensated_amount=unpaid + Decimal("50000.00"), unpaid_principal=unpaid,
        covered_base=figures.covered_base, claim_amount=figures.claim,
        approved_amount=figures.claim if outcome != "rejected" else None,
        status="approved" if outcome == "paid" else outcome,
        remarks="演示数据：审批意见 资料不全，不予补偿" if outcome == "rejected" else "演示数据")
    session.add(claim)
    session.flush()
    return claim


def add_demo_claims(session: Session, tenant) -> None:
    """The demo bills, claims and recoveries (see the module docstring); nothing when a claim exists."""
    if session.scalar(select(ReguaranteeClaim.id).limit(1)) is not None:
        return
    admin = user_actor(session.scalar(select(User).where(User.username == "admin")))
    today = business_today()
    period = fees.last_ended_period(today, get_settings(session).fee_bill_period)
    agreements = list(session.scalars(select(ReguaranteeAgreement).where(ReguaranteeAgreement.status == "active")
                                      .order_by(ReguaranteeAgreement.agreement_no)))
    if not agreements:
        return
    with acting(admin):
        _ensure_in_force(session, agreements, period)
        fees.bill_period(session, admin, period.code, on=today)
        paid = []
        for n, (name, outcome) in enumerate(zip(CUSTOMERS, OUTCOMES, strict=True)):
            agreement = agreements[n % len(agreements)]
            amount = Decimal(1000000 * (n % 5 + 1))
            filing = make_filing(session, agreement, amount=f"{amount}.00", cover_ratio=Decimal("0.8"),
                                 customer_name=name, start_date=today - dt.timedelta(days=300 + 5 * n),
                                 end_date=today + dt.timedelta(days=65 + 5 * n))
            compensated_on = today - dt.timedelta(days=40 - 2 * n)
            unpaid = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
            if outcome == "submitted":
                services.submit_claim(session, admin, filing.id, {
                    "compensated_on": compensated_on, "compensated_amount": unpaid + Decimal("50000.00"),
                    "unpaid_principal": unpaid, "remarks": "演示数据"})
                continue
            claim = _direct(session, filing, outcome, compensated_on, unpaid)
            if outcome == "paid":
                paid.append(services.pay_claim(session, admin, claim.id, paid_on=compensated_on
                                               + dt.timedelta(days=10)))
        first = recoveries.report_recovery(session, admin, paid[0].id, "300000.00",
                                           paid[0].paid_on + dt.timedelta(days=5))
        recoveries.settle_recovery(session, admin, first.id, first.recovered_on + dt.timedelta(days=3))
        recoveries.report_recovery(session, admin, paid[1].id, "150000.00", paid[1].paid_on + dt.timedelta(days=4))
    session.flush()
