"""GraphQL of the ledger (台账): a project's ledger, the company ledger (keyset-paginated, with its totals), the
entries awaiting the caller's confirmation and their confirmation (thin: the rules are in ``ledger``). ``QUERIES``
and ``MUTATIONS`` join the schema's Query and Mutation; ``TYPES`` are registered too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from surety.core.errors import DomainError
from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError, run_mutation
from surety.graphql.nodes import global_id as gid
from surety.graphql.pagination import Connection, paginate
from surety.plugins.guarantee.ledger import entries as ledger

PROJECT_TYPE = "GuaranteeProject"
ENTRY_TYPE = "GuaranteeLedgerEntry"


# ---------------------------------------------------------------- types --------------------------------------------


@strawberry.type(description="One ledger entry: a business fact with money in it, and its confirmation (manager -> "
                             "risk -> finance -> confirmed).")
class GuaranteeLedgerEntry:
    id: strawberry.ID
    project_id: strawberry.ID
    kind: str = strawberry.field(description="review_fee | guarantee_fee | margin_in | fee_refund | margin_out | loan "
                                             "| repayment | release | compensation | recovery | write_off")
    detail: str = strawberry.field(description="fee_refund: the refunded fee type; release: full | partial; "
                                               "recovery: the action kind; otherwise empty")
    amount: Decimal = strawberry.field(description="compensation: what the company paid (the claim less the bank's "
                                                   "risk share)")
    principal: Decimal | None = strawberry.field(description="compensation: the claim's principal (本金); null on "
                                                             "other kinds")
    interest: Decimal | None = strawberry.field(description="compensation: the claim's interest (利息)")
    penalty: Decimal | None = strawberry.field(description="compensation: the claim's penalty interest (罚息)")
    bank_share: Decimal | None = strawberry.field(description="compensation: the part of the claim the bank bears "
                                                              "(its risk share)")
    entry_date: dt.date
    source_type: str = strawberry.field(description="The table of the row the fact came from")
    source_id: strawberry.ID = strawberry.field(description="That row's id (a UUID)")
    stage: str = strawberry.field(description="Who confirms next: manager | risk | finance; or confirmed")
    manager_by: strawberry.ID | None
    manager_at: dt.datetime | None
    risk_by: strawberry.ID | None
    risk_at: dt.datetime | None
    finance_by: strawberry.ID | None
    finance_at: dt.datetime | None

    @classmethod
    def from_row(cls, r) -> "GuaranteeLedgerEntry":
        return cls(id=gid(ENTRY_TYPE, r.id), project_id=gid(PROJECT_TYPE, r.project_id), kind=r.kind,
                   detail=r.detail or "", amount=r.amount, principal=r.principal, interest=r.interest,
                   penalty=r.penalty, bank_share=r.bank_share, entry_date=r.entry_date, source_type=r.source_type,
                   source_id=strawberry.ID(str(r.source_id)), stage=r.stage, manager_by=gid("User", r.manager_by),
                   manager_at=r.manager_at, risk_by=gid("User", r.risk_by), risk_at=r.risk_at,
                   finance_by=gid("User", r.finance_by), finance_at=r.finance_at)


@strawberry.type(description="Ledger figures (yuan): fees net of their refunds, margin held = in - out, sums of "
                             "entries; the in-force balance is the project's own.")
class GuaranteeLedgerFigures:
    review_fee: Decimal
    guarantee_fee: Decimal
    margin_held: Decimal
    loan_amount: Decimal
    in_force_balance: Decimal
    repaid: Decimal
    released: Decimal
    compensated: Decimal = strawberry.field(description="Compensation the company paid (claims less the bank's share)")
    compensated_principal: Decimal = strawberry.field(description="The compensation claims' principal (代偿本金)")
    compensated_interest: Decimal = strawberry.field(description="The compensation claims' interest (代偿利息)")
    compensated_penalty: Decimal = strawberry.field(description="The compensation claims' penalty interest (代偿罚息)")
    compensation_bank_share: Decimal = strawberry.field(description="The bank's risk share of the compensation "
                                                                    "claims (银行分担)")
    recovered: Decimal
    written_off: Decimal

    @classmethod
    def of(cls, f: ledger.LedgerFigures) -> "GuaranteeLedgerFigures":
        return cls(**{name: getattr(f, name) for name in ledger.FIGURES})


@strawberry.type(description="A project's ledger: its entries in date order and its figures.")
class GuaranteeProjectLedger:
    project_id: strawberry.ID
    project_no: str | None
    entries: list[GuaranteeLedgerEntry]
    figures: GuaranteeLedgerFigures
    confirmed_figures: GuaranteeLedgerFigures = strawberry.field(description="The figures over confirmed entries "
                                                                             "only")


@strawberry.type(description="One project of the company ledger.")
class GuaranteeLedgerRow:
    project_id: strawberry.ID
    project_no: str | None
    customer_id: strawberry.ID
    customer_name: str | None = strawberry.field(description="Null unless you hold customers:customer:read")
    bank_id: strawberry.ID | None
    bank_name: str | None
    status: str
    risk_class: str = strawberry.field(description="normal | special_mention | substandard | doubtful | loss")
    effective_date: dt.date | None
    org_unit_id: strawberry.ID | None
    figures: GuaranteeLedgerFigures
    unconfirmed: int = strawberry.field(description="Entries of the project not yet confirmed")

    @classmethod
    def of(cls, r: ledger.LedgerRow) -> "GuaranteeLedgerRow":
        return cls(project_id=gid(PROJECT_TYPE, r.project_id), project_no=r.project_no,
                   customer_id=gid("Customer", r.customer_id), customer_name=r.customer_name,
                   bank_id=gid("GuaranteeBank", r.bank_id), bank_name=r.bank_name, status=r.status,
                   risk_class=r.risk_class, effective_date=r.effective_date, org_unit_id=gid("OrgUnit", r.org_unit_id),
                   figures=GuaranteeLedgerFigures.of(r.figures), unconfirmed=r.unconfirmed)


@strawberry.type(description="Totals of the company ledger over every matching project.")
class GuaranteeLedgerTotals:
    projects: int
    figures: GuaranteeLedgerFigures
    unconfirmed: int


@strawberry.input(description="Projects that took effect, in your data scope, narrowed by these.")
class GuaranteeCompanyLedgerFilterInput:
    status: str | None = strawberry.field(default=None, description="e.g. effective | released")
    bank_id: strawberry.ID | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    org_unit_id: strawberry.ID | None = strawberry.field(default=None, description="This unit and those below it")


def _filter(f: GuaranteeCompanyLedgerFilterInput | None) -> ledger.CompanyLedgerFilter:
    f = f or GuaranteeCompanyLedgerFilterInput()
    return ledger.CompanyLedgerFilter(
        status=f.status, effective_from=f.effective_from, effective_to=f.effective_to,
        bank_id=decode_node_id(f.bank_id, "GuaranteeBank", field="bankId") if f.bank_id else None,
        org_unit_id=decode_node_id(f.org_unit_id, "OrgUnit", field="orgUnitId") if f.org_unit_id else None)


# ---------------------------------------------------------------- queries ------------------------------------------


@strawberry.type
class GuaranteeLedgerQuery:
    @strawberry.field(description="A project's ledger: entries in date order and figures (all and confirmed only).")
    def guarantee_project_ledger(self, info: strawberry.Info, project_id: strawberry.ID) -> GuaranteeProjectLedger:
        got = ledger.project_ledger(info.context.session, actor(info),
                                    decode_node_id(project_id, PROJECT_TYPE, field="projectId"))
        return GuaranteeProjectLedger(project_id=gid(PROJECT_TYPE, got.project.id), project_no=got.project.project_no,
                                      entries=[GuaranteeLedgerEntry.from_row(e) for e in got.entries],
                                      figures=GuaranteeLedgerFigures.of(got.figures),
                                      confirmed_figures=GuaranteeLedgerFigures.of(got.confirmed))

    @strawberry.field(description="The company ledger: one row per project that took effect, in your data scope, "
                                  "newest project first, keyset-paginated.")
    def guarantee_company_ledger(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                                 filter: GuaranteeCompanyLedgerFilterInput | None = None
                                 ) -> Connection[GuaranteeLedgerRow]:
        s, who = info.context.session, actor(info)
        page = paginate(info, s, ledger.company_statement(s, who, _filter(filter)), order=list(ledger.COMPANY_ORDER),
                        to_node=lambda p: p, first=first, after=after, descending=True)
        # One query for the page's entry sums, one for its banks, one customers_summaries call.
        rows = ledger.company_rows(s, who, [edge.node for edge in page.edges])
        for edge, row in zip(page.edges, rows):
            edge.node = GuaranteeLedgerRow.of(row)
        return page

    @strawberry.field(description="Totals of the company ledger over every project matching the filter.")
    def guarantee_company_ledger_totals(self, info: strawberry.Info,
                                        filter: GuaranteeCompanyLedgerFilterInput | None = None
                                        ) -> GuaranteeLedgerTotals:
        t = ledger.company_totals(info.context.session, actor(info), _filter(filter))
        return GuaranteeLedgerTotals(projects=t.projects, figures=GuaranteeLedgerFigures.of(t.figures),
                                     unconfirmed=t.unconfirmed)

    @strawberry.field(description="Ledger entries awaiting your confirmation, oldest first.")
    def guarantee_ledger_awaiting(self, info: strawberry.Info, first: int | None = None, after: str | None = None
                                  ) -> Connection[GuaranteeLedgerEntry]:
        s = info.context.session
        return paginate(info, s, ledger.awaiting_statement(s, actor(info)), order=list(ledger.AWAITING_ORDER),
                        to_node=GuaranteeLedgerEntry.from_row, first=first, after=after)


# ---------------------------------------------------------------- mutations ----------------------------------------


@strawberry.input(description="Entries to confirm, each at its current stage: all of them or none.")
class GuaranteeLedgerConfirmInput:
    entry_ids: list[strawberry.ID]


@strawberry.type
class GuaranteeLedgerConfirmPayload:
    entries: list[GuaranteeLedgerEntry] = strawberry.field(default_factory=list)
    failed_entry_id: strawberry.ID | None = strawberry.field(default=None, description="The first entry that "
                                                                                      "could not be confirmed")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GuaranteeLedgerMutation:
    @strawberry.mutation(description="Confirm ledger entries at their stage (manager, then risk, then finance), "
                                     "all or none.")
    def guarantee_ledger_confirm(self, info: strawberry.Info, input: GuaranteeLedgerConfirmInput
                                 ) -> GuaranteeLedgerConfirmPayload:
        failed: list = []

        def go():
            ids = [decode_node_id(i, ENTRY_TYPE, field="entryIds") for i in input.entry_ids]
            try:
                rows = ledger.confirm(info.context.session, actor(info), ids)
            except DomainError as exc:
                failed.append(exc.details.get("entry_id"))
                raise
            return GuaranteeLedgerConfirmPayload(entries=[GuaranteeLedgerEntry.from_row(r) for r in rows])

        payload = run_mutation(info, GuaranteeLedgerConfirmPayload, go)
        if failed and failed[0]:
            payload.failed_entry_id = gid(ENTRY_TYPE, failed[0])
        return payload


QUERIES: tuple = (GuaranteeLedgerQuery,)
MUTATIONS: tuple = (GuaranteeLedgerMutation,)
TYPES: tuple = (GuaranteeLedgerEntry, GuaranteeLedgerFigures, GuaranteeLedgerRow, GuaranteeProjectLedger,
                GuaranteeLedgerTotals)
