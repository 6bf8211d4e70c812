"""What the standing filings (conventions.STANDING_FILING_STATUSES: filed and confirmed) use, read set-based (one
statement per question, whatever the number of rows asked about): an agreement's line, a customer's aggregated
balance across the tenant (by the identity number's blind index), the project numbers a partner has standing and
the customers' loan contracts standing under other partners. filing/services.py checks a batch with them;
``line_usage`` gives the figures per agreement (line, used, available)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.conventions import STANDING_FILING_STATUSES
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling

F = ReguaranteeFiling
STANDING = sorted(STANDING_FILING_STATUSES)
#: Values bound in one IN list (SQLite's limit on bound parameters is far above it).
CHUNK = 2000
ZERO = Decimal("0.00")


def _chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    items = sorted(set(values))
    for i in range(0, len(items), size):
        yield items[i:i + size]


def line_used(session: Session, agreement_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    """Agreement id -> the guaranteed amounts of its standing filings (0 when none)."""
    out = dict.fromkeys(agreement_ids, ZERO)
    for chunk in _chunks(agreement_ids):
        stmt = (select(F.agreement_id, func.sum(F.guarantee_amount)).where(F.agreement_id.in_(chunk),
                                                                          F.status.in_(STANDING))
                .group_by(F.agreement_id))
        out.update({a: Decimal(s or 0).quantize(ZERO) for a, s in session.execute(stmt)})
    return out


def customer_balances(session: Session, bidxs: Iterable[str]) -> dict[str, Decimal]:
    """Blind index of a customer's identity number -> the guaranteed amounts of their standing filings across the
    tenant (every partner and agreement); customers without any are left out."""
    out: dict[str, Decimal] = {}
    for chunk in _chunks(bidxs):
        stmt = (select(F.customer_id_number_bidx, func.sum(F.guarantee_amount))
                .where(F.customer_id_number_bidx.in_(chunk), F.status.in_(STANDING))
                .group_by(F.customer_id_number_bidx))
        out.update({b: Decimal(s or 0).quantize(ZERO) for b, s in session.execute(stmt)})
    return out


def standing_refs(session: Session, partner_id: uuid.UUID, refs: Iterable[str]) -> dict[str, str]:
    """Project number -> the filing number of the partner's standing filing of it."""
    out: dict[str, str] = {}
    for chunk in _chunks(refs):
        stmt = select(F.project_ref, F.filing_no).where(F.partner_id == partner_id, F.project_ref.in_(chunk),
                                                        F.status.in_(STANDING))
        out.update(dict(session.execute(stmt).all()))
    return out


def contracts_elsewhere(session: Session, partner_id: uuid.UUID,
                        bidxs: Iterable[str]) -> dict[tuple[str, str], uuid.UUID]:
    """(blind index, loan contract number) -> another partner that has it standing, for the given customers."""
    out: dict[tuple[str, str], uuid.UUID] = {}
    for chunk in _chunks(bidxs):
        stmt = select(F.customer_id_number_bidx, F.loan_contract_no, F.partner_id).where(
            F.customer_id_number_bidx.in_(chunk), F.partner_id != partner_id, F.status.in_(STANDING),
            F.loan_contract_no != "")
        out.update({(b, c): p for b, c, p in session.execute(stmt)})
    return out


@dataclass(frozen=True)
class LineUsage:
    """An agreement's line, what its standing filings use and what is left (negative never: filing refuses)."""

    agreement_id: uuid.UUID
    line: Decimal
    used: Decimal
    available: Decimal


def line_usage(session: Session, agreements: Sequence[ReguaranteeAgreement]) -> dict[uuid.UUID, LineUsage]:
    """Agreement id -> its LineUsage, for all of ``agreements`` with one statement."""
    used = line_used(session, [a.id for a in agreements])
    return {a.id: LineUsage(a.id, a.line_amount, used[a.id], a.line_amount - used[a.id]) for a in agreements}
