"""Fixtures of the collection tests: the microloan tenant (``mw``) with people of every role the collection area
uses (all in the HQ unit, where the test loans are booked), a product, and helpers to make loans and act on the
workflow tasks of an approval."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from surety.core.authz.models import Role
from surety.core.identity.auth import user_actor
from surety.core.identity.models import OrgUnit
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.actions import act
from surety.core.workflow.models import WorkflowInstance, WorkflowTask
from surety.plugins.microloan.collection.permissions import COLLECTOR, ROLE_TEMPLATES
from surety.plugins.microloan.product.models import MicroloanProduct
from surety.plugins.microloan.testing import make_loan, make_product

#: Extra people: username -> role.
PEOPLE = {"risk": "risk_officer", "dept": "department_head", "dept2": "department_head", "exec": "executive",
          "legal": "legal", "coll": COLLECTOR, "fin": "finance"}


@dataclass
class CWorld:
    mw: object
    hq: object = None
    product_id: object = None
    ids: dict = field(default_factory=dict)

    def acting(self, username: str):
        return self.mw.acting(username)

    def session(self):
        return self.mw.session()

    def uid(self, username: str):
        return self.mw.actors[username].id_uuid

    def loan(self, **over):
        """A disbursed loan managed by ``mgr`` in HQ (make_loan), with ``over`` set on it."""
        with self.session() as s:
            product = s.scalars(select(MicroloanProduct).where(MicroloanProduct.id == self.product_id)).one()
            loan = make_loan(s, product, manager_id=self.uid("mgr"), department_id=self.hq)
            for k, v in over.items():
                setattr(loan, k, v)
            s.flush()
            return loan.id


@pytest.fixture
def cw(mw) -> CWorld:
    w = CWorld(mw=mw)
    with mw.session() as s:
        # Provisioning created the collector role from the plugin's role template (surety_role_templates).
        [template] = ROLE_TEMPLATES
        assert s.scalar(select(Role.data_scope).where(Role.key == template.key)) == template.data_scope
        w.hq = s.scalar(select(OrgUnit.id).where(OrgUnit.code == "HQ"))
        for name, role in PEOPLE.items():
            user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name.title(), roles=[role],
                               org_unit_id=w.hq, email=f"{name}@example.com")
            mw.actors[name] = user_actor(user)
        w.product_id = make_product(s, code="XD-CS").id
    return w


def do(w: CWorld, user: str, instance_id, action: str = "approve", **kw) -> tuple[str, str]:
    """``user`` acts on the open task of the instance; the instance's (step, status) after."""
    with w.acting(user) as (s, a):
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                    WorkflowTask.status == "open")).one()
        act(s, a, task.id, action, **kw)
    with w.session() as s:
        inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == instance_id)).one()
        return inst.current_step, inst.status


def transfer(w: CWorld, instance_id, by: str, to: str) -> None:
    """``by`` hands the open task of the instance to ``to`` (as an escalation would)."""
    do(w, by, instance_id, "transfer", to_user=w.uid(to))


D = dt.date
