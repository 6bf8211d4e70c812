"""Seed data of the load test (``make load``): tenants provisioned with the customers and guarantee plugins and each
plugin's demo data (tenants/demo.py ``add_demo_data``: customers, staff, products, banks, a project at every stage,
tasks in inboxes), plus per tenant a pool of drafts to submit and of submitted applications whose acceptance tasks
wait in the department head's inbox to be approved.

Nothing here is a test; pytest does not collect it (the name does not start with ``test_``).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from unittest import mock

from sqlalchemy import create_engine, select, text

from surety.core.context import acting
from surety.core.db.session import Database
from surety.core.identity.models import User
from surety.plugins.customers.models import Customer
from surety.plugins.customers.testing import actor_for
from surety.plugins.guarantee.demo import LOAN_CODE
from surety.plugins.guarantee.origination import applications
from surety.plugins.guarantee.project.models import (
    GuaranteeBank,
    GuaranteeCounterGuarantee,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.risk.counter_guarantees import add_counter_guarantee
from surety.tenants.demo import add_demo_data
from surety.tenants.service import create_tenant

#: The demo staff a load client logs in as (plugins/guarantee/demo.py STAFF): the customer manager searches and
#: creates customers and submits applications; the department head reads the inbox and approves acceptance; the
#: executive reads the project page and the leaders' dashboard.
MANAGER, APPROVER, EXECUTIVE = "zhangwei", "wangqiang", "liuyang"
PLUGINS = ["customers", "guarantee"]


@dataclass
class TenantSeed:
    """What the workload needs to know of one seeded tenant (ids are database UUIDs)."""

    n: int
    slug: str
    tenant_id: uuid.UUID
    drafts: list[uuid.UUID] = field(default_factory=list)


def slug_of(n: int) -> str:
    return f"load{n:03d}"


@contextlib.contextmanager
def _quiet_demo(password: str) -> Iterator[None]:
    """The demo with a known staff password (it makes a random one) and no credentials file or printing."""
    with mock.patch("surety.tenants.demo.password", lambda: password), \
            mock.patch("surety.tenants.demo.keep_credentials", lambda *lines, echo=True: None):
        yield


def seed_tenant(db: Database, owner_url: str, n: int, *, password: str, drafts: int, submitted: int) -> TenantSeed:
    """Tenant ``load<n>``: provisioned (``create_tenant``), demo data of both plugins (``add_demo_data``), then a
    draft made through the service and copied ``drafts + submitted`` times by SQL (row and counter-guarantees);
    ``submitted`` of the copies are submitted through the service (number, approval instance, an acceptance task in
    the department head's inbox, audit, event). Returns the tenant and its remaining draft ids."""
    slug = slug_of(n)
    with _quiet_demo(password):
        tenant = create_tenant(db, slug=slug, name=f"负载测试担保公司 {n:03d}", plugins=PLUGINS,
                               admin_username="admin", admin_password=password)
        with db.tenant_session(tenant.id) as s:
            add_demo_data(s, tenant)
    with db.tenant_session(tenant.id) as s:
        manager = actor_for(s.scalar(select(User).where(User.username == MANAGER)))
        product = s.scalar(select(GuaranteeProduct).where(GuaranteeProduct.code == LOAN_CODE))
        bank = s.scalars(select(GuaranteeBank).order_by(GuaranteeBank.code)).first()
        customer = s.scalars(select(Customer).where(Customer.owner_id == manager.id_uuid)
                             .order_by(Customer.name)).first()
        with acting(manager):
            template = applications.create_application(s, manager, {
                "customer_id": customer.id, "product_id": product.id, "bank_id": bank.id, "amount": "800000.00",
                "term_months": 12, "purpose": "流动资金周转（负载测试）", "loan_category": "small_micro",
                "manager_b_id": None})
            add_counter_guarantee(s, manager, template.id, {
                "kind": "third_party", "description": "实际控制人连带责任保证", "owner_name": "实际控制人",
                "collateral": {"relation": "实际控制人"}})
        template_id = template.id
    copies = copy_drafts(owner_url, tenant.id, template_id, drafts + submitted)
    with db.tenant_session(tenant.id) as s, acting(manager):
        for project_id in copies[:submitted]:
            with s.begin_nested():
                applications.submit_application(s, manager, project_id)
    return TenantSeed(n=n, slug=slug, tenant_id=tenant.id, drafts=[template_id, *copies[submitted:]])


def copy_drafts(owner_url: str, tenant_id: uuid.UUID, template_id: uuid.UUID, count: int) -> list[uuid.UUID]:
    """``count`` copies of a draft and its counter-guarantees, inserted by the owner in two statements."""
    if count <= 0:
        return []
    pcols = [c.name for c in GuaranteeProject.__table__.columns if c.name != "id"]
    gcols = [c.name for c in GuaranteeCounterGuarantee.__table__.columns if c.name not in ("id", "project_id")]
    copy_projects = text(
        f"INSERT INTO guarantee_projects (id, {', '.join(pcols)}) "
        f"SELECT gen_random_uuid(), {', '.join(pcols)} FROM guarantee_projects, generate_series(1, :n) "
        "WHERE tenant_id = :t AND id = :tpl RETURNING id")
    copy_counters = text(
        f"INSERT INTO guarantee_counter_guarantees (id, project_id, {', '.join(gcols)}) "
        f"SELECT gen_random_uuid(), p.id, {', '.join('g.' + c for c in gcols)} "
        "FROM guarantee_counter_guarantees g CROSS JOIN unnest(CAST(:ids AS uuid[])) AS p(id) "
        "WHERE g.tenant_id = :t AND g.project_id = :tpl")
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            ids = list(conn.scalars(copy_projects, {"n": count, "t": tenant_id, "tpl": template_id}))
            conn.execute(copy_counters, {"ids": ids, "t": tenant_id, "tpl": template_id})
    finally:
        engine.dispose()
    return ids


def open_acceptance_tasks(owner_url: str) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Open tasks of the real approval (``guarantee.approval``) waiting at acceptance, by tenant: what the
    approvers of the workload take from their inboxes (read by the owner, outside the measured requests)."""
    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT t.tenant_id, t.id FROM workflow_tasks t JOIN workflow_instances i "
                "ON i.tenant_id = t.tenant_id AND i.id = t.instance_id "
                "WHERE t.status = 'open' AND t.step_key = 'acceptance' AND i.definition_key = 'guarantee.approval' "
                "ORDER BY t.created_at")).all()
    finally:
        engine.dispose()
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for tenant_id, task_id in rows:
        out.setdefault(tenant_id, []).append(task_id)
    return out


def open_drafts(owner_url: str) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Drafts made by the seed (the copies), by tenant."""
    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT tenant_id, id FROM guarantee_projects WHERE status = 'draft' "
                "AND purpose = '流动资金周转（负载测试）'")).all()
    finally:
        engine.dispose()
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for tenant_id, project_id in rows:
        out.setdefault(tenant_id, []).append(project_id)
    return out
