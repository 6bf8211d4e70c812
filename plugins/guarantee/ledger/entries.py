"""The ledger (台账): one entry per business fact with money in it, per project and for the company.

* :func:`on_event` -- called by the plugin for every domain event, in the writing transaction: a fee received or
  refunded, the loan taking effect, a repayment, a release, a compensation payment, a recovery or a loss write-off
  writes one entry (kinds in ledger_models). ``(source_type, source_id)`` names the row the fact came from and is
  unique: an event handled twice writes one entry.
* :func:`confirm` -- entries are confirmed in turn: the project's manager (A or B), then the risk officer
  (guarantee:ledger:confirm_risk), then finance (guarantee:ledger:confirm_finance); each stage by someone other than
  who confirmed the earlier stages. A batch confirms every entry or none (the first bad entry is named). Entry rows
  are locked (in id order), each confirmation audited. :func:`awaiting` lists what awaits the actor.
* :func:`project_ledger` -- a project's entries in date order and its figures (all entries, and confirmed only).
* :func:`company_statement` / :func:`company_rows` / :func:`company_totals` -- one row per project that took
  effect, within the actor's data scope, with the same figures; ``ledger_export`` writes it to .xlsx.

Figures (:class:`LedgerFigures`): review fee and guarantee fee received net of their refunds, margin held (in - out),
loan amount, repaid, released, compensated, recovered, written off -- sums of entries -- and the in-force balance,
the project's own column.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import allowed, audit_denial, require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.db.session import session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.identity.models import OrgUnit
from surety.core.ports import customers as door
from surety.plugins.guarantee.finance.models import FEE_GUARANTEE, FEE_MARGIN, FEE_REVIEW
from surety.plugins.guarantee.ledger.models import (
    KIND_COMPENSATION,
    KIND_FEE_REFUND,
    KIND_GUARANTEE_FEE,
    KIND_LOAN,
    KIND_MARGIN_IN,
    KIND_MARGIN_OUT,
    KIND_RECOVERY,
    KIND_RELEASE,
    KIND_REPAYMENT,
    KIND_REVIEW_FEE,
    KIND_WRITE_OFF,
    NEXT_STAGE,
    STAGE_CONFIRMED,
    STAGE_FINANCE,
    STAGE_MANAGER,
    STAGE_RISK,
    GuaranteeLedgerEntry,
)
from surety.plugins.guarantee.permissions import LEDGER, PROJECT
from surety.plugins.guarantee.project.models import PROJECT_STATUSES, GuaranteeProject
from surety.plugins.guarantee.project.projects import banks_by_id, get_project, scoped

ENTITY = "guarantee:ledger_entry"
ZERO = Decimal("0.00")
#: Most entries one confirmation takes.
MAX_BATCH = 500

E = GuaranteeLedgerEntry
P = GuaranteeProject


# ---------------------------------------------------------------- entries from events ------------------------------

#: The columns a compensation entry carries besides its amount (from GuaranteeCompensationPaid).
COMPONENT_COLUMNS = ("principal", "interest", "penalty", "bank_share")

_RECEIPT_KINDS = {FEE_REVIEW: KIND_REVIEW_FEE, FEE_GUARANTEE: KIND_GUARANTEE_FEE, FEE_MARGIN: KIND_MARGIN_IN}


def _fact(event) -> tuple | None:
    """(kind, amount, date, source_type, source_id, detail) of the entry an event writes; None for other events."""
    name = event.event_type
    if name == "GuaranteeFeeReceived":
        kind = _RECEIPT_KINDS.get(event.fee_type)
        return kind and (kind, event.amount, event.received_on, "guarantee_fee_receipts", event.receipt_id,
                         event.fee_type)
    if name == "GuaranteeFeeRefunded":
        kind = KIND_MARGIN_OUT if event.fee_type == FEE_MARGIN else KIND_FEE_REFUND
        return kind, event.amount, event.refunded_on, "guarantee_fee_refunds", event.refund_id, event.fee_type
    if name == "GuaranteeTookEffect":
        return KIND_LOAN, event.loan_amount, event.effective_date, "guarantee_projects", event.project_id, ""
    if name == "GuaranteeRepaymentRecorded":
        return KIND_REPAYMENT, event.amount, event.repaid_on, "guarantee_repayments", event.repayment_id, ""
    if name == "GuaranteeReleased":
        return (KIND_RELEASE, event.released_amount, event.released_on, "guarantee_releases", event.release_id,
                event.kind)
    if name == "GuaranteeCompensationPaid":
        return (KIND_COMPENSATION, event.amount, event.paid_on, "guarantee_compensations", event.compensation_id,
                "")
    if name == "GuaranteeRecovered":
        return KIND_RECOVERY, event.amount, event.recovered_on, "guarantee_recovery_actions", event.action_id, \
            event.kind
    if name == "GuaranteeLossWrittenOff":
        return (KIND_WRITE_OFF, event.amount, event.written_off_on, "guarantee_compensation_receivables",
                event.receivable_id, "")
    return None


def on_event(session: Session, event) -> GuaranteeLedgerEntry | None:
    """``surety_handle_event``: write the entry of a money event (see :func:`_fact`) unless its source already has
    one; returns the new entry (None when the event writes none or was handled before). The business action that
    raised the event is audited; the entry names its source row."""
    fact = _fact(event)
    if not fact:
        return None
    kind, amount, day, source_type, source_id, detail = fact
    exists = session.scalar(select(E.id).where(E.source_type == source_type, E.source_id == source_id))
    if exists is not None:
        return None
    parts = {k: getattr(event, k) for k in COMPONENT_COLUMNS} if kind == KIND_COMPENSATION else {}
    entry = E(project_id=event.project_id, kind=kind, amount=amount, entry_date=day, source_type=source_type,
              source_id=source_id, detail=detail or "", stage=STAGE_MANAGER, created_at=utcnow(), **parts)
    session.add(entry)
    session.flush()
    return entry


# ---------------------------------------------------------------- figures ------------------------------------------


@dataclasses.dataclass(frozen=True)
class LedgerFigures:
    review_fee: Decimal = ZERO
    guarantee_fee: Decimal = ZERO
    margin_held: Decimal = ZERO
    loan_amount: Decimal = ZERO
    in_force_balance: Decimal = ZERO
    repaid: Decimal = ZERO
    released: Decimal = ZERO
    compensated: Decimal = ZERO
    #: The compensation claims' components (gross: the bank's claims) and the bank's risk share of them;
    #: compensated = principal + interest + penalty - bank share.
    compensated_principal: Decimal = ZERO
    compensated_interest: Decimal = ZERO
    compensated_penalty: Decimal = ZERO
    compensation_bank_share: Decimal = ZERO
    recovered: Decimal = ZERO
    written_off: Decimal = ZERO


#: The figures summed from entries (in_force_balance is the project's column).
ENTRY_FIGURES = ("review_fee", "guarantee_fee", "margin_held", "loan_amount", "repaid", "released", "compensated",
                 "compensated_principal", "compensated_interest", "compensated_penalty", "compensation_bank_share",
                 "recovered", "written_off")
#: Compensation figures summed from a column of the compensation entries.
_COMPONENT_FIGURES = {"compensated_principal": E.principal, "compensated_interest": E.interest,
                      "compensated_penalty": E.penalty, "compensation_bank_share": E.bank_share}
FIGURES = tuple(f.name for f in dataclasses.fields(LedgerFigures))


def _whens(name: str) -> list[tuple]:
    """(condition, signed amount) pairs of a figure."""
    refund = lambda fee: and_(E.kind == KIND_FEE_REFUND, E.detail == fee)  # noqa: E731
    plain = {"loan_amount": KIND_LOAN, "repaid": KIND_REPAYMENT, "released": KIND_RELEASE,
             "compensated": KIND_COMPENSATION, "recovered": KIND_RECOVERY, "written_off": KIND_WRITE_OFF}
    if name == "review_fee":
        return [(E.kind == KIND_REVIEW_FEE, E.amount), (refund(FEE_REVIEW), -E.amount)]
    if name == "guarantee_fee":
        return [(E.kind == KIND_GUARANTEE_FEE, E.amount), (refund(FEE_GUARANTEE), -E.amount)]
    if name == "margin_held":
        return [(E.kind == KIND_MARGIN_IN, E.amount), (E.kind == KIND_MARGIN_OUT, -E.amount)]
    if name in _COMPONENT_FIGURES:
        return [(and_(E.kind == KIND_COMPENSATION, _COMPONENT_FIGURES[name].is_not(None)), _COMPONENT_FIGURES[name])]
    return [(E.kind == plain[name], E.amount)]


def figure_columns(*, confirmed: bool = False, prefix: str = "") -> list:
    """``sum(...)`` of each of ENTRY_FIGURES over GuaranteeLedgerEntry rows (confirmed ones only when asked),
    labelled ``prefix + name``; NULL when no entry counts."""
    out = []
    for name in ENTRY_FIGURES:
        whens = [(and_(E.stage == STAGE_CONFIRMED, cond) if confirmed else cond, value)
                 for cond, value in _whens(name)]
        out.append(func.sum(case(*whens, else_=0)).label(prefix + name))
    return out


def unconfirmed_column():
    return func.sum(case((E.stage != STAGE_CONFIRMED, 1), else_=0)).label("unconfirmed")


def _money(value) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(ZERO)


def figures_of(values, in_force_balance: Decimal, prefix: str = "") -> LedgerFigures:
    """LedgerFigures from a row holding the ``figure_columns`` (attributes ``prefix + name``)."""
    return LedgerFigures(in_force_balance=_money(in_force_balance),
                         **{n: _money(getattr(values, prefix + n, None)) for n in ENTRY_FIGURES})


# ---------------------------------------------------------------- project ledger -----------------------------------


@dataclasses.dataclass(frozen=True)
class ProjectLedger:
    project: GuaranteeProject
    entries: list[GuaranteeLedgerEntry]
    figures: LedgerFigures
    #: The same figures over confirmed entries only.
    confirmed: LedgerFigures


def project_ledger(session: Session, actor: Actor, project_id: uuid.UUID) -> ProjectLedger:
    """A project's entries in date order (then as written) and its figures (needs guarantee:ledger:read and the
    project in the data scope: NotFound outside it)."""
    require(session, actor, LEDGER, "read")
    project = get_project(session, actor, project_id)
    entries = list(session.scalars(select(E).where(E.project_id == project.id)
                                   .order_by(E.entry_date, E.created_at, E.id)))
    row = session.execute(select(*figure_columns(), *figure_columns(confirmed=True, prefix="c_"))
                          .where(E.project_id == project.id)).one()
    return ProjectLedger(project=project, entries=entries, figures=figures_of(row, project.in_force_balance),
                         confirmed=figures_of(row, project.in_force_balance, "c_"))


# ---------------------------------------------------------------- confirmation -------------------------------------


class LedgerEntryNotConfirmable(Conflict):
    """The entry is already confirmed (or changed stage meanwhile)."""

    code = "GUARANTEE_LEDGER_ALREADY_CONFIRMED"


def _stage_refusal(actor: Actor, entry: GuaranteeLedgerEntry, project: GuaranteeProject | None,
                   may: dict[str, bool]) -> Exception | None:
    """Why ``actor`` may not confirm ``entry`` (of a project in their scope) at its stage (None when it may)."""
    who = actor.id_uuid
    details = {"field": "entry_ids", "entry_id": str(entry.id), "stage": entry.stage}
    if entry.stage == STAGE_CONFIRMED:
        return LedgerEntryNotConfirmable("The ledger entry {entry_id} is already confirmed.", **details)
    if entry.stage == STAGE_MANAGER:
        if project is None or who is None or who not in (project.manager_a_id, project.manager_b_id):
            return PermissionDenied("The ledger entry {entry_id} is confirmed first by the project's manager (A or B).",
                                    **details)
        return None
    if entry.stage == STAGE_RISK and not may[STAGE_RISK]:
        return PermissionDenied("The ledger entry {entry_id} awaits the risk officer: this needs the permission "
                                "'{permission}'.", permission=f"{LEDGER}:confirm_risk", **details)
    if entry.stage == STAGE_FINANCE and not may[STAGE_FINANCE]:
        return PermissionDenied("The ledger entry {entry_id} awaits finance: this needs the permission "
                                "'{permission}'.", permission=f"{LEDGER}:confirm_finance", **details)
    if who is not None and who in (entry.manager_by, entry.risk_by):
        return PermissionDenied("The ledger entry {entry_id} must be confirmed at the {stage} stage by someone other "
                                "than who confirmed its earlier stages.", **details)
    return None


def _projects_in_scope(session: Session, actor: Actor, project_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``project_ids`` the actor may see: in their data scope (``projects.scoped``, with
    guarantee:project:read) or managed by them (manager A or B)."""
    who = actor.id_uuid
    if not project_ids:
        return set()
    found: set[uuid.UUID] = set()
    if who is not None:
        found |= set(session.scalars(select(P.id).where(P.id.in_(project_ids),
                                                        or_(P.manager_a_id == who, P.manager_b_id == who))))
    if allowed(session, actor, PROJECT, "read"):
        found |= set(session.scalars(scoped(session, actor, select(P.id).where(P.id.in_(project_ids)))))
    return found


def confirm(session: Session, actor: Actor, entry_ids: Iterable[uuid.UUID]) -> list[GuaranteeLedgerEntry]:
    """Confirm each entry at its current stage and move it to the next (manager -> risk -> finance -> confirmed).
    Every entry or none. First the data scope, for every entry: an unknown entry, or one of a project outside the
    actor's data scope (being the project's manager A or B counts as in scope), is NOT_FOUND, the first such (in
    the order given) named, whatever its stage. Then the stages: the first entry (in the order given) that the
    actor may not confirm is named in the error (``entry_id``; field ``entry_ids``). Entries are row-locked in id
    order; each confirmation is audited. Returns the entries in the order given."""
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        raise ValidationFailed("Give the ledger entries to confirm.", field="entry_ids")
    if len(ids) > MAX_BATCH:
        raise ValidationFailed("Confirm at most {max_batch} entries at a time.", field="entry_ids",
                               max_batch=MAX_BATCH)
    # The scope before anything about the entries (their stage) is read or locked: an entry's project never changes.
    owners = dict(session.execute(select(E.id, E.project_id).where(E.id.in_(ids))).all())
    visible = _projects_in_scope(session, actor, set(owners.values()))
    for entry_id in ids:
        if owners.get(entry_id) not in visible:
            raise NotFound("No ledger entry {entry_id}.", field="entry_ids", entry_id=str(entry_id))
    locked: dict[uuid.UUID, GuaranteeLedgerEntry] = {}
    for entry_id in sorted(ids):
        try:
            locked[entry_id] = lock_by_id(session, E, entry_id, "stage", "ledger entry", "entry_ids")
        except NotFound as exc:
            raise NotFound("No ledger entry {entry_id}.", field="entry_ids", entry_id=str(entry_id)) from exc
    project_ids = {e.project_id for e in locked.values()}
    projects = {p.id: p for p in session.scalars(select(P).where(P.id.in_(project_ids)))}
    stages = {e.stage for e in locked.values()}
    may = {STAGE_RISK: STAGE_RISK in stages and allowed(session, actor, LEDGER, "confirm_risk"),
           STAGE_FINANCE: STAGE_FINANCE in stages and allowed(session, actor, LEDGER, "confirm_finance")}
    for entry_id in ids:
        entry = locked[entry_id]
        refusal = _stage_refusal(actor, entry, projects.get(entry.project_id), may)
        if refusal is not None:
            if entry.stage in (STAGE_RISK, STAGE_FINANCE) and not may[entry.stage]:
                audit_denial(session, actor, f"{LEDGER}:confirm_{entry.stage}")
            raise refusal
    now = utcnow()
    for entry_id in ids:
        entry = locked[entry_id]
        before = {"stage": entry.stage}
        stage = entry.stage
        setattr(entry, f"{stage}_by", actor.id_uuid)
        setattr(entry, f"{stage}_at", now)
        entry.stage = NEXT_STAGE[stage]
        audit(session, "guarantee.ledger_entry.confirmed", entity_type=ENTITY, entity_id=entry.id, before=before,
              after={"stage": entry.stage, "confirmed_stage": stage, "project_id": str(entry.project_id),
                     "kind": entry.kind, "amount": str(entry.amount)}, actor=actor)
    session.flush()
    return [locked[i] for i in ids]


def awaiting_statement(session: Session, actor: Actor) -> Select:
    """A SELECT of the entries awaiting the actor's confirmation: at the manager stage on projects the actor
    manages (A or B); at the risk stage with guarantee:ledger:confirm_risk, at the finance stage with
    guarantee:ledger:confirm_finance, on projects in the actor's data scope and not confirmed by the actor at an
    earlier stage. Needs guarantee:ledger:read."""
    require(session, actor, LEDGER, "read")
    who = actor.id_uuid
    if who is None:
        return select(E).where(false())
    stmt = select(E).join(P, and_(P.tenant_id == E.tenant_id, P.id == E.project_id))
    ways = [and_(E.stage == STAGE_MANAGER, or_(P.manager_a_id == who, P.manager_b_id == who))]
    staff = []
    not_mine = or_(E.manager_by.is_(None), E.manager_by != who)
    if allowed(session, actor, LEDGER, "confirm_risk"):
        staff.append(and_(E.stage == STAGE_RISK, not_mine))
    if allowed(session, actor, LEDGER, "confirm_finance"):
        staff.append(and_(E.stage == STAGE_FINANCE, not_mine, or_(E.risk_by.is_(None), E.risk_by != who)))
    if staff:
        visible = scoped(session, actor, select(P.id).where(P.tenant_id == session_tenant(session)))
        ways.append(and_(or_(*staff), E.project_id.in_(visible)))
    return stmt.where(or_(*ways))


#: Order of the awaiting list: oldest entry first.
AWAITING_ORDER = (E.entry_date, E.id)


def awaiting(session: Session, actor: Actor, *, limit: int = 100) -> list[GuaranteeLedgerEntry]:
    """The first ``limit`` entries awaiting the actor's confirmation, oldest first (GraphQL pages further)."""
    return list(session.scalars(awaiting_statement(session, actor).order_by(*AWAITING_ORDER).limit(limit)))


# ---------------------------------------------------------------- company ledger -----------------------------------


@dataclasses.dataclass
class CompanyLedgerFilter:
    status: str | None = None
    bank_id: uuid.UUID | None = None
    #: Effective dates from / to (inclusive).
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    #: This org unit and the units below it (within the actor's data scope in any case).
    org_unit_id: uuid.UUID | None = None


def _filtered(session: Session, actor: Actor, stmt: Select, f: CompanyLedgerFilter | None) -> Select:
    """``stmt`` (over projects) restricted to projects that took effect, matching ``f``, in the actor's data
    scope (needs guarantee:ledger:read and guarantee:project:read)."""

    require(session, actor, LEDGER, "read")
    f = f or CompanyLedgerFilter()
    tenant = session_tenant(session)
    stmt = stmt.where(P.tenant_id == tenant, P.effective_date.is_not(None))
    if f.status:
        if f.status not in PROJECT_STATUSES:
            raise ValidationFailed("A project status is one of {statuses}.", field="status",
                                   statuses=", ".join(PROJECT_STATUSES))
        stmt = stmt.where(P.status == f.status)
    if f.bank_id is not None:
        stmt = stmt.where(P.bank_id == f.bank_id)
    if f.effective_from and f.effective_to and f.effective_from > f.effective_to:
        raise ValidationFailed("The effective date range ends before it starts.", field="effective_to")
    if f.effective_from:
        stmt = stmt.where(P.effective_date >= f.effective_from)
    if f.effective_to:
        stmt = stmt.where(P.effective_date <= f.effective_to)
    if f.org_unit_id is not None:
        path = session.scalar(select(OrgUnit.path).where(OrgUnit.id == f.org_unit_id))
        if path is None:
            raise NotFound("No org unit with that id.", field="org_unit_id")
        units = select(OrgUnit.id).where(OrgUnit.tenant_id == tenant, OrgUnit.path.startswith(path, autoescape=True))
        stmt = stmt.where(P.org_unit_id.in_(units))
    return scoped(session, actor, stmt)


def company_statement(session: Session, actor: Actor, f: CompanyLedgerFilter | None = None) -> Select:
    """A SELECT of the projects of the company ledger (see :func:`_filtered`); GraphQL pages it by id."""
    return _filtered(session, actor, select(P), f)


#: Listing order of the company ledger in GraphQL (newest project first, as the project list).
COMPANY_ORDER = (P.id,)


@dataclasses.dataclass(frozen=True)
class LedgerRow:
    project_id: uuid.UUID
    project_no: str | None
    customer_id: uuid.UUID
    #: None unless the caller may read customers (individuals' names are personal data) or no plugin answers.
    customer_name: str | None
    bank_id: uuid.UUID | None
    bank_name: str | None
    status: str
    risk_class: str
    effective_date: dt.date | None
    org_unit_id: uuid.UUID | None
    figures: LedgerFigures
    #: Entries of the project not yet confirmed.
    unconfirmed: int


def may_see_customer_names(session: Session, actor: Actor) -> bool:
    return allowed(session, actor, "customers:customer", "read")


def _aggregates(session: Session, project_ids: Sequence[uuid.UUID]) -> dict:
    if not project_ids:
        return {}
    rows = session.execute(select(E.project_id, *figure_columns(), unconfirmed_column())
                           .where(E.project_id.in_(project_ids)).group_by(E.project_id))
    return {r.project_id: r for r in rows}


def _names(session: Session, customer_ids: Iterable[uuid.UUID], show: bool) -> dict:
    if not show:
        return {}
    return door.names(session, customer_ids)


def company_rows(session: Session, actor: Actor, projects: Sequence[GuaranteeProject]) -> list[LedgerRow]:
    """Ledger rows of a page of projects (from :func:`company_statement`): one aggregate query over their entries,
    one for their banks, one customers_summaries call, whatever the page size."""

    ids = [p.id for p in projects]
    agg = _aggregates(session, ids)
    banks = banks_by_id(session, (p.bank_id for p in projects))
    names = _names(session, (p.customer_id for p in projects), may_see_customer_names(session, actor))
    out = []
    for p in projects:
        a = agg.get(p.id)
        bank = banks.get(p.bank_id) if p.bank_id else None
        out.append(LedgerRow(project_id=p.id, project_no=p.project_no, customer_id=p.customer_id,
                             customer_name=names.get(p.customer_id), bank_id=p.bank_id,
                             bank_name=bank.name if bank else None, status=p.status, risk_class=p.risk_class,
                             effective_date=p.effective_date, org_unit_id=p.org_unit_id,
                             figures=figures_of(a, p.in_force_balance),
                             unconfirmed=int(a.unconfirmed or 0) if a else 0))
    return out


@dataclasses.dataclass(frozen=True)
class LedgerTotals:
    projects: int
    figures: LedgerFigures
    unconfirmed: int


def company_totals(session: Session, actor: Actor, f: CompanyLedgerFilter | None = None) -> LedgerTotals:
    """Totals of the company ledger over every matching project (two aggregate queries)."""
    projects = _filtered(session, actor, select(func.count(P.id).label("n"),
                                                func.sum(P.in_force_balance).label("balance")), f)
    count = session.execute(projects).one()
    ids = _filtered(session, actor, select(P.id), f)
    row = session.execute(select(*figure_columns(), unconfirmed_column())
                          .where(E.tenant_id == session_tenant(session), E.project_id.in_(ids))).one()
    return LedgerTotals(projects=int(count.n or 0), figures=figures_of(row, count.balance),
                        unconfirmed=int(row.unconfirmed or 0))


def export_statement(session: Session, actor: Actor, f: CompanyLedgerFilter | None = None) -> Select:
    """One SELECT of every company-ledger row with its figures (projects outer-joined to their entries' sums),
    ordered by effective date then id: what the export streams."""
    tenant = session_tenant(session)
    agg = (select(E.project_id, *figure_columns(), unconfirmed_column())
           .where(E.tenant_id == tenant).group_by(E.project_id).subquery("ledger_sums"))
    stmt = (select(P.id, P.project_no, P.customer_id, P.bank_id, P.status, P.risk_class, P.effective_date,
                   P.in_force_balance, *(agg.c[n] for n in ENTRY_FIGURES), agg.c.unconfirmed)
            .outerjoin(agg, agg.c.project_id == P.id))
    return _filtered(session, actor, stmt, f).order_by(P.effective_date, P.id)
