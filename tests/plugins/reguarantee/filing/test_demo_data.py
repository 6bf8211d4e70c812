"""The demo filings: six per active agreement of a partner in cooperation (ten agreements: sixty filings, more than
ten for the filings connection), filed through the service by the demo filer in one batch per agreement and decided
by the admin (most confirmed, some returned, released and compensated, one per batch awaiting confirmation); the
lines and caps hold; a second run adds nothing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from surety.core.identity.models import User
from surety.plugins.reguarantee.demo import add_demo_reguarantee
from surety.plugins.reguarantee.filing.checks import id_card_ok
from surety.plugins.reguarantee.filing.demo_data import add_demo_filings, demo_id_card
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling, ReguaranteeFilingBatch


def test_the_demo_filings_and_a_second_run_adds_nothing(rw):
    assert all(id_card_ok(demo_id_card(n)) for n in range(1, 200))
    with rw.session() as s:
        add_demo_reguarantee(s, rw.tenant)
        add_demo_filings(s, rw.tenant)
    with rw.session() as s:
        filings = list(s.scalars(select(ReguaranteeFiling)))
        assert len(filings) == 60 and s.scalar(select(func.count()).select_from(ReguaranteeFilingBatch)) == 10
        assert Counter(f.status for f in filings) == {"confirmed": 43, "filed": 10, "rejected": 4, "released": 1,
                                                     "compensated": 2}
        filer = s.scalar(select(User.id).where(User.username == "qianrui"))
        admin = s.scalar(select(User.id).where(User.username == "admin"))
        assert {f.created_by for f in filings} == {filer}
        assert {f.confirmed_by for f in filings if f.status == "confirmed"} == {admin}
        assert Counter(f.customer_kind for f in filings) == {"enterprise": 48, "farmer": 12}
    with rw.session() as s:
        add_demo_filings(s, rw.tenant)
        assert s.scalar(select(func.count()).select_from(ReguaranteeFiling)) == 60
