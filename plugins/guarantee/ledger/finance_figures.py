"""Figures the finance plugin asks guarantee for (the ``finance_liability_balance`` hook it declares): the guarantee
liability balance (在保余额) at the end of a date, for the year-end 担保赔偿准备金.

The balance on a past date is rebuilt from the ledger entries (台账) dated up to it, one GROUP BY per project: the
loan (or the letter's guaranteed sum) that took effect, less repayments, partial releases and the principal of
compensation paid; a project fully released by then counts 0 (a full release also discharges what was repaid before
it, so its entry is not subtracted again). On today's date it equals the dashboard's in-force balance (the
projects' ``in_force_balance`` column under ``in_force``), which a test checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from surety.plugins.guarantee.ledger.models import (
    KIND_COMPENSATION,
    KIND_LOAN,
    KIND_RELEASE,
    KIND_REPAYMENT,
    GuaranteeLedgerEntry,
)
from surety.plugins.guarantee.release.models import RELEASE_FULL

ZERO = Decimal("0.00")


def liability_balance(session: Session, as_of: dt.date) -> Decimal:
    """The tenant's in-force guarantee balance (yuan) at the end of ``as_of`` (module docstring)."""
    e = GuaranteeLedgerEntry
    full = and_(e.kind == KIND_RELEASE, e.detail == RELEASE_FULL)
    movement = case((e.kind == KIND_LOAN, e.amount),
                    (e.kind == KIND_REPAYMENT, -e.amount),
                    (and_(e.kind == KIND_RELEASE, e.detail != RELEASE_FULL), -e.amount),
                    (e.kind == KIND_COMPENSATION, -func.coalesce(e.principal, e.amount)),
                    else_=0)
    per_project = (select(func.sum(movement).label("balance"),
                          func.sum(case((full, 1), else_=0)).label("released"))
                   .where(e.entry_date <= as_of,
                          e.kind.in_((KIND_LOAN, KIND_REPAYMENT, KIND_RELEASE, KIND_COMPENSATION)))
                   .group_by(e.project_id).subquery())
    total = session.scalar(select(func.sum(case((per_project.c.released > 0, 0), (per_project.c.balance > 0,
                                                                                  per_project.c.balance),
                                                else_=0))))
    return ZERO if total is None else Decimal(total).quantize(ZERO)
