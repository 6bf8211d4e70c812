"""Fixtures of the loan origination tests: the microloan tenant (``mw``) with approvers of every level, a finance
clerk, two borrowers of the customer pool and a product; helpers that walk a loan through the real workflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.identity.auth import user_actor
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow import actions
from surety.core.workflow.models import WorkflowTask
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate, individual
from surety.plugins.microloan.loan import origination as o
from surety.plugins.microloan.loan.settings_service import update_settings
from surety.plugins.microloan.testing import make_product

#: Extra people: username -> role.
APPROVERS = {"risk": "risk_officer", "dept": "department_head", "exec": "executive", "fin": "finance"}


@dataclass
class LoanWorld:
    mw: object
    person: object = None
    company: object = None
    product_id: object = None
    ids: dict = field(default_factory=dict)

    def acting(self, username: str):
        return self.mw.acting(username)


@pytest.fixture
def lw(mw) -> LoanWorld:
    with mw.session() as s:
        for name, role in APPROVERS.items():
            user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name.title(), roles=[role],
                               email=f"{name}@example.com")
            mw.actors[name] = user_actor(user)
    w = LoanWorld(mw=mw)
    with mw.acting("admin") as (s, a):
        w.person = create_customer(s, a, "individual", individual(1)).id
        w.company = create_customer(s, a, "corporate", corporate(2)).id
        w.product_id = make_product(s, code="XD-JY", min_amount=Decimal("1000.00"),
                                    max_amount=Decimal("5000000.00"), max_term_months=36).id
        update_settings(s, a, {"prior_year_net_assets": "100000000.00"})
    return w


def application(w: LoanWorld, **over) -> dict:
    return {"customer_id": w.company, "product_id": w.product_id, "amount": "100000.00", "term_months": 12,
            "kind": "business", **over}


def investigated(w: LoanWorld, user: str = "mgr", **over):
    """A loan applied for by ``user``, investigated (recommend); its id."""
    with w.acting(user) as (s, a):
        loan = o.apply(s, a, application(w, **over))
        o.start_investigation(s, a, loan.id)
        o.record_investigation(s, a, loan.id, findings="经营正常，流水稳定。", conclusion="recommend",
                               annual_income="600000.00")
        return loan.id


def open_task(s, instance_id):
    return s.scalar(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                               WorkflowTask.status == "open"))


def approve(w: LoanWorld, loan_id, user: str) -> str:
    """``user`` approves the loan's open task; the step key it was at."""
    with w.acting(user) as (s, a):
        task = open_task(s, o.get_loan(s, None, loan_id).workflow_instance_id)
        actions.act(s, a, task.id, "approve", comment="同意")
        return task.step_key


def submitted(w: LoanWorld, user: str = "mgr", **over):
    """A loan investigated and submitted by ``user``; its id."""
    loan_id = investigated(w, user, **over)
    with w.acting(user) as (s, a):
        o.submit(s, a, loan_id)
    return loan_id
