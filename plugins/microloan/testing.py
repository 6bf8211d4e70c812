"""Helpers for tests, demo data and benchmarks of the ``microloan`` plugin: products and disbursed loans inserted
directly (no origination, numbering or workflow), so each area can be tested on its own."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from decimal import Decimal

from sqlalchemy.orm import Session

from surety.plugins.microloan.conventions import DEFAULT_ALLOCATION_ORDER
from surety.plugins.microloan.loan.book import book_schedule, loan_terms
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.product.models import MicroloanProduct, MicroloanProductVersion
from surety.plugins.microloan.product.services import schedule_terms
from surety.plugins.microloan.schedule.builder import build

#: Terms of the product ``make_product`` writes unless told otherwise.
PRODUCT_TERMS = dict(min_amount=Decimal("1000.00"), max_amount=Decimal("10000000.00"), min_term_months=1,
                     max_term_months=360, annual_rate=Decimal("0.12"), repayment_method="equal_installment",
                     day_count="ACT/360", rounding="fen_half_up", upfront_fee_rate=Decimal(0),
                     monthly_fee_rate=Decimal(0), penalty_uplift=Decimal("0.5"), grace_days=0,
                     allocation_order=",".join(DEFAULT_ALLOCATION_ORDER))


def make_product(session: Session, *, code: str | None = None, **terms) -> MicroloanProduct:
    """A product with version 1 of ``PRODUCT_TERMS`` updated by ``terms`` (``allocation_order=None``: silent)."""
    product = MicroloanProduct(code=code or f"ML-{secrets.token_hex(3)}", name="测试贷款产品", active=True, version=1)
    session.add(product)
    session.flush()
    session.add(MicroloanProductVersion(product_id=product.id, version=1, **{**PRODUCT_TERMS, **terms}))
    session.flush()
    return product


def make_loan(session: Session, product: MicroloanProduct, *, customer_id: uuid.UUID | None = None,
              amount: Decimal | str = "100000.00", term_months: int = 12,
              disbursed_on: dt.date = dt.date(2026, 1, 15), first_due_date: dt.date | None = None,
              kind: str = "business", status: str = "active", **extra) -> MicroloanLoan:
    """A disbursed loan (``status`` active) under the product's current version with its schedule booked
    (revision 0); number ``T-<random>``; ``customer_id`` a new UUID unless given."""
    loan = MicroloanLoan(loan_no=f"T-{secrets.token_hex(4)}", customer_id=customer_id or uuid.uuid4(),
                         product_id=product.id, product_version=product.version, kind=kind,
                         amount=Decimal(str(amount)), term_months=term_months, status=status,
                         disbursed_on=disbursed_on, contract_no=f"HT-{secrets.token_hex(3)}", **extra)
    session.add(loan)
    session.flush()
    terms = loan_terms(session, loan)
    book_schedule(session, loan, build(schedule_terms(terms, loan.amount, term_months, disbursed_on, first_due_date)))
    return loan
