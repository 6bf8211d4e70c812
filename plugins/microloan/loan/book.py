"""Putting a schedule on a loan's books: the installments of a schedule revision written as rows, and the loan's
first due date, maturity and principal balance set from them. Disbursement books revision 0; a reschedule after an
early repayment books the next revision over the remaining principal (the earlier rows stay as they were)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanLoan
from surety.plugins.microloan.product.models import MicroloanProductVersion
from surety.plugins.microloan.schedule.builder import Schedule


def book_schedule(session: Session, loan: MicroloanLoan, schedule: Schedule, *, revision: int = 0,
                  first_period: int = 1) -> list[MicroloanInstallment]:
    """Write ``schedule``'s rows as the loan's installments of ``revision`` (periods numbered from
    ``first_period``, so a reschedule continues the numbering) and make that revision the loan's current one."""
    rows = [MicroloanInstallment(loan_id=loan.id, revision=revision, period=first_period + i, due_date=r.due_date,
                                 principal=r.principal, interest=r.interest, fee=r.fee)
            for i, r in enumerate(schedule.rows)]
    session.add_all(rows)
    loan.schedule_revision = revision
    if revision == 0:
        loan.first_due_date = schedule.rows[0].due_date
        loan.principal_balance = schedule.total_principal
    loan.maturity_date = schedule.rows[-1].due_date
    session.flush()
    return rows


def installments(session: Session, loan: MicroloanLoan) -> list[MicroloanInstallment]:
    """The loan's installments in force (its current revision), by period."""
    return list(session.scalars(
        select(MicroloanInstallment)
        .where(MicroloanInstallment.loan_id == loan.id, MicroloanInstallment.revision == loan.schedule_revision)
        .order_by(MicroloanInstallment.period)))


def loan_terms(session: Session, loan: MicroloanLoan) -> MicroloanProductVersion:
    """The product version the loan was made under (its lending terms)."""
    return session.scalars(select(MicroloanProductVersion).where(
        MicroloanProductVersion.product_id == loan.product_id,
        MicroloanProductVersion.version == loan.product_version)).one()
