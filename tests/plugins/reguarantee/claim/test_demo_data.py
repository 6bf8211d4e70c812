"""The demo bills, claims and recoveries (claim/demo_data.py) on top of the plugin's demo partners, agreements and
filings: a bill per partner in cooperation for each of the two last ended quarters (more than ten), twelve claims in
every state, a recovery settled and one reported; a second run adds nothing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.claim.demo_data import add_demo_claims
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim, ReguaranteeRecovery
from surety.plugins.reguarantee.demo import add_demo_reguarantee
from surety.plugins.reguarantee.filing import fees
from surety.plugins.reguarantee.filing.models import ReguaranteeFeeBill, ReguaranteeFiling

COUNTED = (ReguaranteeFeeBill, ReguaranteeClaim, ReguaranteeRecovery, ReguaranteeFiling)


def _counts(s) -> dict:
    return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in COUNTED}


def test_the_demo_bills_claims_and_recoveries(rw):
    with rw.session() as s:
        add_demo_reguarantee(s, rw.tenant)
        add_demo_claims(s, rw.tenant)
    with rw.session() as s:
        bills = s.scalars(select(ReguaranteeFeeBill)).all()
        last = fees.last_ended_period(business_today(), "quarter")
        periods = {last.code, fees.last_ended_period(last.start, "quarter").code}
        assert len(bills) == 20 and {b.period for b in bills} == periods  # ten partners in cooperation, two quarters
        assert all(b.amount > 0 and b.status == "issued" for b in bills)
        claims = s.scalars(select(ReguaranteeClaim)).all()
        assert Counter(c.status for c in claims) == {"in_review": 3, "approved": 2, "rejected": 2, "paid": 5}
        assert all(c.workflow_instance_id is not None for c in claims if c.status == "in_review")
        filings = {f.id: f for f in s.scalars(select(ReguaranteeFiling))}
        assert all(filings[c.filing_id].status == "compensated" for c in claims)
        assert sorted(r.status for r in s.scalars(select(ReguaranteeRecovery))) == ["reported", "settled"]
        before = _counts(s)
    with rw.session() as s:
        add_demo_claims(s, rw.tenant)
    with rw.session() as s:
        assert _counts(s) == before
