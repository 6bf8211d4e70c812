"""The re-guarantee demo data (``surety demo``): twelve partners (two banks, two city and eight county guarantee
companies) with an agreement each under the three programmes plus an expired one, evaluations of the admitted
partners; every connection of the plugin has more than ten rows; a second run adds nothing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement, ReguaranteeProgramme
from surety.plugins.reguarantee.demo import PARTNERS, add_demo_reguarantee
from surety.plugins.reguarantee.partner.models import ReguaranteePartner, ReguaranteePartnerEvaluation

COUNTED = (ReguaranteePartner, ReguaranteePartnerEvaluation, ReguaranteeAgreement, ReguaranteeProgramme)


def _counts(s) -> dict:
    return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in COUNTED}


def test_the_demo_partners_and_agreements_and_a_second_run_adds_nothing(rw):
    with rw.session() as s:
        add_demo_reguarantee(s, rw.tenant)
    with rw.session() as s:
        partners = list(s.scalars(select(ReguaranteePartner)))
        assert len(partners) == len(PARTNERS) == 12
        assert Counter(p.kind for p in partners) == {"bank": 2, "guarantee_city": 2, "guarantee_county": 8}
        assert Counter(p.status for p in partners) == {"active": 10, "suspended": 1, "applying": 1}
        agreements = list(s.scalars(select(ReguaranteeAgreement)))
        assert len(agreements) == 13
        assert Counter(a.status for a in agreements) == {"active": 11, "draft": 1, "expired": 1}
        codes = dict(s.execute(select(ReguaranteeProgramme.id, ReguaranteeProgramme.code)).all())
        assert {codes[a.programme_id] for a in agreements} == {"standard", "tech_innovation", "private_investment"}
        assert all(a.eligibility_rules for a in agreements if a.status != "expired")
        assert s.scalar(select(func.count()).select_from(ReguaranteePartnerEvaluation)) == 11
        before = _counts(s)
    with rw.session() as s:
        add_demo_reguarantee(s, rw.tenant)
    with rw.session() as s:
        assert _counts(s) == before
