"""What the customer pool sees of microloan (hook ``customers_exposure``): each borrower's principal on the books."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.plugins.microloan.conventions import ON_BOOK_STATUSES
from surety.plugins.microloan.loan.models import MicroloanLoan


def exposure(session: Session, customer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    """Principal balance of the loans on the books (disbursed, neither settled nor written off) per borrower among
    ``customer_ids``; borrowers without such a loan are left out. One statement."""
    ids = list(customer_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(MicroloanLoan.customer_id, func.sum(MicroloanLoan.principal_balance))
        .where(MicroloanLoan.customer_id.in_(ids), MicroloanLoan.status.in_(sorted(ON_BOOK_STATUSES)))
        .group_by(MicroloanLoan.customer_id))
    return {customer_id: Decimal(total) for customer_id, total in rows if total}
