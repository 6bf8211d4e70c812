"""Upgrade of a tenant that used the guarantee plugin before its processes, ledger and monitoring existed
(docs/guarantee/upgrade.md): :func:`backfill` writes the records the new code derives from business facts, for the
facts recorded before it. Run inside one tenant session, by the plugin's ``surety_tenant_provisioned`` hook and by
``surety tenant sync``. Idempotent, and cheap when there is nothing to do (one set-based query per kind of record).

1. Workflow definitions: the plugin's default definitions the tenant lacks are installed and published
   (``install_defaults``: every definition of ``plugin.PROCESSES``, e.g. ``guarantee.release`` for a tenant
   from before releases were approved; the compensation claims below need ``guarantee.compensation``).
2. Ledger: each money fact without its ledger entry (fee receipts and refunds, projects that took effect,
   repayments, releases, paid compensations, recoveries > 0, written-off receivables) gets the entry ledger.on_event
   writes: the event is rebuilt from the row and handed to ``ledger.on_event`` alone (no outbox row, no other
   handler). Facts already having an entry (unique ``(source_type, source_id)``) are left out by the query; rows are
   read by id in chunks of :data:`CHUNK`.
3. Inspection plans: every effective project with an in-force balance > 0 and no plan gets one
   (``inspections.ensure_plan`` from its effective date and the tenant's settings).
4. Compensation claims left ``claimed`` without an approval instance (recorded before claims were decided through
   the workflow) start ``guarantee.compensation`` as the system actor ``guarantee.upgrade``; the instance id is kept
   on the claim (audited ``guarantee.compensation.approval_started``).
5. Default early-warning indicators the tenant lacks (``early_warnings.install_default_indicators``).

Everything runs as the system actor ``guarantee.upgrade``. When anything was done, one audit record
``guarantee.upgrade.backfilled`` carries the counts (and the ledger entries by kind).
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.context import ACTOR_SYSTEM, Actor, acting
from surety.core.db.locking import lock_by_id
from surety.core.db.session import session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import NotFound
from surety.core.workflow import engine
from surety.core.workflow.definitions import install_defaults
from surety.core.workflow.models import INSTANCE_RUNNING, WorkflowInstance
from surety.plugins.guarantee.compensation.approval import CLAIM_DEFINITION, CLAIM_SUBJECT, claim_fields
from surety.plugins.guarantee.compensation.events import (
    GuaranteeCompensationPaid,
    GuaranteeLossWrittenOff,
    GuaranteeRecovered,
)
from surety.plugins.guarantee.compensation.models import (
    CLAIM_CLAIMED,
    CLAIM_COMPENSATED,
    GuaranteeCompensation,
    GuaranteeCompensationReceivable,
    GuaranteeRecoveryAction,
)
from surety.plugins.guarantee.finance.events import GuaranteeFeeReceived, GuaranteeFeeRefunded, GuaranteeTookEffect
from surety.plugins.guarantee.finance.models import GuaranteeFeeReceipt, GuaranteeFeeRefund
from surety.plugins.guarantee.ledger import entries as ledger
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.monitoring import inspections
from surety.plugins.guarantee.monitoring.models import GuaranteeInspectionPlan
from surety.plugins.guarantee.project.models import STATUS_EFFECTIVE, GuaranteeProduct, GuaranteeProject
from surety.plugins.guarantee.release.events import GuaranteeReleased, GuaranteeRepaymentRecorded
from surety.plugins.guarantee.release.models import GuaranteeRelease, GuaranteeRepayment
from surety.plugins.guarantee.warnings import early_warnings

log = logging.getLogger(__name__)

#: The system actor the upgrade acts as (audit records, workflow timelines).
SYSTEM_ID = "guarantee.upgrade"
#: Rows read per query.
CHUNK = 500
#: Keys of the counts :func:`backfill` returns.
COUNTS = ("workflow_definitions", "ledger_entries", "inspection_plans", "compensation_workflows",
          "warning_indicators")

E = GuaranteeLedgerEntry
P = GuaranteeProject
C = GuaranteeCompensation
R = GuaranteeCompensationReceivable


def backfill(session: Session) -> dict[str, int]:
    """Write the derived records missing from the tenant's past business facts (see the module docstring); returns
    how many of each were written (keys :data:`COUNTS`; all 0 when there was nothing to do)."""

    tenant = session_tenant(session)
    counts = dict.fromkeys(COUNTS, 0)
    with acting(Actor(type=ACTOR_SYSTEM, id=SYSTEM_ID, tenant_id=tenant)):
        counts["workflow_definitions"] = len(install_defaults(session, ["guarantee"]))
        by_kind = backfill_ledger(session, tenant)
        counts["ledger_entries"] = sum(by_kind.values())
        counts["inspection_plans"] = backfill_plans(session)
        counts["compensation_workflows"] = start_claim_workflows(session)
        counts["warning_indicators"] = early_warnings.install_default_indicators(session)
        if any(counts.values()):
            audit(session, "guarantee.upgrade.backfilled", entity_type="tenant", entity_id=tenant,
                  after={**counts, "ledger_by_kind": dict(sorted(by_kind.items()))})
    return counts


# ---------------------------------------------------------------- reading in chunks --------------------------------


def _chunks(session: Session, stmt: Select, key) -> Iterator[list]:
    """The rows of ``stmt`` in ``key`` order, CHUNK at a time (keyset paging: rows that write nothing are not read
    again)."""
    last = None
    while True:
        page = stmt if last is None else stmt.where(key > last)
        rows = session.execute(page.order_by(key).limit(CHUNK)).all()
        if not rows:
            return
        yield rows
        if len(rows) < CHUNK:
            return
        last = rows[-1].id


def _no_entry(model, source_type: str):
    """No ledger entry names a row of ``model`` as its source (the ledger's unique (source_type, source_id))."""
    return ~exists().where(E.tenant_id == model.tenant_id, E.source_type == source_type, E.source_id == model.id)


# ---------------------------------------------------------------- 2. ledger ----------------------------------------


def _receipts() -> tuple[Select, Callable]:
    m = GuaranteeFeeReceipt
    stmt = select(m.id, m.project_id, m.fee_type, m.amount, m.received_on).where(
        _no_entry(m, "guarantee_fee_receipts"))
    return stmt, lambda r: GuaranteeFeeReceived(project_id=r.project_id, receipt_id=r.id, fee_type=r.fee_type,
                                                amount=r.amount, received_on=r.received_on)


def _refunds() -> tuple[Select, Callable]:
    m = GuaranteeFeeRefund
    stmt = select(m.id, m.project_id, m.fee_type, m.amount, m.refunded_on).where(
        _no_entry(m, "guarantee_fee_refunds"))
    return stmt, lambda r: GuaranteeFeeRefunded(project_id=r.project_id, refund_id=r.id, fee_type=r.fee_type,
                                                amount=r.amount, refunded_on=r.refunded_on)


def _took_effect() -> tuple[Select, Callable]:
    # The loan amount is what the entry records: a project that took effect without one (never written by
    # loans.confirm_loan) is left out rather than given an invented amount.
    # A non-financing letter of guarantee carries its category and expiry as issuance raised them.
    stmt = (select(P.id, P.project_no, P.customer_id, P.bank_id, P.loan_amount, P.effective_date, P.loan_end_date,
                   P.expiry_date, GuaranteeProduct.category)
            .join(GuaranteeProduct, GuaranteeProduct.id == P.product_id)
            .where(P.effective_date.is_not(None), P.loan_amount.is_not(None), _no_entry(P, "guarantee_projects")))
    return stmt, lambda r: GuaranteeTookEffect(
        project_id=r.id, project_no=r.project_no, customer_id=r.customer_id, bank_id=r.bank_id,
        loan_amount=r.loan_amount, in_force_balance=r.loan_amount, effective_date=r.effective_date,
        loan_end_date=r.loan_end_date, category=r.category, expiry_date=r.expiry_date)


def _repayments() -> tuple[Select, Callable]:
    m = GuaranteeRepayment
    stmt = select(m.id, m.project_id, m.amount, m.balance_after, m.repaid_on).where(
        _no_entry(m, "guarantee_repayments"))
    return stmt, lambda r: GuaranteeRepaymentRecorded(project_id=r.project_id, repayment_id=r.id, amount=r.amount,
                                                      balance_after=r.balance_after, repaid_on=r.repaid_on)


def _releases() -> tuple[Select, Callable]:
    m = GuaranteeRelease
    stmt = (select(m.id, m.project_id, P.project_no, m.kind, m.amount, m.released_amount, m.balance_after,
                   m.line_released, m.margin_refunded, m.released_on)
            .join(P, and_(P.tenant_id == m.tenant_id, P.id == m.project_id))
            .where(_no_entry(m, "guarantee_releases")))
    return stmt, lambda r: GuaranteeReleased(
        project_id=r.project_id, project_no=r.project_no, release_id=r.id, kind=r.kind,
        released_amount=r.released_amount, balance_released=r.amount, balance_after=r.balance_after, line_released=r.line_released, margin_refunded=r.margin_refunded,
        released_on=r.released_on)


def _compensations() -> tuple[Select, Callable]:
    # ``in_force_balance`` (the balance after the payment) is not kept per claim: the project's current balance
    # stands in for it (the ledger reads amount, date, ids and the claim's components only). The components and
    # the bank's share come from the claim, as the live payment's event carries them.
    stmt = (select(C.id, C.project_id, C.paid_amount, C.paid_on, C.claimed_amount, C.principal, C.interest,
                   C.penalty, C.bank_share, R.id.label("receivable_id"), P.bank_id, P.in_force_balance, P.status)
            .join(P, and_(P.tenant_id == C.tenant_id, P.id == C.project_id))
            .outerjoin(R, and_(R.tenant_id == C.tenant_id, R.compensation_id == C.id))
            .where(C.status == CLAIM_COMPENSATED, C.paid_amount.is_not(None), C.paid_on.is_not(None),
                   _no_entry(C, "guarantee_compensations")))
    return stmt, lambda r: GuaranteeCompensationPaid(
        project_id=r.project_id, compensation_id=r.id, receivable_id=r.receivable_id, bank_id=r.bank_id,
        amount=r.paid_amount, paid_on=r.paid_on, in_force_balance=r.in_force_balance,
        claimed_amount=r.claimed_amount, principal=r.principal, interest=r.interest, penalty=r.penalty,
        bank_share=r.bank_share, project_status=r.status)


def _recoveries() -> tuple[Select, Callable]:
    m = GuaranteeRecoveryAction
    # ``outstanding`` is the receivable's current one (not kept per action; the ledger does not read it).
    stmt = (select(m.id, m.project_id, m.receivable_id, m.kind, m.amount, m.action_date, R.paid, R.recovered,
                   R.written_off)
            .join(R, and_(R.tenant_id == m.tenant_id, R.id == m.receivable_id))
            .where(m.amount > 0, _no_entry(m, "guarantee_recovery_actions")))
    return stmt, lambda r: GuaranteeRecovered(
        project_id=r.project_id, receivable_id=r.receivable_id, action_id=r.id, kind=r.kind, amount=r.amount,
        recovered_on=r.action_date, outstanding=r.paid - r.recovered - r.written_off)


def _write_offs() -> tuple[Select, Callable]:
    day = func.coalesce(R.written_off_on, R.closed_on).label("day")
    stmt = (select(R.id, R.project_id, R.written_off, day)
            .where(R.written_off > 0, day.is_not(None), _no_entry(R, "guarantee_compensation_receivables")))
    return stmt, lambda r: GuaranteeLossWrittenOff(project_id=r.project_id, receivable_id=r.id, amount=r.written_off,
                                                   written_off_on=r.day)


#: (model, statement and event builder) of each kind of money fact, in the order they are backfilled.
LEDGER_SOURCES = ((GuaranteeFeeReceipt, _receipts), (GuaranteeFeeRefund, _refunds), (P, _took_effect),
                  (GuaranteeRepayment, _repayments), (GuaranteeRelease, _releases), (C, _compensations),
                  (GuaranteeRecoveryAction, _recoveries), (R, _write_offs))


def backfill_ledger(session: Session, tenant: uuid.UUID) -> Counter:
    """Write the ledger entries missing from past money facts through ``ledger.on_event``; the entries written by
    kind."""
    written: Counter = Counter()
    for model, build in LEDGER_SOURCES:
        stmt, event_of = build()
        for rows in _chunks(session, stmt, model.id):
            for row in rows:
                event = dataclasses.replace(event_of(row), tenant_id=tenant)
                entry = ledger.on_event(session, event)
                if entry is not None:
                    written[entry.kind] += 1
    skipped = session.scalar(select(func.count()).select_from(P).where(
        P.effective_date.is_not(None), P.loan_amount.is_(None), _no_entry(P, "guarantee_projects")))
    if skipped:
        log.warning("guarantee upgrade: %d project(s) took effect without a loan amount; no loan entry written",
                    skipped)
    return written


# ---------------------------------------------------------------- 3. inspection plans -----------------------------


def backfill_plans(session: Session) -> int:
    """An inspection plan for each effective project with an in-force balance > 0 and none."""
    plan = GuaranteeInspectionPlan
    no_plan = ~exists().where(plan.tenant_id == P.tenant_id, plan.project_id == P.id)
    stmt = select(P.id, P.effective_date).where(P.status == STATUS_EFFECTIVE, P.effective_date.is_not(None),
                                                P.in_force_balance > 0, no_plan)
    created = 0
    for rows in _chunks(session, stmt, P.id):
        for row in rows:
            if inspections.find_plan(session, row.id) is None:
                inspections.ensure_plan(session, row.id, row.effective_date)
                created += 1
    return created


# ---------------------------------------------------------------- 4. claims awaiting a decision --------------------


def _running_instance(session: Session, claim_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(select(WorkflowInstance.id).where(
        WorkflowInstance.subject_type == CLAIM_SUBJECT, WorkflowInstance.subject_id == str(claim_id),
        WorkflowInstance.definition_key == CLAIM_DEFINITION, WorkflowInstance.status == INSTANCE_RUNNING))


def start_claim_workflows(session: Session) -> int:
    """Start ``guarantee.compensation`` for each claim left ``claimed`` without an instance (as the system actor)
    and keep the instance id on the claim. A claim whose subject already has a running instance of the process is
    linked to it instead. Each claim is row-locked and checked again before it is changed."""

    stmt = select(C.id).where(C.status == CLAIM_CLAIMED, C.workflow_instance_id.is_(None))
    started = 0
    for rows in _chunks(session, stmt, C.id):
        for row in rows:
            try:
                claim_row = lock_by_id(session, C, row.id, "status", "compensation claim", "compensation_id")
            except NotFound:
                continue
            if claim_row.status != CLAIM_CLAIMED or claim_row.workflow_instance_id is not None:
                continue
            fields = claim_fields(session, str(claim_row.id))
            if fields is None:
                continue
            instance_id = _running_instance(session, claim_row.id)
            if instance_id is None:
                instance_id = engine.start_as_system(
                    session, SYSTEM_ID, definition_key=CLAIM_DEFINITION, subject_type=CLAIM_SUBJECT,
                    subject_id=str(claim_row.id), subject=fields,
                    title=f"代偿 {fields['project_no']} {inputs.yuan(claim_row.claimed_amount)}").id
            claim_row.workflow_instance_id = instance_id
            claim_row.updated_at = utcnow()
            session.flush()
            audit(session, "guarantee.compensation.approval_started", entity_type=CLAIM_SUBJECT,
                  entity_id=claim_row.id, before={"workflow_instance_id": None},
                  after={"project_id": str(claim_row.project_id), "status": claim_row.status,
                         "workflow_instance_id": str(instance_id), "by": SYSTEM_ID})
            started += 1
    return started


__all__ = ["backfill", "backfill_ledger", "backfill_plans", "start_claim_workflows", "COUNTS", "SYSTEM_ID"]
