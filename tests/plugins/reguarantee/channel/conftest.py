"""Fixtures of the filing channel tests: three tenants on one deployment. ``receiver`` is a re-guarantor
(customers + reguarantee, the parent conftest's ``rw``) with a partner in cooperation and its active agreement;
``sender`` is a guarantee company (customers + guarantee + reguarantee) with effective guarantee projects; ``third``
is another re-guarantor that takes part in nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from surety.core.testing import TenantWorld
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate, make_uscc
from surety.plugins.guarantee.testing import make_bank, make_project
from surety.plugins.reguarantee.testing import make_agreement, make_partner

SENDER_PEOPLE = {"mgr": "customer_manager", "viewer": "read_only"}
LOAN_START, LOAN_END = dt.date(2026, 6, 1), dt.date(2027, 5, 31)


@dataclass
class Channel:
    """The three worlds, the receiver's partner and agreement, and the sender's projects (id -> credit code)."""

    receiver: TenantWorld
    sender: TenantWorld
    third: TenantWorld
    partner_id: object = None
    agreement_id: object = None
    agreement_no: str = ""
    projects: dict = field(default_factory=dict)

    def new_project(self, n: int, amount: str = "3000000.00", status: str = "effective"):
        """An effective project of the sender led by ``mgr`` for a new corporate customer (number ``n``); its id."""
        code = make_uscc(1000 + n, region="320100")
        with self.sender.acting("mgr") as (s, a):
            customer = create_customer(s, a, "corporate", corporate(1000 + n, name=f"南京测试制造有限公司{n}",
                                                                    credit_code=code, region="320100"))
            bank, _ = make_bank(s, name="南京银行", total=None)
            project = make_project(s, a, customer.id, bank=bank, amount=amount, status=status,
                                   loan_contract_no=f"JK-{n}", loan_amount=Decimal(amount),
                                   loan_start_date=LOAN_START, loan_end_date=LOAN_END, loan_rate=Decimal("0.0385"),
                                   effective_date=LOAN_START)
            self.projects[project.id] = code
            return project.id

    def item(self, project_id, **extra) -> dict:
        """What a send gives for a project: its id and the customer's credit code (guarantee does not keep it)."""
        return {"project_id": project_id, "customer_id_number": self.projects[project_id], **extra}


@pytest.fixture
def ch(db, make_tenant, rw) -> Channel:
    sender = TenantWorld.with_people(db, make_tenant(name="南京市测试融资担保有限公司",
                                                     plugins=["customers", "guarantee", "reguarantee"]),
                                     SENDER_PEOPLE)
    third = TenantWorld.with_people(db, make_tenant(plugins=["customers", "reguarantee"]), {})
    world = Channel(receiver=rw, sender=sender, third=third)
    with rw.session() as s:
        partner = make_partner(s, name="南京市测试融资担保有限公司", kind="guarantee_city")
        agreement = make_agreement(s, partner)
        world.partner_id, world.agreement_id, world.agreement_no = partner.id, agreement.id, agreement.agreement_no
    return world
