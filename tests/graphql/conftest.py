"""Fixtures of the GraphQL tests: a tenant with the customers and guarantee modules, its admin logged in, and one of
each thing a mutation names by id (customers, a product, a bank with a credit line, a draft guarantee application, a
submitted one with its approval instance and task, a second user), made through the API as a client would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from surety.core.testing import mutation_ok
from surety.plugins.customers.testing import make_uscc


@dataclass
class Seeded:
    """A seeded tenant seen through GraphQL: its slug, the admin's bearer token and global ids by name."""

    slug: str
    tenant_id: object
    token: str
    ids: dict[str, str] = field(default_factory=dict)


def _customer(api, token: str, n: int) -> str:
    body = api("mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id } "
               "errors { code field message } } }",
               {"i": {"kind": "corporate", "name": f"北京种子科技有限公司{n}", "creditCode": make_uscc(900 + n),
                      "industry": "C13", "region": "110105", "size": "small"}}, token=token)
    return mutation_ok(body, "customerCreate")["customer"]["id"]


def seed_tenant(api, make_tenant) -> Seeded:
    tenant = make_tenant(plugins=["customers", "guarantee"])
    token = api.login(tenant.slug)
    s = Seeded(slug=tenant.slug, tenant_id=tenant.id, token=token)
    s.ids["customer"] = _customer(api, token, 1)
    s.ids["customer2"] = _customer(api, token, 2)
    s.ids["product"] = mutation_ok(api(
        "mutation($i: GuaranteeProductCreateInput!) { guaranteeProductCreate(input: $i) { product { id } "
        "errors { code field message } } }",
        {"i": {"code": "LOAN-SEED", "name": "流动资金贷款担保", "kind": "loan", "minAmount": "100000",
               "maxAmount": "30000000", "minTermMonths": 6, "maxTermMonths": 36, "requiresCounterGuarantee": False}},
        token=token), "guaranteeProductCreate")["product"]["id"]
    s.ids["bank"] = mutation_ok(api(
        "mutation($i: GuaranteeBankCreateInput!) { guaranteeBankCreate(input: $i) { bank { id } "
        "errors { code field message } } }", {"i": {"code": "ABC", "name": "农业银行"}}, token=token),
        "guaranteeBankCreate")["bank"]["id"]
    today = dt.date.today()
    mutation_ok(api(
        "mutation($i: GuaranteeCreditLineCreateInput!) { guaranteeCreditLineCreate(input: $i) { line { id } "
        "errors { code field message } } }",
        {"i": {"bankId": s.ids["bank"], "total": "50000000", "riskShareRatio": "0.2",
               "startDate": dt.date(today.year - 1, 1, 1).isoformat(),
               "endDate": dt.date(today.year + 2, 12, 31).isoformat()}}, token=token), "guaranteeCreditLineCreate")
    s.ids["project"] = mutation_ok(api(
        "mutation($i: GuaranteeApplicationCreateInput!) { guaranteeApplicationCreate(input: $i) { project { id } "
        "errors { code field message } } }",
        {"i": {"customerId": s.ids["customer"], "productId": s.ids["product"], "bankId": s.ids["bank"],
               "amount": "3000000", "termMonths": 12, "purpose": "流动资金周转", "loanCategory": "small_micro"}},
        token=token), "guaranteeApplicationCreate")["project"]["id"]
    me = api("{ me { user { id orgUnit { id } } } }", token=token)["data"]["me"]["user"]
    s.ids["admin"], s.ids["org_unit"] = me["id"], me["orgUnit"]["id"]
    s.ids["user"] = mutation_ok(api(
        "mutation($i: UserCreateInput!) { userCreate(input: $i) { user { id } errors { code field message } } }",
        {"i": {"username": "head", "password": "Strong-Pass-77", "roles": ["department_head"],
               "orgUnitId": s.ids["org_unit"]}}, token=token), "userCreate")["user"]["id"]
    submitted = mutation_ok(api(
        "mutation($i: GuaranteeApplicationCreateInput!) { guaranteeApplicationCreate(input: $i) { project { id } "
        "errors { code field message } } }",
        {"i": {"customerId": s.ids["customer2"], "productId": s.ids["product"], "bankId": s.ids["bank"],
               "amount": "2000000", "termMonths": 24, "purpose": "设备采购", "loanCategory": "small_micro"}},
        token=token), "guaranteeApplicationCreate")["project"]["id"]
    project = mutation_ok(api(
        "mutation($id: ID!) { guaranteeApplicationSubmit(id: $id) { project { id workflowInstanceId } "
        "errors { code field message } } }", {"id": submitted}, token=token), "guaranteeApplicationSubmit")["project"]
    s.ids["submitted_project"], s.ids["instance"] = project["id"], project["workflowInstanceId"]
    instance = api("query($id: ID!) { workflowInstance(id: $id) { openTasks { id } } }", {"id": s.ids["instance"]},
                   token=token)["data"]["workflowInstance"]
    s.ids["task"] = instance["openTasks"][0]["id"]
    return s


@pytest.fixture
def seed(api, make_tenant):
    """``seed() -> Seeded``: a new seeded tenant each call (:func:`seed_tenant`)."""
    return lambda: seed_tenant(api, make_tenant)


@pytest.fixture
def seeded(seed) -> Seeded:
    """A tenant with customers and guarantee enabled, its admin's token and seeded ids (:func:`seed_tenant`)."""
    return seed()
