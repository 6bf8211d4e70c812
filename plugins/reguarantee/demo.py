"""Demo data of the ``reguarantee`` plugin (``surety demo``): the partners and agreements of a provincial
re-guarantor.

Added to the demo tenant (after customers):

- twelve partner institutions created through the partner service (two banks, two city and eight county guarantee
  companies of Jiangsu), ten of them admitted (合作中: written directly, no admission workflow), one suspended with
  its reason and one still applying;
- one agreement per partner through the agreement service, under the three default programmes (标准业务 for most,
  科技创新 and 民间投资 for some), with the eligibility rules of the issue (scope in 小微/三农, debt ratio <= 0.70);
  the admitted partners' agreements activated, the applicant's left in draft, and one older agreement expired;
- an evaluation of each admitted partner for the last year.

Idempotent: the first bank's credit code marks the data as present, and a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surety.core.context import acting
from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.agreement import services as agreements
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.claim.demo_data import add_demo_claims
from surety.plugins.reguarantee.filing.demo_data import add_demo_filings
from surety.plugins.reguarantee.monitor.demo_data import add_demo_monitoring
from surety.plugins.reguarantee.partner import services as partners
from surety.plugins.reguarantee.partner.models import ReguaranteePartner
from surety.plugins.reguarantee.testing import make_credit_code, programme

#: name -> (kind, region, registered capital in yuan, programme code, demo status).
PARTNERS = {
    "江苏银行股份有限公司南京分行": ("bank", "江苏省南京市", None, "standard", "active"),
    "南京银行股份有限公司江宁支行": ("bank", "江苏省南京市江宁区", None, "standard", "active"),
    "南京市融资担保有限公司": ("guarantee_city", "江苏省南京市", "1000000000.00", "standard", "active"),
    "苏州市科技融资担保有限公司": ("guarantee_city", "江苏省苏州市", "800000000.00", "tech_innovation", "active"),
    "溧水区融资担保有限公司": ("guarantee_county", "江苏省南京市溧水区", "200000000.00", "standard", "active"),
    "高淳区农业融资担保有限公司": ("guarantee_county", "江苏省南京市高淳区", "150000000.00", "standard", "active"),
    "句容市融资担保有限公司": ("guarantee_county", "江苏省镇江市句容市", "120000000.00", "private_investment",
                        "active"),
    "宜兴市融资担保有限公司": ("guarantee_county", "江苏省无锡市宜兴市", "300000000.00", "tech_innovation", "active"),
    "沛县融资担保有限公司": ("guarantee_county", "江苏省徐州市沛县", "100000000.00", "standard", "active"),
    "如皋市融资担保有限公司": ("guarantee_county", "江苏省南通市如皋市", "180000000.00", "private_investment",
                        "active"),
    "泗洪县融资担保有限公司": ("guarantee_county", "江苏省宿迁市泗洪县", "80000000.00", "standard", "suspended"),
    "灌南县融资担保有限公司": ("guarantee_county", "江苏省连云港市灌南县", "60000000.00", "standard", "applying"),
}
#: The eligibility rules of every demo agreement.
RULES = [
    {"field": "scope", "op": "in", "value": ["小微", "三农"], "message": "服务对象须为小微企业或三农主体（支小支农）"},
    {"field": "debt_ratio", "op": "<=", "value": "0.70", "message": "被担保人资产负债率须不高于 70%"},
]
FIRST_SEQ = 7001


def add_demo_reguarantee(session: Session, tenant) -> None:
    """The demo partners, agreements and evaluations (see the module docstring); nothing when already there."""
    if session.scalar(select(ReguaranteePartner.id).where(
            ReguaranteePartner.credit_code == make_credit_code(FIRST_SEQ))) is not None:
        return
    admin = user_actor(session.scalar(select(User).where(User.username == "admin")))
    today = business_today()
    year_start = dt.date(today.year, 1, 1)
    with acting(admin):
        for n, (name, (kind, region, capital, code, status)) in enumerate(PARTNERS.items()):
            partner = partners.create_partner(session, admin, {
                "name": name, "kind": kind, "credit_code": make_credit_code(FIRST_SEQ + n), "region": region,
                "registered_capital": None if capital is None else Decimal(capital),
                "contact_name": "王经理", "contact_phone": f"1390000{7001 + n:04d}"})
            if status != "applying":
                partner.status, partner.admitted_on = "active", year_start
            agreement = agreements.create_agreement(session, admin, {
                "agreement_no": f"ZDB-{today.year}-{n + 1:03d}", "partner_id": partner.id,
                "programme_id": programme(session, code).id,
                "line_amount": Decimal("50000000.00") * (3 if kind != "guarantee_county" else 1),
                "valid_from": year_start, "valid_to": dt.date(today.year + 2, 12, 31), "eligibility_rules": RULES})
            if status != "applying":
                agreements.activate_agreement(session, admin, agreement.id, today=today)
                partners.record_evaluation(session, admin, partner.id, str(today.year - 1), Decimal(70 + n * 2),
                                           "年度评价：业务合规，代偿率在阈值内", today)
            if status == "suspended":
                partners.change_status(session, admin, partner.id, "suspend", "代偿率超过预警阈值，暂停新增备案")
        # An agreement of the first city company that ended last year.
        first_city = session.scalar(select(ReguaranteePartner).where(ReguaranteePartner.kind == "guarantee_city")
                                    .order_by(ReguaranteePartner.credit_code))
        old = agreements.create_agreement(session, admin, {
            "agreement_no": f"ZDB-{today.year - 3}-001", "partner_id": first_city.id,
            "programme_id": programme(session, "standard").id, "line_amount": Decimal("100000000.00"),
            "valid_from": dt.date(today.year - 3, 1, 1), "valid_to": dt.date(today.year - 1, 12, 31)})
        session.execute(update(ReguaranteeAgreement).where(ReguaranteeAgreement.id == old.id)
                        .values(status="expired"))
    session.flush()


def add_demo(session: Session, tenant) -> None:
    """Every area's demo data in order: partners and agreements, filings, fee bills and claims, monitoring."""
    add_demo_reguarantee(session, tenant)
    add_demo_filings(session, tenant)
    add_demo_claims(session, tenant)
    add_demo_monitoring(session, tenant)
