"""GraphQL of products, settings, applications and projects (area A of the ``guarantee`` plugin): thin resolvers
over ``products``, ``applications`` and ``projects``. What a page of projects shows (customer, product, bank,
counter-guarantees) comes from per-request DataLoaders, so a page costs the same number of queries whatever its
size."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from surety.core.authz.check import require
from surety.core.errors import NotFound
from surety.core.ports import customers as door
from surety.graphql.auth import actor, allowed, decode_node_id
from surety.graphql.custom_fields import CustomFieldValue, custom_field_values, run_values_mutation
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.loaders import page_related, remember_page
from surety.graphql.nodes import global_id as gid
from surety.graphql.nodes import load_nodes
from surety.graphql.pagination import Connection, paginate
from surety.graphql.units import AmountInput, RateInput, amount_of, rate_of
from surety.graphql.workflow_types import current_task_field
from surety.plugins.guarantee.finance.graphql import GuaranteeBank
from surety.plugins.guarantee.origination.applications import (
    create_application,
    is_numbered,
    submit_application,
    update_application,
    update_settings,
    withdraw_application,
)
from surety.plugins.guarantee.origination.approval import ENTITY, SUBJECT_TYPE
from surety.plugins.guarantee.project import custom_fields as project_custom_fields
from surety.plugins.guarantee.project.codes import LOAN_CATEGORY, PRODUCT_CATEGORY, PRODUCT_KIND, PROJECT_STATUS
from surety.plugins.guarantee.project.conditions import conditions_by_project
from surety.plugins.guarantee.project.conditions_graphql import ApprovalCondition
from surety.plugins.guarantee.project.models import GuaranteeProduct as ProductRow
from surety.plugins.guarantee.project.models import GuaranteeProject as ProjectRow
from surety.plugins.guarantee.project.products import create_product, list_products, retire_product, update_product
from surety.plugins.guarantee.project.projects import (
    ORDER,
    ProjectFilter,
    banks_by_id,
    counter_guarantees_by_project,
    get_project,
    products_by_id,
    search_statement,
)
from surety.plugins.guarantee.risk.graphql import GuaranteeCounterGuarantee
from surety.plugins.guarantee.settings import get_settings


def _opt_id(value, type_name: str, field: str) -> uuid.UUID | None:
    return decode_node_id(value, type_name, field=field) if value else None


# ---------------------------------------------------------------- loaders (one query per kind and request) --------


#: The projects the request listed (remember_page), whose related fields load together (page_related).
PAGE_ROWS = "guarantee.page_rows"


def _related(info, name: str, batch, row: ProjectRow, key: str):
    return page_related(info, PAGE_ROWS, name, batch, row, key)


def _shown(info, name: str, row, convert):
    """``convert(row)``, made once per request for a row many projects of a page share (3 products, 10 banks)."""
    cache = info.context.loaders.setdefault(f"guarantee.shown_{name}", {})
    found = cache.get(row.id)
    if found is None:
        found = cache[row.id] = convert(row)
    return found


def _customers(session, rows):
    return door.summaries(session, [r.customer_id for r in rows])


def _products(session, rows):
    return products_by_id(session, [r.product_id for r in rows])


def _banks(session, rows):
    return banks_by_id(session, [r.bank_id for r in rows])


def _counter_guarantees(session, rows):
    found = counter_guarantees_by_project(session, [r.id for r in rows])
    return {r.id: found.get(r.id, []) for r in rows}


def _approval_conditions(session, rows):
    return conditions_by_project(session, [r.id for r in rows])


def _may_see_customer_names(info) -> bool:
    """Individuals' names are personal data: shown to holders of customers:customer:read (checked once a request)."""
    key = "guarantee.customer_names"
    if key not in info.context.loaders:
        info.context.loaders[key] = allowed(info, "customers:customer:read")
    return info.context.loaders[key]


# ---------------------------------------------------------------- types --------------------------------------------


@strawberry.type(description="A guarantee product of the tenant.")
class GuaranteeProduct(relay.Node):
    id: relay.NodeID[str]
    code: str
    name: str
    kind: str = strawberry.field(description="A code of the list guarantee.product_kind (codeLists): loan, bond, "
                                             "other_financing, bid, performance, litigation, advance_payment, ...")
    category: str = strawberry.field(description="financing | non_financing (follows from the kind)")
    min_amount: Decimal
    max_amount: Decimal | None
    min_term_months: int
    max_term_months: int
    default_fee_rate: Decimal | None
    requires_counter_guarantee: bool
    active: bool

    @strawberry.field(description="The kind in the reader's language (贷款担保, 投标保函...)")
    def kind_label(self) -> str:
        return PRODUCT_KIND.label(self.kind)

    @strawberry.field(description="融资担保 or 非融资担保, in the reader's language")
    def category_label(self) -> str:
        return PRODUCT_CATEGORY.label(self.category)

    @classmethod
    def from_row(cls, r: ProductRow) -> "GuaranteeProduct":
        return cls(id=str(r.id), code=r.code, name=r.name, kind=r.kind, category=r.category,
                   min_amount=r.min_amount, max_amount=r.max_amount, min_term_months=r.min_term_months,
                   max_term_months=r.max_term_months, default_fee_rate=r.default_fee_rate,
                   requires_counter_guarantee=r.requires_counter_guarantee, active=r.active)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, ProductRow, cls.from_row, node_ids, "guarantee:product:read")


@strawberry.type(description="The tenant's guarantee settings (number pattern, approval thresholds, monitoring day "
                             "counts, the guarantor's legal particulars documents print).")
class GuaranteeSettings:
    number_pattern: str = strawberry.field(description="e.g. DB-{yyyy}-{seq:05}")
    committee_threshold: Decimal = strawberry.field(description="Amounts above this go to the review committee")
    green_channel_max: Decimal = strawberry.field(description="Renewals up to this amount take the green channel")
    first_inspection_days: int = strawberry.field(description="First inspection due this many days after effect")
    inspection_interval_days: int = strawberry.field(description="Days between periodic inspections")
    expiring_within_days: int = strawberry.field(description="Remind of guarantees expiring within this many days")
    fee_due_within_days: int = strawberry.field(description="Remind of fee instalments due within this many days")
    legal_name: str = strawberry.field(description="The guarantor's legal name on documents (担保人名称); empty: "
                                                   "documents print the tenant's name")
    legal_address: str = strawberry.field(description="The guarantor's registered address (住所) on documents")
    legal_representative: str = strawberry.field(description="The guarantor's legal representative (法定代表人)")
    seal_text: str = strawberry.field(description="The text of the guarantor's contract seal (印章), printed in "
                                                  "the signature block")

    @classmethod
    def from_row(cls, r) -> "GuaranteeSettings":
        return cls(number_pattern=r.number_pattern, committee_threshold=r.committee_threshold,
                   green_channel_max=r.green_channel_max, first_inspection_days=r.first_inspection_days,
                   inspection_interval_days=r.inspection_interval_days,
                   expiring_within_days=r.expiring_within_days, fee_due_within_days=r.fee_due_within_days,
                   legal_name=r.legal_name or "", legal_address=r.legal_address or "",
                   legal_representative=r.legal_representative or "", seal_text=r.seal_text or "")


@strawberry.type(description="The customer of a project, as the customers plugin summarises it.")
class GuaranteeProjectCustomer:
    id: strawberry.ID = strawberry.field(description="The customer's global id (a Customer node)")
    kind: str
    name: str | None = strawberry.field(description="Null unless you hold customers:customer:read")
    deleted: bool


@strawberry.type(description="A guarantee project, from application to an effective guarantee.")
class GuaranteeProject(relay.Node):
    id: relay.NodeID[str]
    project_no: str | None = strawberry.field(description="The project number; null while a draft")
    status: str = strawberry.field(description="draft | in_approval | approved | rejected | withdrawn | contracted "
                                               "| effective | released | cancelled")
    amount: Decimal
    term_months: int
    purpose: str
    loan_category: str = strawberry.field(description="small_micro | farmer | housing | other")
    renewal: bool
    customer_kind: str
    flags: list[str] = strawberry.field(description="Screening flags attached at submission (e.g. watchlist)")
    risk_degree: Decimal | None
    risk_amount: Decimal | None
    in_force_balance: Decimal
    effective_date: dt.date | None
    beneficiary_name: str | None = strawberry.field(description="受益人 of a non-financing guarantee")
    underlying_contract: str | None = strawberry.field(description="基础合同/招标项目 of a non-financing guarantee")
    expiry_date: dt.date | None = strawberry.field(description="保函到期日: no claim is accepted after it")
    proposed_fee_rate: Decimal | None = strawberry.field(description="拟收担保费率 proposed with the application")
    proposed_fee: Decimal | None = strawberry.field(description="拟收担保费 (yuan) proposed with the application")
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    row: strawberry.Private[Any]

    @strawberry.field(description="The status in the reader's language (项目状态: 草稿, 审批中, 已生效...)")
    def status_label(self) -> str:
        return PROJECT_STATUS.label(self.status)

    @strawberry.field(description="The loan category in the reader's language (小微企业贷款...)")
    def loan_category_label(self) -> str:
        return LOAN_CATEGORY.label(self.loan_category)

    @strawberry.field(description="保函编号 of an issued non-financing guarantee (null otherwise)")
    def letter_no(self) -> str | None:
        return self.row.letter_no

    @strawberry.field(description="The tenant's custom fields of guarantee projects with their values "
                                  "(docs/custom-fields.md); sensitive values masked unless `value(reveal: true)` "
                                  "(core:pii:reveal, audited).")
    async def custom_fields(self, info: strawberry.Info) -> list[CustomFieldValue]:
        return await custom_field_values(info, project_custom_fields.ENTITY_TYPE, self.row.id, audit_entity=ENTITY)

    @classmethod
    def from_row(cls, r: ProjectRow) -> "GuaranteeProject":
        return cls(id=str(r.id), project_no=r.project_no if is_numbered(r) else None, status=r.status,
                   amount=r.amount, term_months=r.term_months, purpose=r.purpose, loan_category=r.loan_category,
                   renewal=r.renewal, customer_kind=r.customer_kind, flags=list(r.flags or []),
                   risk_degree=r.risk_degree, risk_amount=r.risk_amount, in_force_balance=r.in_force_balance,
                   effective_date=r.effective_date, beneficiary_name=r.beneficiary_name,
                   underlying_contract=r.underlying_contract, expiry_date=r.expiry_date,
                   proposed_fee_rate=r.proposed_fee_rate, proposed_fee=r.proposed_fee, created_at=r.created_at, submitted_at=r.submitted_at,
                   decided_at=r.decided_at, row=r)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        s = info.context.session
        return load_nodes(info, ProjectRow, cls.from_row, node_ids, "guarantee:project:read",
                          statement=lambda: search_statement(s, actor(info)))

    @strawberry.field(description="Global id of manager A (a User).")
    def manager_a_id(self) -> strawberry.ID:
        return gid("User", self.row.manager_a_id)

    @strawberry.field(description="Global id of manager B (a User).")
    def manager_b_id(self) -> strawberry.ID | None:
        return gid("User", self.row.manager_b_id)

    @strawberry.field(description="Global id of the project's org unit.")
    def org_unit_id(self) -> strawberry.ID | None:
        return gid("OrgUnit", self.row.org_unit_id)

    @strawberry.field(description="Global id of the approval's workflow instance (workflowInstance(id)).")
    def workflow_instance_id(self) -> strawberry.ID | None:
        return gid("WorkflowInstance", self.row.workflow_instance_id)

    @strawberry.field
    def customer(self, info: strawberry.Info) -> GuaranteeProjectCustomer | None:
        found = _related(info, "customers", _customers, self.row, "customer_id")
        if found is None:
            return None
        return GuaranteeProjectCustomer(id=gid("Customer", found["id"]), kind=found["kind"],
                                        name=found["name"] if _may_see_customer_names(info) else None,
                                        deleted=bool(found.get("deleted")))

    @strawberry.field
    def product(self, info: strawberry.Info) -> GuaranteeProduct:
        row = _related(info, "products", _products, self.row, "product_id")
        return _shown(info, "products", row, GuaranteeProduct.from_row)

    @strawberry.field
    def bank(self, info: strawberry.Info) -> GuaranteeBank | None:
        if self.row.bank_id is None:
            return None
        row = _related(info, "banks", _banks, self.row, "bank_id")
        return _shown(info, "banks", row, GuaranteeBank.from_row) if row else None

    @strawberry.field
    def counter_guarantees(self, info: strawberry.Info) -> list[GuaranteeCounterGuarantee]:
        rows = _related(info, "counter_guarantees", _counter_guarantees, self.row, "id")
        return [GuaranteeCounterGuarantee.from_row(r) for r in rows or []]

    @strawberry.field(description="The review committee's conditions on its approval (审保会决议的附加条件), tracked to "
                                  "fulfilment; the loan is confirmed only when none is open.")
    def approval_conditions(self, info: strawberry.Info) -> list[ApprovalCondition]:
        rows = _related(info, "approval_conditions", _approval_conditions, self.row, "id")
        return [ApprovalCondition.from_row(r) for r in rows or []]

    current_task = current_task_field(SUBJECT_TYPE, description=(
        "The current step of the project's running approval (who holds it, when it is due); null when none runs "
        "or you may not see the process (as workflowInstance)."))


# ---------------------------------------------------------------- inputs and payloads ------------------------------


@strawberry.input
class GuaranteeProjectFilterInput:
    status: str | None = None
    customer_id: strawberry.ID | None = None
    product_id: strawberry.ID | None = None
    bank_id: strawberry.ID | None = None
    manager_id: strawberry.ID | None = strawberry.field(default=None, description="Manager A or B (a User id)")
    org_unit_id: strawberry.ID | None = None
    project_no: str | None = strawberry.field(default=None, description="The number or its beginning")


@strawberry.input
class GuaranteeProductCreateInput:
    code: str
    name: str
    kind: str = strawberry.field(description="A product kind: its code or its zh-CN/English label (投标保函, bid ...)")
    min_amount: Decimal = Decimal("0")
    max_amount: Decimal | None = None
    min_term_months: int = 1
    max_term_months: int = 60
    default_fee_rate: Decimal | None = None
    requires_counter_guarantee: bool = True


@strawberry.input(description="Only the fields given are changed.")
class GuaranteeProductUpdateInput:
    id: strawberry.ID
    code: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    kind: str | None = strawberry.UNSET
    min_amount: Decimal | None = strawberry.UNSET
    max_amount: Decimal | None = strawberry.UNSET
    min_term_months: int | None = strawberry.UNSET
    max_term_months: int | None = strawberry.UNSET
    default_fee_rate: Decimal | None = strawberry.UNSET
    requires_counter_guarantee: bool | None = strawberry.UNSET


@strawberry.input(description="Only the fields given are changed.")
class GuaranteeSettingsUpdateInput:
    number_pattern: str | None = None
    committee_threshold: Decimal | None = None
    green_channel_max: Decimal | None = None
    first_inspection_days: int | None = None
    inspection_interval_days: int | None = None
    expiring_within_days: int | None = None
    fee_due_within_days: int | None = None
    legal_name: str | None = strawberry.field(default=None, description="担保人名称 on documents ('' clears it)")
    legal_address: str | None = strawberry.field(default=None, description="住所 on documents")
    legal_representative: str | None = strawberry.field(default=None, description="法定代表人 on documents")
    seal_text: str | None = strawberry.field(default=None, description="The contract seal's text (印章)")


@strawberry.input
class GuaranteeApplicationCreateInput:
    customer_id: strawberry.ID
    product_id: strawberry.ID
    amount: Decimal | None = strawberry.field(default=None, description="Yuan (or give amountWithUnit)")
    term_months: int
    purpose: str
    loan_category: str = strawberry.field(default="other", description="A loan category: its code or its zh-CN/"
                                                                      "English label (小微企业贷款, small_micro ...)")
    bank_id: strawberry.ID | None = strawberry.field(default=None, description="Required for loan guarantees")
    renewal: bool = False
    manager_a_id: strawberry.ID | None = strawberry.field(default=None, description="Default: you")
    manager_b_id: strawberry.ID | None = None
    beneficiary_name: str | None = strawberry.field(
        default=None, description="受益人: required before a non-financing guarantee (保函) is submitted")
    underlying_contract: str | None = strawberry.field(default=None, description="基础合同/招标项目")
    proposed_fee_rate: Decimal | None = strawberry.field(
        default=None, description="拟收担保费率, yearly, as a fraction (0.015 = 1.5 %)")
    proposed_fee: Decimal | None = strawberry.field(default=None, description="拟收担保费 in yuan")
    amount_with_unit: AmountInput | None = strawberry.field(
        default=None, description="The amount with its unit (元/万元) instead of `amount`")
    proposed_fee_with_unit: AmountInput | None = strawberry.field(
        default=None, description="拟收担保费 with its unit (元/万元) instead of `proposedFee`")
    proposed_fee_rate_with_unit: RateInput | None = strawberry.field(
        default=None, description="拟收担保费率 with its unit (fraction/percent) instead of `proposedFeeRate`")


@strawberry.input(description="Only the fields given are changed; null clears the bank or manager B.")
class GuaranteeApplicationUpdateInput:
    id: strawberry.ID
    customer_id: strawberry.ID | None = strawberry.UNSET
    product_id: strawberry.ID | None = strawberry.UNSET
    bank_id: strawberry.ID | None = strawberry.UNSET
    amount: Decimal | None = strawberry.UNSET
    term_months: int | None = strawberry.UNSET
    purpose: str | None = strawberry.UNSET
    loan_category: str | None = strawberry.UNSET
    renewal: bool | None = strawberry.UNSET
    manager_a_id: strawberry.ID | None = strawberry.UNSET
    manager_b_id: strawberry.ID | None = strawberry.UNSET
    beneficiary_name: str | None = strawberry.UNSET
    underlying_contract: str | None = strawberry.UNSET
    proposed_fee_rate: Decimal | None = strawberry.UNSET
    proposed_fee: Decimal | None = strawberry.UNSET
    amount_with_unit: AmountInput | None = strawberry.field(
        default=strawberry.UNSET, description="The amount with its unit (元/万元) instead of `amount`")
    proposed_fee_with_unit: AmountInput | None = strawberry.field(
        default=strawberry.UNSET, description="拟收担保费 with its unit (元/万元) instead of `proposedFee`")
    proposed_fee_rate_with_unit: RateInput | None = strawberry.field(
        default=strawberry.UNSET, description="拟收担保费率 with its unit (fraction/percent)")


@strawberry.type
class GuaranteeProductPayload:
    product: GuaranteeProduct | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeSettingsPayload:
    settings: GuaranteeSettings | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeProjectPayload:
    project: GuaranteeProject | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Custom values of a guarantee project: only the keys given change; null or empty "
                              "clears one.")
class GuaranteeProjectCustomFieldsSetInput:
    id: strawberry.ID
    values: JSON = strawberry.field(description="{key: value}: money and numbers as text (e.g. \"1200.50\"), dates "
                                                "as ISO text, multi-choice a list, a table a list of row objects.")


#: Input field -> (Relay type of its id, or None for plain values).
_APPLICATION_IDS = {"customer_id": "Customer", "product_id": "GuaranteeProduct", "bank_id": "GuaranteeBank",
                    "manager_a_id": "User", "manager_b_id": "User"}


def _given(obj, names) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names if getattr(obj, n) is not strawberry.UNSET}


#: Figures an application input may give with an explicit unit: (field, its unit field, converter, checks).
_WITH_UNIT = (("amount", "amount_with_unit", "amountWithUnit", amount_of, {"positive": True}),
              ("proposed_fee", "proposed_fee_with_unit", "proposedFeeWithUnit", amount_of, {}),
              ("proposed_fee_rate", "proposed_fee_rate_with_unit", "proposedFeeRateWithUnit", rate_of,
               {"high": Decimal("0.36")}))


def _application_data(values: dict[str, Any], input: Any) -> dict[str, Any]:
    """The service's data from an application input: ids decoded, a loan category given as its label turned into its
    code, figures given with a unit converted to yuan / fractions (both forms of one figure: refused)."""
    out = {}
    for name, value in values.items():
        kind = _APPLICATION_IDS.get(name)
        out[name] = _opt_id(value, kind, name) if kind else value
    if out.get("loan_category") is not None:
        out["loan_category"] = LOAN_CATEGORY.parse(out["loan_category"], "loan_category")
    for name, unit_name, unit_field, convert, checks in _WITH_UNIT:
        given = getattr(input, unit_name)
        if given is not strawberry.UNSET and given is not None:
            out[name] = convert(out.get(name), given, name, unit_field, **checks)
    return out


def _product_data(input: Any) -> dict[str, Any]:
    """A product input's fields; a kind given as its label (投标保函) turned into its code."""
    data = _given(input, _PRODUCT_FIELDS)
    if data.get("kind") is not None:
        data["kind"] = PRODUCT_KIND.parse(data["kind"], "kind")
    return data


_APPLICATION_FIELDS = ("customer_id", "product_id", "bank_id", "amount", "term_months", "purpose", "loan_category",
                       "renewal", "manager_a_id", "manager_b_id", "beneficiary_name", "underlying_contract",
                       "proposed_fee_rate", "proposed_fee")
_PRODUCT_FIELDS = ("code", "name", "kind", "min_amount", "max_amount", "min_term_months", "max_term_months",
                   "default_fee_rate", "requires_counter_guarantee")


# ---------------------------------------------------------------- root fields ---------------------------------------


@strawberry.type
class GuaranteeProjectsQuery:
    @strawberry.field(description="The tenant's guarantee products by code (retired ones when asked).")
    def guarantee_products(self, info: strawberry.Info, include_retired: bool = False) -> list[GuaranteeProduct]:
        return [GuaranteeProduct.from_row(p) for p in list_products(info.context.session, actor(info),
                                                                    include_retired=include_retired)]

    @strawberry.field(description="The tenant's guarantee settings (needs guarantee:product:read).")
    def guarantee_settings(self, info: strawberry.Info) -> GuaranteeSettings:
        require(info.context.session, actor(info), "guarantee:product", "read")
        return GuaranteeSettings.from_row(get_settings(info.context.session))

    @strawberry.field(description="One project (null when absent or outside your data scope).")
    def guarantee_project(self, info: strawberry.Info, id: strawberry.ID) -> GuaranteeProject | None:
        try:
            return GuaranteeProject.from_row(get_project(info.context.session, actor(info),
                                                         decode_node_id(id, "GuaranteeProject")))
        except NotFound:
            return None

    @strawberry.field(description="Projects in your data scope, newest first, filtered, keyset-paginated.")
    def guarantee_projects(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                           filter: GuaranteeProjectFilterInput | None = None) -> Connection[GuaranteeProject]:
        f = filter or GuaranteeProjectFilterInput()
        pf = ProjectFilter(status=f.status, project_no=f.project_no,
                           customer_id=_opt_id(f.customer_id, "Customer", "customerId"),
                           product_id=_opt_id(f.product_id, "GuaranteeProduct", "productId"),
                           bank_id=_opt_id(f.bank_id, "GuaranteeBank", "bankId"),
                           manager_id=_opt_id(f.manager_id, "User", "managerId"),
                           org_unit_id=_opt_id(f.org_unit_id, "OrgUnit", "orgUnitId"))
        s = info.context.session
        page = paginate(info, s, search_statement(s, actor(info), pf), order=list(ORDER),
                        to_node=GuaranteeProject.from_row, first=first, after=after, descending=True)
        # The related fields of the page's projects load together (_related).
        remember_page(info, PAGE_ROWS, (edge.node.row for edge in page.edges))
        return page


@strawberry.type
class GuaranteeProjectsMutation:
    @strawberry.mutation(description="Create a guarantee product (guarantee:product:manage).")
    def guarantee_product_create(self, info: strawberry.Info,
                                 input: GuaranteeProductCreateInput) -> GuaranteeProductPayload:
        def run():
            data = _product_data(input)
            return GuaranteeProductPayload(product=GuaranteeProduct.from_row(
                create_product(info.context.session, actor(info), data)))

        return run_mutation(info, GuaranteeProductPayload, run)

    @strawberry.mutation(description="Change a guarantee product (guarantee:product:manage).")
    def guarantee_product_update(self, info: strawberry.Info,
                                 input: GuaranteeProductUpdateInput) -> GuaranteeProductPayload:
        def run():
            pid = decode_node_id(input.id, "GuaranteeProduct")
            row = update_product(info.context.session, actor(info), pid, _product_data(input))
            return GuaranteeProductPayload(product=GuaranteeProduct.from_row(row))

        return run_mutation(info, GuaranteeProductPayload, run)

    @strawberry.mutation(description="Retire a guarantee product: no new applications under it.")
    def guarantee_product_retire(self, info: strawberry.Info, id: strawberry.ID) -> GuaranteeProductPayload:
        return run_mutation(info, GuaranteeProductPayload, lambda: GuaranteeProductPayload(
            product=GuaranteeProduct.from_row(retire_product(info.context.session, actor(info),
                                                             decode_node_id(id, "GuaranteeProduct")))))

    @strawberry.mutation(description="Change the number pattern, approval thresholds, monitoring day counts and the "
                                     "guarantor's legal particulars (guarantee:settings:manage).")
    def guarantee_settings_update(self, info: strawberry.Info,
                                  input: GuaranteeSettingsUpdateInput) -> GuaranteeSettingsPayload:
        return run_mutation(info, GuaranteeSettingsPayload, lambda: GuaranteeSettingsPayload(
            settings=GuaranteeSettings.from_row(update_settings(
                info.context.session, actor(info), number_pattern=input.number_pattern,
                committee_threshold=input.committee_threshold, green_channel_max=input.green_channel_max,
                first_inspection_days=input.first_inspection_days,
                inspection_interval_days=input.inspection_interval_days,
                expiring_within_days=input.expiring_within_days, fee_due_within_days=input.fee_due_within_days,
                legal_name=input.legal_name, legal_address=input.legal_address,
                legal_representative=input.legal_representative, seal_text=input.seal_text))))

    @strawberry.mutation(description="Set custom field values of a project (guarantee:project:update); every "
                                     "problem is returned at once, each error's field the custom field's key.")
    def guarantee_project_custom_fields_set(self, info: strawberry.Info, input: GuaranteeProjectCustomFieldsSetInput
                                            ) -> GuaranteeProjectPayload:
        def go():
            row = project_custom_fields.set_values(info.context.session, actor(info),
                                                   decode_node_id(input.id, "GuaranteeProject"), input.values)
            return GuaranteeProjectPayload(project=GuaranteeProject.from_row(row))

        return run_values_mutation(info, GuaranteeProjectPayload, go)

    @strawberry.mutation(description="Enter a draft application (guarantee:project:create).")
    def guarantee_application_create(self, info: strawberry.Info,
                                     input: GuaranteeApplicationCreateInput) -> GuaranteeProjectPayload:
        def run():
            values = _given(input, _APPLICATION_FIELDS)
            if values.get("manager_a_id") is None:
                values.pop("manager_a_id", None)
            row = create_application(info.context.session, actor(info), _application_data(values, input))
            return GuaranteeProjectPayload(project=GuaranteeProject.from_row(row))

        return run_mutation(info, GuaranteeProjectPayload, run)

    @strawberry.mutation(description="Change a draft application (guarantee:project:update).")
    def guarantee_application_update(self, info: strawberry.Info,
                                     input: GuaranteeApplicationUpdateInput) -> GuaranteeProjectPayload:
        def run():
            pid = decode_node_id(input.id, "GuaranteeProject")
            row = update_application(info.context.session, actor(info), pid,
                                     _application_data(_given(input, _APPLICATION_FIELDS), input))
            return GuaranteeProjectPayload(project=GuaranteeProject.from_row(row))

        return run_mutation(info, GuaranteeProjectPayload, run)

    @strawberry.mutation(description="Submit a draft for approval: screening, project number, approval workflow.")
    def guarantee_application_submit(self, info: strawberry.Info, id: strawberry.ID) -> GuaranteeProjectPayload:
        return run_mutation(info, GuaranteeProjectPayload, lambda: GuaranteeProjectPayload(
            project=GuaranteeProject.from_row(submit_application(info.context.session, actor(info),
                                                                 decode_node_id(id, "GuaranteeProject")))))

    @strawberry.mutation(description="Withdraw a submitted application (only whoever submitted it).")
    def guarantee_application_withdraw(self, info: strawberry.Info, id: strawberry.ID,
                                       comment: str | None = None) -> GuaranteeProjectPayload:
        return run_mutation(info, GuaranteeProjectPayload, lambda: GuaranteeProjectPayload(
            project=GuaranteeProject.from_row(withdraw_application(
                info.context.session, actor(info), decode_node_id(id, "GuaranteeProject"), comment=comment))))


QUERIES: tuple = (GuaranteeProjectsQuery,)
MUTATIONS: tuple = (GuaranteeProjectsMutation,)
TYPES: tuple = (GuaranteeProject, GuaranteeProduct)
