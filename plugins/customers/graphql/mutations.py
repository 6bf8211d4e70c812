"""Mutations of the customers plugin (noun then verb), each with an input type and a payload with typed errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry
from strawberry.scalars import JSON

from surety.graphql.auth import actor, decode_node_id
from surety.graphql.custom_fields import run_values_mutation
from surety.graphql.errors import UserError, run_mutation

from surety.plugins.customers.graphql.types import (
    Customer,
    CustomerListEntry,
    CustomerRelation,
    CustomerSettings,
    CustomerStatement,
)


@strawberry.input
class CustomerPersonInput:
    name: str
    id_number: str | None = strawberry.field(default=None, description="Shareholder's ID number or credit code "
                                                                        "(kept only as a blind index)")
    relation: str | None = None
    role: str | None = None
    ratio: Decimal | None = None


def _people(values):
    if values is None:
        return None
    return [{k: getattr(p, k) for k in ("name", "id_number", "relation", "role", "ratio")
             if getattr(p, k) is not None} for p in values]


FIELDS = ("name", "id_number", "credit_code", "phone", "bank_account", "bank_name", "address", "tags", "occupation",
          "annual_income", "total_assets", "legal_rep_name", "legal_rep_id_number", "registered_capital", "industry",
          "region", "size")
PEOPLE = ("family", "shareholders", "key_people")


@strawberry.input
class CustomerCreateInput:
    kind: str = strawberry.field(description="individual | corporate")
    name: str
    id_number: str | None = strawberry.field(default=None, description="ID card number (individual)")
    credit_code: str | None = strawberry.field(default=None, description="Unified social credit code (corporate)")
    phone: str | None = None
    bank_account: str | None = None
    bank_name: str | None = None
    address: str | None = None
    tags: list[str] | None = None
    occupation: str | None = None
    annual_income: Decimal | None = None
    total_assets: Decimal | None = None
    family: list[CustomerPersonInput] | None = None
    legal_rep_name: str | None = None
    legal_rep_id_number: str | None = None
    registered_capital: Decimal | None = None
    industry: str | None = None
    region: str | None = None
    size: str | None = None
    shareholders: list[CustomerPersonInput] | None = None
    key_people: list[CustomerPersonInput] | None = None
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Managing user (default: you)")
    org_unit_id: strawberry.ID | None = None


@strawberry.input(description="Only the fields given are changed; null clears an optional field.")
class CustomerUpdateInput:
    id: strawberry.ID
    version: int | None = strawberry.field(default=None, description="The version you edited (conflict check)")
    name: str | None = strawberry.UNSET
    id_number: str | None = strawberry.UNSET
    credit_code: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    bank_account: str | None = strawberry.UNSET
    bank_name: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    occupation: str | None = strawberry.UNSET
    annual_income: Decimal | None = strawberry.UNSET
    total_assets: Decimal | None = strawberry.UNSET
    family: list[CustomerPersonInput] | None = strawberry.UNSET
    legal_rep_name: str | None = strawberry.UNSET
    legal_rep_id_number: str | None = strawberry.UNSET
    registered_capital: Decimal | None = strawberry.UNSET
    industry: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    size: str | None = strawberry.UNSET
    shareholders: list[CustomerPersonInput] | None = strawberry.UNSET
    key_people: list[CustomerPersonInput] | None = strawberry.UNSET
    owner_id: strawberry.ID | None = strawberry.UNSET
    org_unit_id: strawberry.ID | None = strawberry.UNSET


def _data(inp, *, partial: bool) -> dict:
    data = {}
    for f in FIELDS + PEOPLE + ("owner_id", "org_unit_id"):
        value = getattr(inp, f)
        if value is strawberry.UNSET or (not partial and value is None):
            continue
        if f in PEOPLE:
            value = _people(value)
        elif f == "owner_id":
            value = decode_node_id(value, "User", field="ownerId") if value else None
        elif f == "org_unit_id":
            value = decode_node_id(value, "OrgUnit", field="orgUnitId") if value else None
        data[f] = value
    return data


@strawberry.type
class CustomerPayload:
    customer: Customer | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerRelationPayload:
    relation: CustomerRelation | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerOkPayload:
    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerListEntryPayload:
    entry: CustomerListEntry | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerEngagePayload:
    collided: bool = False
    flags: list[str] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerStatementPayload:
    statement: CustomerStatement | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerSettingsPayload:
    settings: CustomerSettings | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CustomerRelationAddInput:
    from_id: strawberry.ID
    to_id: strawberry.ID
    relation_type: str = strawberry.field(description="spouse | shareholder | actual_controller | guarantor | "
                                                      "same_group")
    note: str | None = None


@strawberry.input
class CustomerBlacklistAddInput:
    customer_id: strawberry.ID
    list_type: str = strawberry.field(default="blacklist", description="blacklist | watchlist")
    reason: str = ""
    source: str = ""


@strawberry.input
class CustomerEngageInput:
    customer_id: strawberry.ID
    business: str = strawberry.field(description="What is being started, e.g. guarantee:application")


@strawberry.input
class CustomerStatementSetInput:
    customer_id: strawberry.ID
    period_end: dt.date
    period_type: str = "annual"
    total_assets: Decimal
    total_liabilities: Decimal
    current_assets: Decimal
    current_liabilities: Decimal
    inventory: Decimal
    equity: Decimal
    revenue: Decimal
    net_profit: Decimal


@strawberry.input
class CustomerSettingsUpdateInput:
    collision_window_days: int | None = None
    collision_mode: str | None = strawberry.field(default=None, description="flag | block")


@strawberry.input(description="Custom values of a customer: only the keys given change; null or empty clears one.")
class CustomerCustomFieldsSetInput:
    id: strawberry.ID
    values: JSON = strawberry.field(description="{key: value}: money and numbers as text (e.g. \"1200.50\"), dates "
                                                "as ISO text, multi-choice a list, a table a list of row objects.")
    version: int | None = strawberry.field(default=None, description="The customer's version you edited "
                                                                      "(conflict check)")


def _entry_action(info, id, fn) -> CustomerListEntryPayload:
    def go():
        entry_id = decode_node_id(id, "CustomerListEntry")
        return CustomerListEntryPayload(entry=CustomerListEntry.from_row(fn(entry_id)))

    return run_mutation(info, CustomerListEntryPayload, go)


@strawberry.type
class CustomersMutation:
    @strawberry.mutation(description="Create a customer (validated; duplicates refused).")
    def customer_create(self, info: strawberry.Info, input: CustomerCreateInput) -> CustomerPayload:
        from surety.plugins.customers.records import create_customer

        def go():
            row = create_customer(info.context.session, actor(info), input.kind, _data(input, partial=False))
            return CustomerPayload(customer=Customer.from_row(row))

        return run_mutation(info, CustomerPayload, go)

    @strawberry.mutation(description="Change a customer; a new version is kept.")
    def customer_update(self, info: strawberry.Info, input: CustomerUpdateInput) -> CustomerPayload:
        from surety.plugins.customers.records import update_customer

        def go():
            row = update_customer(info.context.session, actor(info), decode_node_id(input.id, "Customer"),
                                  _data(input, partial=True), expected_version=input.version)
            return CustomerPayload(customer=Customer.from_row(row))

        return run_mutation(info, CustomerPayload, go)

    @strawberry.mutation(description="Set custom field values of a customer (customers:customer:update); every "
                                     "problem is returned at once, each error's field the custom field's key.")
    def customer_custom_fields_set(self, info: strawberry.Info, input: CustomerCustomFieldsSetInput
                                   ) -> CustomerPayload:
        from surety.plugins.customers.custom_fields import set_values

        def go():
            row = set_values(info.context.session, actor(info), decode_node_id(input.id, "Customer"),
                             input.values, expected_version=input.version)
            return CustomerPayload(customer=Customer.from_row(row))

        return run_values_mutation(info, CustomerPayload, go)

    @strawberry.mutation(description="Delete a customer (kept in history).")
    def customer_delete(self, info: strawberry.Info, id: strawberry.ID) -> CustomerOkPayload:
        from surety.plugins.customers.records import delete_customer

        def go():
            delete_customer(info.context.session, actor(info), decode_node_id(id, "Customer"))
            return CustomerOkPayload(ok=True)

        return run_mutation(info, CustomerOkPayload, go)

    @strawberry.mutation(description="Enter a related party by hand.")
    def customer_relation_add(self, info: strawberry.Info, input: CustomerRelationAddInput
                              ) -> CustomerRelationPayload:
        from surety.plugins.customers.related import add_relation

        def go():
            rel = add_relation(info.context.session, actor(info), decode_node_id(input.from_id, "Customer",
                                                                                 field="fromId"),
                               decode_node_id(input.to_id, "Customer", field="toId"), input.relation_type,
                               input.note)
            return CustomerRelationPayload(relation=CustomerRelation.from_row(rel))

        return run_mutation(info, CustomerRelationPayload, go)

    @strawberry.mutation(description="Remove a hand-entered related party.")
    def customer_relation_remove(self, info: strawberry.Info, id: strawberry.ID) -> CustomerOkPayload:
        from surety.plugins.customers.related import remove_relation

        def go():
            remove_relation(info.context.session, actor(info), decode_node_id(id, "CustomerRelation"))
            return CustomerOkPayload(ok=True)

        return run_mutation(info, CustomerOkPayload, go)

    @strawberry.mutation(description="Request a blacklist or watchlist entry (pending until approved).")
    def customer_blacklist_add(self, info: strawberry.Info, input: CustomerBlacklistAddInput
                               ) -> CustomerListEntryPayload:
        from surety.plugins.customers.blacklist import request_entry

        def go():
            e = request_entry(info.context.session, actor(info),
                              decode_node_id(input.customer_id, "Customer", field="customerId"), input.list_type,
                              input.reason, input.source)
            return CustomerListEntryPayload(entry=CustomerListEntry.from_row(e))

        return run_mutation(info, CustomerListEntryPayload, go)

    @strawberry.mutation(description="Approve a pending blacklist/watchlist entry (not your own request).")
    def customer_blacklist_approve(self, info: strawberry.Info, id: strawberry.ID) -> CustomerListEntryPayload:
        from surety.plugins.customers.blacklist import decide_entry

        return _entry_action(info, id, lambda e: decide_entry(info.context.session, actor(info), e, True))

    @strawberry.mutation(description="Reject a pending blacklist/watchlist entry.")
    def customer_blacklist_reject(self, info: strawberry.Info, id: strawberry.ID) -> CustomerListEntryPayload:
        from surety.plugins.customers.blacklist import decide_entry

        return _entry_action(info, id, lambda e: decide_entry(info.context.session, actor(info), e, False))

    @strawberry.mutation(description="Take a customer off a list.")
    def customer_blacklist_remove(self, info: strawberry.Info, id: strawberry.ID, reason: str
                                  ) -> CustomerListEntryPayload:
        from surety.plugins.customers.blacklist import remove_entry

        return _entry_action(info, id, lambda e: remove_entry(info.context.session, actor(info), e, reason))

    @strawberry.mutation(description="Record that you start work on a customer (collision check and screening).")
    def customer_engage(self, info: strawberry.Info, input: CustomerEngageInput) -> CustomerEngagePayload:
        from surety.plugins.customers.collision import engage_customer

        def go():
            r = engage_customer(info.context.session, actor(info),
                                decode_node_id(input.customer_id, "Customer", field="customerId"), input.business)
            return CustomerEngagePayload(collided=r.collided, flags=r.flags)

        return run_mutation(info, CustomerEngagePayload, go)

    @strawberry.mutation(description="Enter or correct a financial statement for a period.")
    def customer_statement_set(self, info: strawberry.Info, input: CustomerStatementSetInput
                               ) -> CustomerStatementPayload:
        from surety.plugins.customers.statements import LINES, set_statement, statements

        def go():
            cid = decode_node_id(input.customer_id, "Customer", field="customerId")
            s, who = info.context.session, actor(info)
            row = set_statement(s, who, cid, input.period_end, {k: getattr(input, k) for k in LINES},
                                input.period_type)
            view = next(v for v in statements(s, who, cid, input.period_type) if v.statement.id == row.id)
            return CustomerStatementPayload(statement=CustomerStatement.of(view))

        return run_mutation(info, CustomerStatementPayload, go)

    @strawberry.mutation(description="Change the tenant's collision window and mode.")
    def customer_settings_update(self, info: strawberry.Info, input: CustomerSettingsUpdateInput
                                 ) -> CustomerSettingsPayload:
        from surety.plugins.customers.collision import update_settings

        def go():
            row = update_settings(info.context.session, actor(info),
                                  collision_window_days=input.collision_window_days,
                                  collision_mode=input.collision_mode)
            return CustomerSettingsPayload(settings=CustomerSettings(
                collision_window_days=row.collision_window_days, collision_mode=row.collision_mode))

        return run_mutation(info, CustomerSettingsPayload, go)
