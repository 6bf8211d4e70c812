"""Reading loans in bulk: the filtered list statement (the GraphQL connection pages it) and the related rows of many
loans at once (installments in force, product versions, investigations), one query each, so a page of loans costs
the same number of statements whatever its size."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import ValidationFailed
from surety.plugins.microloan.conventions import LOAN_KINDS, LOAN_STATUSES
from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanInvestigation, MicroloanLoan
from surety.plugins.microloan.loan.permissions import LOAN
from surety.plugins.microloan.loan.scope import scoped
from surety.plugins.microloan.product.models import MicroloanProduct, MicroloanProductVersion

#: The list's order (newest first; the id makes it unique for keyset pagination).
ORDER = (MicroloanLoan.created_at, MicroloanLoan.id)


@dataclasses.dataclass(frozen=True)
class LoanFilter:
    status: str | None = None
    customer_id: uuid.UUID | None = None
    kind: str | None = None


def search_statement(session: Session, actor: Actor, f: LoanFilter = LoanFilter()) -> Select:
    """The loans matching ``f`` in the actor's data scope (needs microloan:loan:read)."""
    require(session, actor, LOAN, "read")
    stmt = scoped(session, actor, select(MicroloanLoan))
    if f.status is not None:
        if f.status not in LOAN_STATUSES:
            raise ValidationFailed("status is one of {choices}, not {value}.", field="status",
                                   choices=", ".join(LOAN_STATUSES), value=str(f.status)[:40])
        stmt = stmt.where(MicroloanLoan.status == f.status)
    if f.kind is not None:
        if f.kind not in LOAN_KINDS:
            raise ValidationFailed("kind is one of {choices}, not {value}.", field="kind",
                                   choices=", ".join(LOAN_KINDS), value=str(f.kind)[:40])
        stmt = stmt.where(MicroloanLoan.kind == f.kind)
    if f.customer_id is not None:
        stmt = stmt.where(MicroloanLoan.customer_id == f.customer_id)
    return stmt


def installments_by_loan(session: Session, loans: Iterable[MicroloanLoan]) -> dict[uuid.UUID, list]:
    """Loan id -> its installments in force (its current revision), by period."""
    wanted = {loan.id: loan.schedule_revision for loan in loans}
    out: dict[uuid.UUID, list] = {i: [] for i in wanted}
    if not wanted:
        return out
    rows = session.scalars(select(MicroloanInstallment)
                           .where(MicroloanInstallment.loan_id.in_(list(wanted)))
                           .order_by(MicroloanInstallment.loan_id, MicroloanInstallment.period))
    for r in rows:
        if wanted[r.loan_id] == r.revision:
            out[r.loan_id].append(r)
    return out


def versions_by_key(session: Session, keys: Iterable[tuple[uuid.UUID, int]]
                    ) -> dict[tuple[uuid.UUID, int], tuple[MicroloanProduct, MicroloanProductVersion]]:
    """(product id, version) -> the product and that version's terms."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    rows = session.execute(select(MicroloanProduct, MicroloanProductVersion)
                           .join(MicroloanProductVersion, MicroloanProductVersion.product_id == MicroloanProduct.id)
                           .where(MicroloanProduct.id.in_({k[0] for k in keys})))
    wanted = set(keys)
    return {(v.product_id, v.version): (p, v) for p, v in rows if (v.product_id, v.version) in wanted}


def investigations_by_loan(session: Session, loan_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, MicroloanInvestigation]:
    ids = list(dict.fromkeys(loan_ids))
    if not ids:
        return {}
    rows = session.scalars(select(MicroloanInvestigation).where(MicroloanInvestigation.loan_id.in_(ids)))
    return {r.loan_id: r for r in rows}
