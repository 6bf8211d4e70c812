"""Recoveries (追偿回收) on paid claims: what the partner recovered from the borrower after compensating, the
re-guarantor's part shared back in the ratio the loss was shared, and its settlement (docs/reguarantee/claims.md,
"Recoveries").

Conventions, stated once:

- Ratio: the claim's paid amount over its unpaid principal. For a claim paid as claimed with an uncapped base this is
  the filing's re-guarantor fraction x its cover ratio (96万 paid on 600万 unpaid = 0.2 x 0.8 = 0.16); a claim paid
  lower (approved lower, or its base capped at the compensated amount) shares recoveries back in that lower ratio.
- Our part is rounded cumulatively: the recoveries of a claim up to this one times the ratio, half-up to the fen,
  less the same for the recoveries before it; so the parts of a claim's recoveries sum exactly to their total
  times the ratio. 100万 recovered on the claim above: 16万.
- Cumulative parts may not exceed what was paid on the claim.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.errors import Conflict, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.words import Words
from surety.plugins.reguarantee.agreement.rules import fen
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim, ReguaranteeRecovery
from surety.plugins.reguarantee.claim.permissions import CLAIM
from surety.plugins.reguarantee.claim.services import CLAIM_WORD, COMPENSATION_DAY
from surety.plugins.reguarantee.conventions import CLAIM_STATUSES
from surety.plugins.reguarantee.events import ReguaranteeRecoverySettled

ENTITY = "reguarantee:recovery"
RECOVERY_DAY = Words(N_("the recovery date"))
RECOVERY_WORD = Words(N_("recovery"))


def share_ratio(paid_amount: Decimal, unpaid_principal: Decimal) -> Decimal:
    """The ratio a claim's recoveries are shared back in: paid amount / unpaid principal (exact quotient)."""
    return paid_amount / unpaid_principal


def our_part(before: Decimal, amount: Decimal, paid_amount: Decimal, unpaid_principal: Decimal) -> Decimal:
    """Our part of a recovery of ``amount`` after ``before`` recovered on the same claim, rounded cumulatively."""
    return (fen((before + amount) * paid_amount / unpaid_principal)
            - fen(before * paid_amount / unpaid_principal))


def report_recovery(session: Session, actor: Actor, claim_id: uuid.UUID, amount: Any,
                    recovered_on: Any = None) -> ReguaranteeRecovery:
    """The partner recovered ``amount`` on a paid claim on ``recovered_on`` (default today; not in the future nor
    before the compensation) (needs reguarantee:claim:manage): our part computed and recorded (reported); audited."""
    require(session, actor, CLAIM, "manage")
    claim = lock_by_id(session, ReguaranteeClaim, claim_id, "status", CLAIM_WORD, "claim_id")
    if claim.status != "paid":
        raise Conflict("Recoveries are reported on a paid claim; {claim_no} is {status}.", field="claim_id",
                       claim_no=claim.claim_no, status=CLAIM_STATUSES.get(claim.status, claim.status))
    value = inputs.money(amount, "amount", positive=True)
    day = inputs.day(recovered_on, "recovered_on", not_before=claim.compensated_on, since=COMPENSATION_DAY)
    recovered, shared = session.execute(
        select(func.coalesce(func.sum(ReguaranteeRecovery.amount), 0),
               func.coalesce(func.sum(ReguaranteeRecovery.share_amount), 0))
        .where(ReguaranteeRecovery.claim_id == claim.id)).one()
    recovered, shared = Decimal(recovered), Decimal(shared)
    part = our_part(recovered, value, claim.paid_amount, claim.unpaid_principal)
    if shared + part > claim.paid_amount:
        raise ValidationFailed("Our part of the recoveries, {total}, would be more than the {paid} paid on the claim.",
                               field="amount", total=inputs.yuan(shared + part), paid=inputs.yuan(claim.paid_amount))
    row = ReguaranteeRecovery(claim_id=claim.id, recovered_on=day, amount=value, share_amount=part,
                              status="reported", created_by=actor.id_uuid)
    session.add(row)
    session.flush()
    audit(session, "reguarantee.recovery.reported", entity_type=ENTITY, entity_id=row.id,
          after={"claim_no": claim.claim_no, "amount": value, "share_amount": part, "recovered_on": day})
    return row


def settle_recovery(session: Session, actor: Actor, recovery_id: uuid.UUID,
                    settled_on: Any = None) -> ReguaranteeRecovery:
    """The partner handed over our part of a reported recovery on ``settled_on`` (default today; not in the future
    nor before the recovery) (needs reguarantee:claim:pay): settled, ReguaranteeRecoverySettled raised; audited."""
    require(session, actor, CLAIM, "pay")
    row = lock_by_id(session, ReguaranteeRecovery, recovery_id, "status", RECOVERY_WORD, "id")
    if row.status != "reported":
        raise Conflict("The recovery has already been settled.", field="id")
    day = inputs.day(settled_on, "settled_on", not_before=row.recovered_on, since=RECOVERY_DAY)
    claim = session.scalar(select(ReguaranteeClaim).where(ReguaranteeClaim.id == row.claim_id))
    row.status, row.settled_on = "settled", day
    session.flush()
    raise_event(session, ReguaranteeRecoverySettled(recovery_id=row.id, claim_id=claim.id, claim_no=claim.claim_no,
                                                    partner_id=claim.partner_id, amount=row.share_amount,
                                                    settled_on=day, customer_id=claim.partner_id,
                                                    project_id=claim.filing_id))
    audit(session, "reguarantee.recovery.settled", entity_type=ENTITY, entity_id=row.id,
          before={"status": "reported"}, after={"status": "settled", "settled_on": day, "amount": row.share_amount})
    return row


def recoveries_of(session: Session, claim_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[ReguaranteeRecovery]]:
    """Claim id -> its recoveries, oldest first (one query; the caller has checked reguarantee:claim:read)."""
    ids = list(claim_ids)
    found: dict[uuid.UUID, list[ReguaranteeRecovery]] = {i: [] for i in ids}
    if ids:
        for r in session.scalars(select(ReguaranteeRecovery).where(ReguaranteeRecovery.claim_id.in_(ids))
                                 .order_by(ReguaranteeRecovery.recovered_on, ReguaranteeRecovery.created_at)):
            found[r.claim_id].append(r)
    return found


def claim_recoveries(session: Session, actor: Actor, claim_id: uuid.UUID) -> list[ReguaranteeRecovery]:
    """A claim's recoveries (needs reguarantee:claim:read)."""
    require(session, actor, CLAIM, "read")
    return recoveries_of(session, [claim_id])[claim_id]
