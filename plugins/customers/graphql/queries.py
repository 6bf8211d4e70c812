"""Queries of the customers plugin: thin resolvers over the service modules."""

from __future__ import annotations

import enum

import strawberry

from surety.graphql.auth import actor, decode_node_id
from surety.graphql.custom_fields import CustomFieldMatchInput
from surety.graphql.pagination import Connection, paginate

from surety.plugins.customers.graphql.types import (
    Customer,
    CustomerExposure,
    CustomerFieldChange,
    CustomerGraph,
    CustomerGraphGroup,
    CustomerGraphNode,
    CustomerGroupExposure,
    CustomerListEntry,
    CustomerRelation,
    CustomerSettings,
    CustomerStatement,
    CustomerVersion,
    PluginExposure,
    gid,
)


@strawberry.enum(description="The order of a customer list (客户列表排序).")
class CustomerOrder(enum.Enum):
    NAME = strawberry.enum_value("name", description="按名称")
    CREATED = strawberry.enum_value("created", description="按创建时间")
    UPDATED = strawberry.enum_value("updated", description="按更新时间")


@strawberry.input
class CustomerFilterInput:
    name_prefix: str | None = strawberry.field(default=None, description="Name starts with (normalised)")
    name_contains: str | None = strawberry.field(default=None, description="Name contains (normalised)")
    id_number: str | None = strawberry.field(default=None, description="Exact ID number (blind index)")
    credit_code: str | None = strawberry.field(default=None, description="Exact credit code (blind index)")
    phone: str | None = strawberry.field(default=None, description="Exact mobile number (blind index)")
    tag: str | None = None
    owner_id: strawberry.ID | None = None
    org_unit_id: strawberry.ID | None = None
    industry: str | None = strawberry.field(default=None, description="Industry code or its prefix (C, C13)")
    region: str | None = None
    kind: str | None = None
    custom_field: CustomFieldMatchInput | None = strawberry.field(
        default=None, description="A custom choice or multi-choice field holding this value exactly")


def _filter(f: CustomerFilterInput | None):
    from surety.plugins.customers.search import CustomerFilter

    if f is None:
        return CustomerFilter()
    return CustomerFilter(
        name_prefix=f.name_prefix, name_contains=f.name_contains, id_number=f.id_number or f.credit_code,
        phone=f.phone, tag=f.tag, industry=f.industry, region=f.region, kind=f.kind,
        custom_field=(f.custom_field.key, f.custom_field.value) if f.custom_field else None,
        owner_id=decode_node_id(f.owner_id, "User", field="ownerId") if f.owner_id else None,
        org_unit_id=decode_node_id(f.org_unit_id, "OrgUnit", field="orgUnitId") if f.org_unit_id else None)


def _cid(id) -> object:
    return decode_node_id(id, "Customer")


@strawberry.type
class CustomersQuery:
    @strawberry.field(description="Customers in the caller's data scope, filtered, keyset-paginated.")
    def customers(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                  filter: CustomerFilterInput | None = None, order_by: CustomerOrder = CustomerOrder.NAME,
                  descending: bool = False) -> Connection[Customer]:
        from surety.plugins.customers.search import order_columns, search_statement

        s = info.context.session
        stmt = search_statement(s, actor(info), _filter(filter))
        return paginate(info, s, stmt, order=order_columns(order_by.value), to_node=Customer.from_row,
                        first=first, after=after, descending=descending)

    @strawberry.field(description="One customer (null when absent or outside the caller's scope).")
    def customer(self, info: strawberry.Info, id: strawberry.ID) -> Customer | None:
        from surety.core.errors import NotFound

        from surety.plugins.customers.records import get_customer

        try:
            return Customer.from_row(get_customer(info.context.session, actor(info), _cid(id)))
        except NotFound:
            return None

    @strawberry.field(description="Related parties of a customer to `depth` hops (0-5): nodes and edges.")
    def customer_graph(self, info: strawberry.Info, id: strawberry.ID, depth: int = 2) -> CustomerGraph:
        from surety.plugins.customers.related import graph

        g = graph(info.context.session, actor(info), _cid(id), depth)
        return CustomerGraph(root_id=gid("Customer", g.root_id),
                             nodes=[CustomerGraphNode(depth=g.depth_of[n.id], customer=Customer.from_row(n))
                                    for n in g.nodes],
                             edges=[CustomerRelation.from_row(e) for e in g.edges], truncated=g.truncated,
                             groups=[CustomerGraphGroup(kind=h.kind, label=h.label, member_count=h.member_count,
                                                        member_ids=[gid("Customer", i) for i in h.member_ids],
                                                        sample=[Customer.from_row(c) for c in h.sample],
                                                        walked=h.walked) for h in g.groups])

    @strawberry.field(description="Exposure summed across the customer's related group (business plugins report "
                                  "it through the customers_exposure hook).")
    def customer_group_exposure(self, info: strawberry.Info, id: strawberry.ID,
                                depth: int = 2) -> CustomerGroupExposure:
        from surety.plugins.customers.related import group_exposure

        g = group_exposure(info.context.session, actor(info), _cid(id), depth)
        return CustomerGroupExposure(
            root_id=gid("Customer", g.root_id),
            members=[CustomerExposure(customer=Customer.from_row(m), exposure=g.by_customer[m.id])
                     for m in g.members],
            by_plugin=[PluginExposure(plugin=k, exposure=v) for k, v in sorted(g.by_plugin.items())],
            total=g.total)

    @strawberry.field(description="Every kept version of a customer with its field changes, oldest first.")
    def customer_history(self, info: strawberry.Info, id: strawberry.ID) -> list[CustomerVersion]:
        from surety.plugins.customers.history import history
        from surety.plugins.customers.records import get_customer

        c = get_customer(info.context.session, actor(info), _cid(id), include_deleted=True)
        return [CustomerVersion(version=v.version, action=v.action, changed_by=v.changed_by,
                                changed_at=v.changed_at,
                                changes=[CustomerFieldChange(field=x.field, before=x.before, after=x.after)
                                         for x in v.changes])
                for v in history(info.context.session, c.id)]

    @strawberry.field(description="Field-level differences between two versions of a customer.")
    def customer_version_diff(self, info: strawberry.Info, id: strawberry.ID, from_version: int,
                              to_version: int) -> list[CustomerFieldChange]:
        from surety.plugins.customers.history import version_diff
        from surety.plugins.customers.records import get_customer

        c = get_customer(info.context.session, actor(info), _cid(id), include_deleted=True)
        return [CustomerFieldChange(field=x.field, before=x.before, after=x.after)
                for x in version_diff(info.context.session, c.id, from_version, to_version)]

    @strawberry.field(description="Financial statements of a corporate customer with ratios, latest first.")
    def customer_statements(self, info: strawberry.Info, id: strawberry.ID,
                            period_type: str | None = None) -> list[CustomerStatement]:
        from surety.plugins.customers.statements import statements

        return [CustomerStatement.of(v) for v in statements(info.context.session, actor(info), _cid(id),
                                                            period_type)]

    @strawberry.field(description="Blacklist and watchlist entries, newest first.")
    def customer_list_entries(self, info: strawberry.Info, customer_id: strawberry.ID | None = None,
                              status: str | None = None, list_type: str | None = None) -> list[CustomerListEntry]:
        from surety.plugins.customers.blacklist import list_entries

        cid = decode_node_id(customer_id, "Customer", field="customerId") if customer_id else None
        return [CustomerListEntry.from_row(e) for e in list_entries(info.context.session, actor(info),
                                                                     customer_id=cid, status=status,
                                                                     list_type=list_type)]

    @strawberry.field(description="The tenant's customer settings (collision window and mode).")
    def customer_settings(self, info: strawberry.Info) -> CustomerSettings:
        from surety.graphql.auth import require

        from surety.plugins.customers.collision import get_settings

        require(info, "customers:customer:read")
        row = get_settings(info.context.session)
        return CustomerSettings(collision_window_days=row.collision_window_days, collision_mode=row.collision_mode)
