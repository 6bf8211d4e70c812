"""GraphQL types of the customers plugin. Personal data is masked unless the caller asks ``reveal: true`` and holds
core:pii:reveal, or is the customer's own manager asking for its phone or address (plugins/customers/pii.py); every
reveal audited, as for users."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay

from surety.graphql.auth import actor
from surety.graphql.custom_fields import CustomFieldValue, custom_field_values
from surety.graphql.loaders import load
from surety.graphql.nodes import global_id as gid
from surety.graphql.pii import shown

from surety.plugins.customers.custom_fields import entity_type_of
from surety.plugins.customers.models import Customer as CustomerRow
from surety.plugins.customers.pii import reveal_basis

ENTITY = "customers:customer"


def _shown(info, customer_id: str, field: str, value: str | None, kind: str, reveal: bool,
           row: Any = None) -> str | None:
    """A personal field as the caller may see it; with ``row`` (the customer), the plugin's reveal rule
    (plugins/customers/pii.py: a customer's own manager sees its contact details) applies too."""
    basis = None if row is None else (lambda: reveal_basis(info.context.session, actor(info), row, field))
    return shown(info, ENTITY, customer_id, field, value, kind, reveal, basis=basis)


@strawberry.type(description="A shareholder, family member or key person (names only; identity numbers are never "
                             "returned).")
class CustomerPerson:
    name: str
    relation: str | None = None
    role: str | None = None
    ratio: Decimal | None = None

    @classmethod
    def of(cls, d: dict) -> "CustomerPerson":
        return cls(name=d.get("name", ""), relation=d.get("relation"), role=d.get("role"),
                   ratio=Decimal(d["ratio"]) if d.get("ratio") is not None else None)


@strawberry.type(description="A customer of the shared pool (individual or corporate).")
class Customer(relay.Node):
    id: relay.NodeID[str]
    kind: str
    name: str
    bank_name: str | None
    occupation: str | None
    annual_income: Decimal | None
    total_assets: Decimal | None
    legal_rep_name: str | None
    registered_capital: Decimal | None
    industry: str | None
    region: str | None
    size: str | None
    tags: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, r: CustomerRow) -> "Customer":
        return cls(id=str(r.id), kind=r.kind, name=r.name, bank_name=r.bank_name, occupation=r.occupation,
                   annual_income=r.annual_income, total_assets=r.total_assets, legal_rep_name=r.legal_rep_name,
                   registered_capital=r.registered_capital, industry=r.industry, region=r.region, size=r.size,
                   tags=list(r.tags or []), version=r.version, created_at=r.created_at, updated_at=r.updated_at,
                   row=r)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        from surety.graphql.auth import actor
        from surety.graphql.nodes import load_nodes
        from surety.plugins.customers.search import search_statement

        s = info.context.session
        return load_nodes(info, CustomerRow, cls.from_row, node_ids, "customers:customer:read",
                          statement=lambda: search_statement(s, actor(info)))

    @strawberry.field(description="ID card number (individual) or unified social credit code (corporate); masked "
                                  "unless `reveal` (needs core:pii:reveal, audited).")
    def id_number(self, info: strawberry.Info, reveal: bool = False) -> str:
        return _shown(info, self.id, "id_number", self.row.id_number, "id_number", reveal)

    @strawberry.field(description="Mobile number; masked unless `reveal` (core:pii:reveal, or the customer's own "
                                  "manager; audited).")
    def phone(self, info: strawberry.Info, reveal: bool = False) -> str | None:
        return _shown(info, self.id, "phone", self.row.phone, "phone", reveal, self.row)

    @strawberry.field(description="Bank account; masked unless `reveal` (core:pii:reveal, audited).")
    def bank_account(self, info: strawberry.Info, reveal: bool = False) -> str | None:
        return _shown(info, self.id, "bank_account", self.row.bank_account, "bank_account", reveal)

    @strawberry.field(description="Address; masked unless `reveal` (core:pii:reveal, or the customer's own manager; "
                                  "audited).")
    def address(self, info: strawberry.Info, reveal: bool = False) -> str | None:
        return _shown(info, self.id, "address", self.row.address, "address", reveal, self.row)

    @strawberry.field(description="Legal representative's ID card number; masked unless `reveal`.")
    def legal_rep_id_number(self, info: strawberry.Info, reveal: bool = False) -> str | None:
        return _shown(info, self.id, "legal_rep_id_number", self.row.legal_rep_id_number, "id_number", reveal)

    @strawberry.field
    def shareholders(self) -> list[CustomerPerson]:
        return [CustomerPerson.of(d) for d in self.row.shareholders or []]

    @strawberry.field
    def family(self) -> list[CustomerPerson]:
        return [CustomerPerson.of(d) for d in self.row.family or []]

    @strawberry.field
    def key_people(self) -> list[CustomerPerson]:
        return [CustomerPerson.of(d) for d in self.row.key_people or []]

    @strawberry.field(description="Global id of the managing user.")
    def owner_id(self) -> strawberry.ID | None:
        return gid("User", self.row.owner_id)

    @strawberry.field(description="Global id of the org unit the customer belongs to.")
    def org_unit_id(self) -> strawberry.ID | None:
        return gid("OrgUnit", self.row.org_unit_id)

    @strawberry.field(description="The tenant's custom fields of this kind of customer with their values "
                                  "(docs/custom-fields.md); sensitive values masked unless `value(reveal: true)` "
                                  "(core:pii:reveal, audited).")
    async def custom_fields(self, info: strawberry.Info) -> list[CustomFieldValue]:
        return await custom_field_values(info, entity_type_of(self.row), self.row.id, audit_entity=ENTITY)

    @strawberry.field(description="Active blacklist/watchlist entries' list types (screening view).")
    async def lists(self, info: strawberry.Info) -> list[str]:
        return await load(info, "customers.lists", _active_lists, self.row.id, default=list)


def _active_lists(ctx, customer_ids) -> dict:
    """Active list types per customer, sorted: one query for every customer of the request."""
    from surety.plugins.customers.models import CustomerListEntry

    found: dict = {}
    for customer_id, list_type in ctx.session.execute(
            select(CustomerListEntry.customer_id, CustomerListEntry.list_type).where(
                CustomerListEntry.customer_id.in_(customer_ids), CustomerListEntry.status == "active")):
        found.setdefault(customer_id, set()).add(list_type)
    return {k: sorted(v) for k, v in found.items()}


@strawberry.type
class CustomerRelation:
    id: strawberry.ID
    from_id: strawberry.ID
    to_id: strawberry.ID
    relation_type: str
    source: str
    note: str | None

    @classmethod
    def from_row(cls, r) -> "CustomerRelation":
        return cls(id=gid("CustomerRelation", r.id), from_id=gid("Customer", r.from_customer_id),
                   to_id=gid("Customer", r.to_customer_id), relation_type=r.relation_type, source=r.source,
                   note=r.note)


@strawberry.type
class CustomerGraphNode:
    depth: int
    customer: Customer


@strawberry.type(description="A phone, address or person shared by more customers than the graph draws as pairs "
                             "(20): one node with the number of customers holding it, instead of n(n-1)/2 edges.")
class CustomerGraphGroup:
    kind: str = strawberry.field(description="phone | address | person")
    label: str = strawberry.field(description="What to show, e.g. 共用电话 (500 位客户).")
    member_count: int = strawberry.field(description="Customers holding it (deleted ones left out).")
    member_ids: list[strawberry.ID] = strawberry.field(description="The nodes of this graph holding it.")
    sample: list[Customer] = strawberry.field(description="Its first customers by name (at most 10).")
    walked: bool = strawberry.field(description="Whether the graph goes on through it: person groups are walked "
                                                "(their customers are nodes); phone and address groups are not.")


@strawberry.type(description="Related parties of a customer to a depth: nodes, edges, and the large shared groups.")
class CustomerGraph:
    root_id: strawberry.ID
    nodes: list[CustomerGraphNode]
    edges: list[CustomerRelation]
    truncated: bool
    groups: list[CustomerGraphGroup] = strawberry.field(
        description="Phones, addresses and persons held by more than 20 customers, each as one group node.")


@strawberry.type
class CustomerExposure:
    customer: Customer
    exposure: Decimal


@strawberry.type
class PluginExposure:
    plugin: str
    exposure: Decimal


@strawberry.type(description="Exposure across a customer's related group, as reported by the business plugins.")
class CustomerGroupExposure:
    root_id: strawberry.ID
    members: list[CustomerExposure]
    by_plugin: list[PluginExposure]
    total: Decimal


@strawberry.type
class CustomerFieldChange:
    field: str
    before: strawberry.scalars.JSON | None
    after: strawberry.scalars.JSON | None


@strawberry.type
class CustomerVersion:
    version: int
    action: str
    changed_by: str | None
    changed_at: dt.datetime
    changes: list[CustomerFieldChange]


@strawberry.type
class CustomerRatios:
    debt_ratio: Decimal | None
    current_ratio: Decimal | None
    quick_ratio: Decimal | None
    roe: Decimal | None
    revenue_growth: Decimal | None


@strawberry.type
class CustomerStatement:
    period_type: str
    period_end: dt.date
    total_assets: Decimal
    total_liabilities: Decimal
    current_assets: Decimal
    current_liabilities: Decimal
    inventory: Decimal
    equity: Decimal
    revenue: Decimal
    net_profit: Decimal
    ratios: CustomerRatios

    @classmethod
    def of(cls, view) -> "CustomerStatement":
        s, r = view.statement, view.ratios
        return cls(period_type=s.period_type, period_end=s.period_end, total_assets=s.total_assets,
                   total_liabilities=s.total_liabilities, current_assets=s.current_assets,
                   current_liabilities=s.current_liabilities, inventory=s.inventory, equity=s.equity,
                   revenue=s.revenue, net_profit=s.net_profit,
                   ratios=CustomerRatios(debt_ratio=r.debt_ratio, current_ratio=r.current_ratio,
                                         quick_ratio=r.quick_ratio, roe=r.roe, revenue_growth=r.revenue_growth))


@strawberry.type
class CustomerListEntry:
    id: strawberry.ID
    customer_id: strawberry.ID
    list_type: str
    reason: str
    source: str
    status: str
    requested_by: str | None
    decided_by: str | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, e) -> "CustomerListEntry":
        return cls(id=gid("CustomerListEntry", e.id), customer_id=gid("Customer", e.customer_id),
                   list_type=e.list_type, reason=e.reason, source=e.source, status=e.status,
                   requested_by=e.requested_by, decided_by=e.decided_by, created_at=e.created_at)


@strawberry.type
class CustomerSettings:
    collision_window_days: int
    collision_mode: str
