"""Demo fee bills, compensation claims and recoveries (``add_demo_claims``, called by the plugin's demo after the
partners, agreements and filings; it adds the demo filings itself when there are none, filing/demo_data.py):

- one more filing per active agreement of a partner in cooperation, started about 200 days ago (so the two last
  ended quarters have something to bill), filed through the filing service by the demo filer and confirmed by the
  admin; then the two last ended billing periods billed through filing/fees.py: a bill per partner and period;
- twelve confirmed filings ended by compensation three days after their start, each with a claim on 60 % of the
  guaranteed amount unpaid: three submitted through claim/services.py (in review, the 受理 step open), the others
  written directly with the review's outcome (no workflow, as the partners' admissions of the demo): two approved,
  two rejected, five paid through claim/services.pay_claim (raising ReguaranteeClaimPaid);
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
from surety.core.validators import uscc_check_char
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.claim import recoveries, services
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim
from surety.plugins.reguarantee.filing import demo_data as filing_demo
from surety.plugins.reguarantee.filing import fees
from surety.plugins.reguarantee.filing import services as filings
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.filing.numbering import take_numbers
from surety.plugins.reguarantee.partner.models import ReguaranteePartner
from surety.plugins.reguarantee.settings import get_settings

#: Outcome of each demo claim, in order of creation: submitted (review running), approved, rejected, paid; mixed so
#: that the newest two (the first page of two) hold a running review and a paid claim.
OUTCOMES = ("paid", "submitted", "approved", "paid", "rejected", "paid", "submitted", "approved", "paid", "rejected",
            "paid", "submitted")
#: The extra filings' customers (one per agreement, cycling).
CUSTOMERS = ("江宁精工机械有限公司", "溧水绿源农业科技有限公司", "高淳湖蟹养殖有限公司", "句容茶叶有限公司",
             "宜兴紫砂工艺有限公司", "沛县食品加工有限公司", "如皋花木种植有限公司", "苏州微电子科技有限公司",
             "南京云帆软件有限公司", "镇江香醋酿造有限公司", "无锡纺织印染有限公司")
FIRST_SEQ = 80_000


def _credit_code(seq: int) -> str:
    first = f"91320500{seq:09d}"
    return first + uscc_check_char(first)


def _row(n: int, start: dt.date) -> dict:
    amount = Decimal(2000000 + 500000 * (n % 4))
    return {"project_ref": f"DC-DEMO-{n:04d}", "loan_contract_no": f"JK-DC-{n:05d}", "customer_name": CUSTOMERS[
            n % len(CUSTOMERS)], "customer_kind": "enterprise", "customer_id_number": _credit_code(FIRST_SEQ + n),
            "scope": "小微", "region": "江苏省南京市", "industry": "制造业", "bank_name": "江苏银行",
            "loan_amount": amount, "guarantee_amount": amount, "loan_rate": Decimal("0.0365"), "start_date": start,
            "end_date": start + dt.timedelta(days=365), "cover_ratio": Decimal("0.8"), "fields": {"debt_ratio": "0.55"}}


def _older_filings(session: Session, admin, today: dt.date) -> None:
    """One filing about 200 days old per active agreement of a partner in cooperation (filer: the demo filer)."""
    filer = user_actor(session.scalar(select(User).where(User.username == filing_demo.FILER[0])))
    agreements = session.scalars(
        select(ReguaranteeAgreement).join(ReguaranteePartner, ReguaranteePartner.id == ReguaranteeAgreement.partner_id)
        .where(ReguaranteeAgreement.status == "active", ReguaranteePartner.status == "active",
               ReguaranteeAgreement.valid_from <= today).order_by(ReguaranteeAgreement.agreement_no)).all()
    for n, agreement in enumerate(agreements):
        start = max(agreement.valid_from, today - dt.timedelta(days=200 + n))
        with acting(filer):
            result = filings.file_batch(session, filer, agreement.id, [_row(n, start)], source="single")
        if not result.ok:  # a demo row the rules refuse is a bug of this module
            raise RuntimeError(f"demo filing refused: {[r.errors('en') for r in result.refused][:1]}")
        with acting(admin):
            filings.confirm_filing(session, admin, result.filing_ids[0])


def _direct(session: Session, filing: ReguaranteeFiling, outcome: str, compensated_on: dt.date,
            unpaid: Decimal) -> ReguaranteeClaim:
    """A claim with the review's outcome written directly (its filing released by compensation first)."""
    if filing.status == "confirmed":
        filing.status, filing.released_on, filing.release_kind = "compensated", compensated_on, "compensation"
    compensated = unpaid + Decimal("50000.00")
    figures = services.claim_figures(unpaid, filing.cover_ratio, compensated, filing.share_reguarantor,
                                     filing.guarantee_amount)
    (claim_no,) = take_numbers(session, services.CLAIM_PATTERN, business_today(), 1)
    claim = ReguaranteeClaim(
        claim_no=claim_no, filing_id=filing.id, partner_id=filing.partner_id, compensated_on=compensated_on,
        compensated_amount=compensated, unpaid_principal=unpaid, covered_base=figures.covered_base,
        claim_amount=figures.claim, approved_amount=figures.claim if outcome != "rejected" else None,
        status="approved" if outcome == "paid" else outcome,
        remarks="演示数据：资料不全，不予补偿" if outcome == "rejected" else "演示数据")
    session.add(claim)
    session.flush()
    return claim


def add_demo_claims(session: Session, tenant) -> None:
    """The demo bills, claims and recoveries (see the module docstring); nothing when a claim exists."""
    if session.scalar(select(ReguaranteeClaim.id).limit(1)) is not None:
        return
    filing_demo.add_demo_filings(session, tenant)
    admin = user_actor(session.scalar(select(User).where(User.username == "admin")))
    today = business_today()
    kind = get_settings(session).fee_bill_period
    last = fees.last_ended_period(today, kind)
    _older_filings(session, admin, today)
    with acting(admin):
        for period in (fees.last_ended_period(last.start, kind), last):
            fees.bill_period(session, admin, period.code, on=today)
        chosen = session.scalars(select(ReguaranteeFiling).where(
            ReguaranteeFiling.status == "confirmed", ReguaranteeFiling.start_date <= today - dt.timedelta(days=20))
            .order_by(ReguaranteeFiling.filing_no).limit(len(OUTCOMES))).all()
        paid = []
        for filing, outcome in zip(chosen, OUTCOMES, strict=False):
            compensated_on = filing.start_date + dt.timedelta(days=3)
            unpaid = (filing.guarantee_amount * Decimal("0.6")).quantize(Decimal("0.01"))
            if outcome == "submitted":
                services.submit_claim(session, admin, filing.id, {
                    "compensated_on": compensated_on, "compensated_amount": unpaid + Decimal("50000.00"),
                    "unpaid_principal": unpaid, "remarks": "演示数据"})
                continue
            claim = _direct(session, filing, outcome, compensated_on, unpaid)
            if outcome == "paid":
                paid.append(services.pay_claim(session, admin, claim.id,
                                               paid_on=compensated_on + dt.timedelta(days=5)))
        if len(paid) >= 2:
            first = recoveries.report_recovery(session, admin, paid[0].id, "300000.00",
                                               paid[0].paid_on + dt.timedelta(days=3))
            recoveries.settle_recovery(session, admin, first.id, first.recovered_on + dt.timedelta(days=3))
            recoveries.report_recovery(session, admin, paid[1].id, "150000.00",
                                       paid[1].paid_on + dt.timedelta(days=2))
    session.flush()
