"""Loan origination (docs/microloan/loans.md): the application (贷款申请) on a customer of the shared pool, the
pre-loan investigation (贷前调查), submission to approval after the lending limits, the contract (借款合同) and the
disbursement (放款), which books the schedule and raises ``MicroloanDisbursed``.

Statuses (conventions.LOAN_STATUSES): draft -> investigating -> in_approval -> approved | rejected | withdrawn;
approved -> contracted -> active. An investigation concluding ``decline`` ends the loan ``rejected``.
Dates are business dates given by the caller (``today``: default the business date).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.types import to_money, utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.idempotency import idempotent
from surety.core.ports import customers as door
from surety.core.workflow import engine
from surety.plugins.microloan.conventions import LOAN_KINDS, LOAN_STATUSES
from surety.plugins.microloan.events import MicroloanDisbursed
from surety.plugins.microloan.loan import limits
from surety.plugins.microloan.loan.approval import DEFINITION_KEY, ENTITY, SUBJECT_TYPE, fields_of
from surety.plugins.microloan.loan.book import book_schedule, loan_terms
from surety.plugins.microloan.loan.models import MicroloanInvestigation, MicroloanLoan
from surety.plugins.microloan.loan.numbering import next_number
from surety.plugins.microloan.loan.permissions import LOAN
from surety.plugins.microloan.loan.scope import lock_loan, visible_loan
from surety.plugins.microloan.product.models import MicroloanProduct
from surety.plugins.microloan.product.services import schedule_terms, terms_of
from surety.plugins.microloan.schedule.builder import build
from surety.plugins.microloan.settings import get_settings

#: What ``customers.screen`` is told the new business is.
SCREEN_BUSINESS = "microloan:application"
#: Investigation conclusion -> zh-CN label.
INVESTIGATION_CONCLUSIONS = {"recommend": "建议发放", "decline": "建议不予发放"}
#: Fields of an application the applicant gives (and may change while it is a draft).
APPLICATION_FIELDS = ("customer_id", "product_id", "amount", "term_months", "kind", "online", "purpose", "manager_id")


def status_label(status: str) -> str:
    return LOAN_STATUSES.get(status, status)


# ---------------------------------------------------------------- reading -------------------------------------------


def get_loan(session: Session, actor: Actor | None, loan_id: uuid.UUID) -> MicroloanLoan:
    """One loan (needs microloan:loan:read and the loan in the actor's data scope, NotFound otherwise; ``actor``
    None: any loan of the tenant, for internal callers)."""
    if actor is not None:
        require(session, actor, LOAN, "read")
        return visible_loan(session, actor, loan_id)
    loan = session.scalar(select(MicroloanLoan).where(MicroloanLoan.id == loan_id))
    if loan is None:
        raise NotFound("No loan with that id.", field="loan_id")
    return loan


def investigation_of(session: Session, loan_id: uuid.UUID) -> MicroloanInvestigation | None:
    return session.scalar(select(MicroloanInvestigation).where(MicroloanInvestigation.loan_id == loan_id))


def _expect(loan: MicroloanLoan, *statuses: str) -> None:
    if loan.status not in statuses:
        raise Conflict("Loan {loan_no} is {status}; this needs it {expected}.", field="loan_id", loan_no=loan.loan_no,
                       status=status_label(loan.status), expected="/".join(status_label(s) for s in statuses))


def _image(loan: MicroloanLoan) -> dict[str, Any]:
    return {f: getattr(loan, f) for f in ("loan_no", "status", "customer_id", "product_id", "product_version",
                                          "kind", "online", "purpose", "amount", "term_months", "manager_id",
                                          "contract_no", "contract_signed_on", "disbursed_on")}


# ---------------------------------------------------------------- application ---------------------------------------


def _uuid(value: Any, field: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise ValidationFailed("{name} is not an id.", field=field, name=field) from None


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(APPLICATION_FIELDS))
    if unknown:
        raise ValidationFailed("Unknown loan field {name}.", field=unknown[0], name=unknown[0])
    out: dict[str, Any] = {}
    for f in ("customer_id", "product_id"):
        if f in data:
            out[f] = _uuid(data[f], f)
    if "manager_id" in data:
        out["manager_id"] = None if data["manager_id"] is None else _uuid(data["manager_id"], "manager_id")
    if "kind" in data:
        if data["kind"] not in LOAN_KINDS:
            raise ValidationFailed("kind is one of {choices}, not {value}.", field="kind",
                                   choices=", ".join(LOAN_KINDS), value=str(data["kind"])[:40])
        out["kind"] = data["kind"]
    if "online" in data:
        if not isinstance(data["online"], bool):
            raise ValidationFailed("online is true or false.", field="online")
        out["online"] = data["online"]
    if "purpose" in data:
        out["purpose"] = inputs.text(data["purpose"], "purpose", 200)
    for f in ("amount", "term_months"):
        if f in data:
            out[f] = data[f]  # checked against the product's ranges (schedule_terms)
    return out


def _customer(session: Session, customer_id: uuid.UUID, kind: str) -> None:
    """The borrower exists in the pool (not deleted), a consumer loan goes to an individual, and the screening of
    every business line lets it borrow (a blacklisted customer is refused: CUSTOMER_BLACKLISTED)."""
    summary = door.summary(session, customer_id)
    if summary is None or summary.get("deleted"):
        raise NotFound("No customer with that id.", field="customer_id")
    if kind == "consumer" and summary.get("kind") != "individual":
        raise ValidationFailed("A consumer loan is lent to an individual, not to a company.", field="kind")


def _product_terms(session: Session, loan: MicroloanLoan, today: dt.date) -> None:
    """Pin the product's current version on the loan after checking the product is offered and the amount and term
    are inside its ranges (the schedule preview's checks)."""
    product = session.scalar(select(MicroloanProduct).where(MicroloanProduct.id == loan.product_id))
    if product is None:
        raise NotFound("No loan product with that id.", field="product_id")
    if not product.active:
        raise ValidationFailed("The loan product {product_code} is no longer offered; choose another.",
                               field="product_id", product_code=product.code)
    terms = terms_of(session, product)
    checked = schedule_terms(terms, loan.amount, loan.term_months, today)
    loan.amount, loan.term_months, loan.product_version = checked.amount, checked.term_months, terms.version


def apply(session: Session, actor: Actor, data: Mapping[str, Any], *, today: dt.date | None = None) -> MicroloanLoan:
    """A new application (draft) with its loan number (needs microloan:loan:apply): ``customer_id`` (shared pool,
    screened), ``product_id`` (offered), ``amount`` and ``term_months`` (inside the product's ranges), ``kind``
    (consumer/business), ``online``, ``purpose``, ``manager_id`` (default: the applicant)."""
    require(session, actor, LOAN, "apply")
    today = today or engine.business_today()
    fields = {"online": False, "purpose": "", **_clean(data)}
    for f in ("customer_id", "product_id", "amount", "term_months", "kind"):
        if f not in fields:
            raise ValidationFailed("Give {name}.", field=f, name=f)
    _customer(session, fields["customer_id"], fields["kind"])
    flags = door.screen(session, fields["customer_id"], SCREEN_BUSINESS)
    loan = MicroloanLoan(status="draft", created_by=actor.id_uuid, department_id=actor.org_unit_id,
                         **{**fields, "manager_id": fields.get("manager_id") or actor.id_uuid})
    _product_terms(session, loan, today)
    loan.loan_no = next_number(session, get_settings(session).number_pattern, today)
    session.add(loan)
    session.flush()
    audit(session, "microloan.loan.applied", entity_type=ENTITY, entity_id=loan.id,
          after={**_image(loan), "flags": flags}, actor=actor)
    return loan


def update_draft(session: Session, actor: Actor, loan_id: uuid.UUID, data: Mapping[str, Any], *,
                 today: dt.date | None = None) -> MicroloanLoan:
    """Change the given fields of a draft (needs microloan:loan:apply); the product's ranges are checked again and
    its current version pinned."""
    require(session, actor, LOAN, "apply")
    loan = lock_loan(session, actor, loan_id)
    _expect(loan, "draft")
    fields = _clean(data)
    before = _image(loan)
    for name, value in fields.items():
        setattr(loan, name, value)
    if {"customer_id", "kind"} & set(fields):
        _customer(session, loan.customer_id, loan.kind)
        door.screen(session, loan.customer_id, SCREEN_BUSINESS)
    _product_terms(session, loan, today or engine.business_today())
    loan.updated_at = utcnow()
    session.flush()
    after = _image(loan)
    if after != before:
        audit(session, "microloan.loan.updated", entity_type=ENTITY, entity_id=loan.id, before=before, after=after,
              actor=actor)
    return loan


# ---------------------------------------------------------------- investigation -------------------------------------


def start_investigation(session: Session, actor: Actor, loan_id: uuid.UUID) -> MicroloanLoan:
    """draft -> investigating (needs microloan:loan:investigate)."""
    require(session, actor, LOAN, "investigate")
    loan = lock_loan(session, actor, loan_id)
    _expect(loan, "draft")
    loan.status, loan.updated_at = "investigating", utcnow()
    session.flush()
    audit(session, "microloan.loan.investigation_started", entity_type=ENTITY, entity_id=loan.id,
          before={"status": "draft"}, after={"status": loan.status}, actor=actor)
    return loan


def _figure(data: Mapping[str, Any], name: str) -> str | None:
    value = inputs.money(data.get(name), name, required=False)
    return None if value is None else str(value)


def record_investigation(session: Session, actor: Actor, loan_id: uuid.UUID, *, findings: Any, conclusion: Any,
                         visited_on: dt.date | None = None, annual_income: Any = None, total_assets: Any = None,
                         total_liabilities: Any = None) -> MicroloanInvestigation:
    """Record the investigation of a loan under investigation (needs microloan:loan:investigate; the actor is the
    investigator): the visit's business date (default today, never in the future), the findings, the borrower's
    yearly income, assets and liabilities (yuan, optional; stored encrypted) and the conclusion (``recommend`` /
    ``decline``). Recorded again, it replaces the earlier one. ``decline`` ends the loan ``rejected``."""
    require(session, actor, LOAN, "investigate")
    loan = lock_loan(session, actor, loan_id)
    _expect(loan, "investigating")
    if conclusion not in INVESTIGATION_CONCLUSIONS:
        raise ValidationFailed("conclusion is one of {choices}, not {value}.", field="conclusion",
                               choices=", ".join(INVESTIGATION_CONCLUSIONS), value=str(conclusion)[:40])
    values = {"findings": inputs.text(findings, "findings", 4000, required=True),
              "visited_on": inputs.day(visited_on, "visited_on"), "conclusion": conclusion,
              "investigator_id": actor.id_uuid,
              **{f: _figure({f: v}, f) for f, v in (("annual_income", annual_income), ("total_assets", total_assets),
                                                    ("total_liabilities", total_liabilities))}}
    row = investigation_of(session, loan.id)
    if row is None:
        row = MicroloanInvestigation(loan_id=loan.id, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.created_at = utcnow()
    if conclusion == "decline":
        loan.status = "rejected"
    loan.updated_at = utcnow()
    session.flush()
    # The findings and figures are personal data: the audit names what was recorded, not its content.
    audit(session, "microloan.loan.investigated", entity_type=ENTITY, entity_id=loan.id,
          after={"status": loan.status, "conclusion": conclusion, "visited_on": values["visited_on"],
                 "figures": sorted(f for f in ("annual_income", "total_assets", "total_liabilities") if values[f])},
          actor=actor)
    return row


# ---------------------------------------------------------------- submission ----------------------------------------


def submit(session: Session, actor: Actor, loan_id: uuid.UUID, *, today: dt.date | None = None) -> MicroloanLoan:
    """Send an investigated loan (conclusion ``recommend``) to approval (needs microloan:loan:apply): the customer
    screened again, every lending limit checked (loan/limits.py: refused naming the limit, figures and excess), the
    product's ranges checked again, then the approval ``microloan.loan`` started on the route its amount takes."""
    require(session, actor, LOAN, "apply")
    today = today or engine.business_today()
    with session.begin_nested():
        loan = lock_loan(session, actor, loan_id)
        _expect(loan, "investigating")
        found = investigation_of(session, loan.id)
        if found is None or found.conclusion != "recommend":
            raise ValidationFailed("Record the investigation, recommending the loan, before submitting it.",
                                   field="investigation")
        _customer(session, loan.customer_id, loan.kind)
        flags = door.screen(session, loan.customer_id, SCREEN_BUSINESS)
        _product_terms(session, loan, today)
        checked = limits.enforce(session, loan)
        loan.status, loan.updated_at = "in_approval", utcnow()
        session.flush()
        current = fields_of(session, loan, flags=flags)
        instance = engine.start(session, actor, definition_key=DEFINITION_KEY, subject_type=SUBJECT_TYPE,
                                subject_id=str(loan.id), subject=current, current=current,
                                title=f"小额贷款 {loan.loan_no}", today=today)
        loan.workflow_instance_id = instance.id
        session.flush()
        audit(session, "microloan.loan.submitted", entity_type=ENTITY, entity_id=loan.id,
              after={**_image(loan), "flags": flags, "workflow_instance_id": instance.id,
                     "approval_levels": current["approval_levels"],
                     "limits": {line.limit: {"ceiling": line.ceiling, "total": line.total} for line in checked}},
              actor=actor)
    return loan


# ---------------------------------------------------------------- contract and disbursement -------------------------


def sign_contract(session: Session, actor: Actor, loan_id: uuid.UUID, contract_no: Any,
                  signed_on: dt.date | None = None) -> MicroloanLoan:
    """Record the signed loan contract of an approved loan (needs microloan:loan:disburse): approved -> contracted.
    ``contract_no`` unique in the tenant; ``signed_on`` a business date, not in the future (default today)."""
    require(session, actor, LOAN, "disburse")
    number = inputs.text(contract_no, "contract_no", 60, required=True)
    day = inputs.day(signed_on, "signed_on")
    loan = lock_loan(session, actor, loan_id)
    _expect(loan, "approved")
    taken = session.scalar(select(MicroloanLoan.loan_no).where(MicroloanLoan.contract_no == number))
    if taken is not None:
        raise Conflict("The contract number {contract_no} is already used by loan {loan_no}.", field="contract_no",
                       contract_no=number, loan_no=taken)
    loan.contract_no, loan.contract_signed_on, loan.status, loan.updated_at = number, day, "contracted", utcnow()
    session.flush()
    audit(session, "microloan.loan.contracted", entity_type=ENTITY, entity_id=loan.id,
          before={"status": "approved"}, after={"status": loan.status, "contract_no": number, "signed_on": day},
          actor=actor)
    return loan


def disburse(session: Session, actor: Actor, loan_id: uuid.UUID, disbursed_on: dt.date | None = None,
             first_due_date: dt.date | None = None, *, idempotency_key: str | None = None) -> MicroloanLoan:
    """Pay out a contracted loan (needs microloan:loan:disburse): contracted -> active. The schedule is built with the
    loan's product version from ``disbursed_on`` (a business date, not in the future nor before the contract) and
    booked (revision 0), ``upfront_fee`` = amount x the version's upfront fee rate (to the fen, half up), and
    ``MicroloanDisbursed`` raised in the same transaction. Once per ``idempotency_key`` (core.idempotency): the same
    key again returns the loan and writes nothing."""
    require(session, actor, LOAN, "disburse")

    def perform() -> MicroloanLoan:
        loan = lock_loan(session, actor, loan_id)
        _expect(loan, "contracted")
        day = inputs.day(disbursed_on, "disbursed_on", not_before=loan.contract_signed_on,
                         since="the contract date")
        terms = loan_terms(session, loan)
        schedule = build(schedule_terms(terms, loan.amount, loan.term_months, day, first_due_date))
        book_schedule(session, loan, schedule)
        loan.disbursed_on, loan.status, loan.updated_at = day, "active", utcnow()
        loan.upfront_fee = to_money(loan.amount * terms.upfront_fee_rate)
        session.flush()
        raise_event(session, MicroloanDisbursed(loan_id=loan.id, loan_no=loan.loan_no, customer_id=loan.customer_id,
                                                amount=loan.amount, upfront_fee=loan.upfront_fee, disbursed_on=day))
        audit(session, "microloan.loan.disbursed", entity_type=ENTITY, entity_id=loan.id,
              before={"status": "contracted"},
              after={"status": loan.status, "amount": loan.amount, "upfront_fee": loan.upfront_fee,
                     "disbursed_on": day, "first_due_date": loan.first_due_date,
                     "maturity_date": loan.maturity_date, "installments": len(schedule.rows)},
              actor=actor)
        return loan

    with session.begin_nested():
        return idempotent(session, actor, scope="microloan.loan.disburse", key=idempotency_key,
                          params={"loan_id": loan_id, "disbursed_on": disbursed_on,
                                  "first_due_date": first_due_date}, perform=perform)
