"""Compensation claims (代偿补偿): a partner that compensated the bank claims the re-guarantor's share of the covered
loss on one filing; the claim is reviewed through the workflow engine (claim/process.py) and paid
(docs/reguarantee/claims.md, with worked numbers).

Conventions, stated once:

- Covered base: the unpaid principal x the filing's ``cover_ratio``, half-up to the fen, capped at what the partner
  compensated.
- Claim: the covered base x the filing's re-guarantor fraction ``share_reguarantor / guarantee_amount`` (the split
  as it was applied to this filing when filed, not the agreement's current fraction), half-up to the fen.
  1000万 guaranteed 40:20:20:20 (our share 200万, fraction 0.2), unpaid principal 600万, cover 0.8, compensated
  620万: base 480万, claim 96万.
- One standing claim per filing (submitted, in review, approved or paid); a rejected claim may be followed by a new
  one. Submitting on a filing in force releases it by compensation on the compensated date
  (filing/services.release_filing); a filing already ended by compensation is claimed as it is.
- The approved amount is the claim unless a reviewer set a lower one while the claim is in review; the payment is at
  most the approved amount and raises ReguaranteeClaimPaid.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.words import Words
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.agreement.rules import fen
from surety.plugins.reguarantee.claim import process
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim
from surety.plugins.reguarantee.claim.permissions import CLAIM
from surety.plugins.reguarantee.conventions import CLAIM_STATUSES, FILING_STATUSES
from surety.plugins.reguarantee.events import ReguaranteeClaimPaid
from surety.plugins.reguarantee.filing import services as filings
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.filing.numbering import take_numbers

ENTITY = CLAIM
CLAIM_PATTERN = "DC-{yyyy}-{seq:05}"
#: Statuses of a claim that stands (a filing has at most one).
STANDING = ("submitted", "in_review", "approved", "paid")
#: Statuses of a filing a claim may be made on.
CLAIMABLE = ("confirmed", "compensated")
#: Fields a person gives when submitting a claim.
FIELDS = ("compensated_on", "compensated_amount", "unpaid_principal", "remarks")
#: Dates a date of a claim may not be before, as a message names them.
START_DAY = Words(N_("the filing's start date"))
COMPENSATION_DAY = Words(N_("the compensation date"))
#: Records, as "No {what} with that id." names them.
CLAIM_WORD = Words(N_("re-guarantee compensation claim"))
FILING_WORD = Words(N_("re-guarantee filing"))
#: Keyset order of the claims list: newest first by creation, then id.
ORDER = (ReguaranteeClaim.created_at, ReguaranteeClaim.id)


# ---------------------------------------------------------------- figures (pure) ------------------------------------


@dataclass(frozen=True)
class ClaimFigures:
    covered_base: Decimal
    fraction: Decimal
    claim: Decimal


def reguarantor_fraction(share_reguarantor: Decimal, guarantee_amount: Decimal) -> Decimal:
    """The filing's re-guarantor fraction (exact quotient, not rounded)."""
    return share_reguarantor / guarantee_amount


def claim_figures(unpaid_principal: Decimal, cover_ratio: Decimal, compensated_amount: Decimal,
                  share_reguarantor: Decimal, guarantee_amount: Decimal) -> ClaimFigures:
    """Covered base (unpaid principal x cover to the fen, at most the compensated amount) and the claim (base x
    share / guaranteed, to the fen)."""
    base = min(fen(unpaid_principal * cover_ratio), compensated_amount)
    fraction = reguarantor_fraction(share_reguarantor, guarantee_amount)
    return ClaimFigures(base, fraction, fen(base * share_reguarantor / guarantee_amount))


# ---------------------------------------------------------------- reading -------------------------------------------


@dataclass(frozen=True)
class ClaimFilter:
    partner_id: uuid.UUID | None = None
    filing_id: uuid.UUID | None = None
    status: str | None = None


def search_statement(session: Session, actor: Actor, f: ClaimFilter | None = None) -> Select:
    """The claims a list shows (needs reguarantee:claim:read), by partner, filing and status; order with ORDER."""
    require(session, actor, CLAIM, "read")
    f = f or ClaimFilter()
    stmt = select(ReguaranteeClaim)
    if f.partner_id is not None:
        stmt = stmt.where(ReguaranteeClaim.partner_id == f.partner_id)
    if f.filing_id is not None:
        stmt = stmt.where(ReguaranteeClaim.filing_id == f.filing_id)
    if f.status is not None:
        if f.status not in CLAIM_STATUSES:
            raise ValidationFailed("{name} is one of {choices}, not {value}.", field="status", name="status",
                                   choices=", ".join(CLAIM_STATUSES), value=str(f.status)[:40])
        stmt = stmt.where(ReguaranteeClaim.status == f.status)
    return stmt


def get_claim(session: Session, actor: Actor | None, claim_id: uuid.UUID) -> ReguaranteeClaim:
    """One claim (needs reguarantee:claim:read unless ``actor`` is None)."""
    if actor is not None:
        require(session, actor, CLAIM, "read")
    claim = session.scalar(select(ReguaranteeClaim).where(ReguaranteeClaim.id == claim_id))
    if claim is None:
        raise NotFound("No compensation claim with that id.", field="id")
    return claim


def image(c: ReguaranteeClaim) -> dict:
    """What the audit log and the workflow keep of a claim (no personal data)."""
    return {"claim_no": c.claim_no, "filing_id": str(c.filing_id), "status": c.status,
            "compensated_on": c.compensated_on, "compensated_amount": c.compensated_amount,
            "unpaid_principal": c.unpaid_principal, "covered_base": c.covered_base, "claim_amount": c.claim_amount,
            "approved_amount": c.approved_amount, "paid_on": c.paid_on, "paid_amount": c.paid_amount}


# ---------------------------------------------------------------- writing -------------------------------------------


def _clean(data: Mapping[str, Any], filing: ReguaranteeFiling) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("Unknown claim field {name}.", field=unknown[0], name=unknown[0])
    out = {"compensated_on": inputs.day(data.get("compensated_on"), "compensated_on", not_before=filing.start_date,
                                        since=START_DAY),
           "compensated_amount": inputs.money(data.get("compensated_amount"), "compensated_amount", positive=True),
           "unpaid_principal": inputs.money(data.get("unpaid_principal"), "unpaid_principal", positive=True),
           "remarks": inputs.text(data.get("remarks"), "remarks", 1000)}
    if out["unpaid_principal"] > filing.loan_amount:
        raise ValidationFailed("The unpaid principal {amount} is more than the loan {loan}.", field="unpaid_principal",
                               amount=inputs.yuan(out["unpaid_principal"]), loan=inputs.yuan(filing.loan_amount))
    return out


def submit_claim(session: Session, actor: Actor, filing_id: uuid.UUID, data: Mapping[str, Any]) -> ReguaranteeClaim:
    """A partner's claim on a filing in force or ended by compensation (needs reguarantee:claim:manage and
    core:workflow:start; a filing in force is released by compensation, which needs reguarantee:filing:manage): the
    figures computed, the review started (status in_review); audited."""
    require(session, actor, CLAIM, "manage")
    filing = lock_by_id(session, ReguaranteeFiling, filing_id, "status", FILING_WORD, "filing_id")
    if filing.status not in CLAIMABLE:
        raise Conflict("A claim is made on a filing in force or ended by compensation; {filing_no} is {status}.",
                       field="filing_id", filing_no=filing.filing_no,
                       status=FILING_STATUSES.get(filing.status, filing.status))
    values = _clean(data, filing)
    standing = session.scalar(select(ReguaranteeClaim.claim_no).where(
        ReguaranteeClaim.filing_id == filing.id, ReguaranteeClaim.status.in_(STANDING)).limit(1))
    if standing is not None:
        raise Conflict("The filing {filing_no} already has the claim {claim_no}.", field="filing_id",
                       filing_no=filing.filing_no, claim_no=standing)
    if filing.status == "confirmed":
        filings.release_filing(session, actor, filing.id, kind="compensation", on=values["compensated_on"])
    figures = claim_figures(values["unpaid_principal"], filing.cover_ratio, values["compensated_amount"],
                            filing.share_reguarantor, filing.guarantee_amount)
    (claim_no,) = take_numbers(session, CLAIM_PATTERN, business_today(), 1)
    claim = ReguaranteeClaim(claim_no=claim_no, filing_id=filing.id, partner_id=filing.partner_id,
                             covered_base=figures.covered_base, claim_amount=figures.claim, status="submitted",
                             created_by=actor.id_uuid, **values)
    session.add(claim)
    session.flush()
    audit(session, "reguarantee.claim.submitted", entity_type=ENTITY, entity_id=claim.id, after=image(claim))
    process.start_review(session, actor, claim)
    return claim


def set_approved_amount(session: Session, actor: Actor, claim_id: uuid.UUID, amount: Any) -> ReguaranteeClaim:
    """While a claim is in review, the amount its approval is about: more than zero and at most the claim (needs
    reguarantee:claim:manage); audited."""
    require(session, actor, CLAIM, "manage")
    claim = lock_by_id(session, ReguaranteeClaim, claim_id, "status", CLAIM_WORD, "id")
    if claim.status != "in_review":
        raise Conflict("Only a claim in review can have its amount set; {claim_no} is {status}.", field="id",
                       claim_no=claim.claim_no, status=CLAIM_STATUSES.get(claim.status, claim.status))
    value = inputs.money(amount, "amount", positive=True)
    if value > claim.claim_amount:
        raise ValidationFailed("The approved amount {amount} is more than the claim {claim}.", field="amount",
                               amount=inputs.yuan(value), claim=inputs.yuan(claim.claim_amount))
    before = claim.approved_amount
    claim.approved_amount = value
    session.flush()
    audit(session, "reguarantee.claim.amount_set", entity_type=ENTITY, entity_id=claim.id,
          before={"approved_amount": before}, after={"approved_amount": value})
    return claim


def pay_claim(session: Session, actor: Actor, claim_id: uuid.UUID, *, paid_on: Any = None,
              amount: Any = None) -> ReguaranteeClaim:
    """Pay an approved claim (needs reguarantee:claim:pay): ``amount`` (default: the approved amount) more than zero
    and at most the approved amount, on ``paid_on`` (default today; not in the future nor before the compensation).
    Raises ReguaranteeClaimPaid; audited."""
    require(session, actor, CLAIM, "pay")
    claim = lock_by_id(session, ReguaranteeClaim, claim_id, "status", CLAIM_WORD, "id")
    if claim.status != "approved":
        raise Conflict("Only an approved claim can be paid; {claim_no} is {status}.", field="id",
                       claim_no=claim.claim_no, status=CLAIM_STATUSES.get(claim.status, claim.status))
    approved = claim.approved_amount if claim.approved_amount is not None else claim.claim_amount
    value = approved if amount is None else inputs.money(amount, "amount", positive=True)
    if value > approved:
        raise ValidationFailed("The payment {amount} is more than the approved amount {approved}.", field="amount",
                               amount=inputs.yuan(value), approved=inputs.yuan(approved))
    day = inputs.day(paid_on, "paid_on", not_before=claim.compensated_on, since=COMPENSATION_DAY)
    before = image(claim)
    claim.status, claim.paid_on, claim.paid_amount = "paid", day, value
    session.flush()
    raise_event(session, ReguaranteeClaimPaid(claim_id=claim.id, claim_no=claim.claim_no, filing_id=claim.filing_id,
                                              partner_id=claim.partner_id, amount=value, paid_on=day,
                                              customer_id=claim.partner_id, project_id=claim.filing_id))
    audit(session, "reguarantee.claim.paid", entity_type=ENTITY, entity_id=claim.id, before=before,
          after=image(claim))
    return claim
