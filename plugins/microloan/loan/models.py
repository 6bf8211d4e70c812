"""Tables of a loan: the loan itself (who, under which product version, how much, where it stands, its balances as
the day-end batch and repayments leave them) and its stored schedule (one row per installment and schedule revision;
a reschedule after an early repayment writes a new revision and keeps the old rows)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.crypto.fields import EncryptedString
from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, UTCDateTime, utcnow

ZERO = Decimal("0.00")


class MicroloanLoan(TenantScoped, Base):
    """A loan from application to settlement or write-off. ``status`` is a key of conventions.LOAN_STATUSES.

    Terms are read from the product version the loan was made under (``product_id``, ``product_version``): a later
    product change never moves an existing loan's figures. Balances are kept here so the day-end batch and the lists
    read one row per loan; the installments hold the detail.
    """

    __tablename__ = "microloan_loans"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "product_id"], ["microloan_products.tenant_id", "microloan_products.id"]),
        UniqueConstraint("tenant_id", "loan_no"),
        Index("ix_microloan_loans_status", "tenant_id", "status"),
        Index("ix_microloan_loans_customer", "tenant_id", "customer_id"),
    )

    #: 贷款编号, given when the application is created (conventions.LOAN_NO_PATTERN).
    loan_no: Mapped[str] = mapped_column(String(40))
    #: The borrower in the shared customer pool (surety.core.ports.customers).
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    product_version: Mapped[int] = mapped_column(Integer)
    #: A key of conventions.LOAN_KINDS: ``consumer`` (个人消费) or ``business`` (经营).
    kind: Mapped[str] = mapped_column(String(20))
    #: Lent online (网络小额贷款): the online consumer cap applies.
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    purpose: Mapped[str] = mapped_column(String(200), default="")
    #: Amount applied for, then approved (the approval may lower it), in yuan.
    amount: Mapped[Decimal] = mapped_column(Money)
    term_months: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: The approval (core workflow) while and after the loan is in approval.
    workflow_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    contract_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    contract_signed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: Business dates: disbursement (start of interest), first due date, maturity (last due date).
    disbursed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    first_due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    maturity_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: Fee deducted at disbursement (upfront_fee_rate x amount), in yuan.
    upfront_fee: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: The installments in force are those of this revision (0 at disbursement; +1 per reschedule).
    schedule_revision: Mapped[int] = mapped_column(Integer, default=0)

    # Balances (yuan) as repayments and the day-end batch leave them.
    #: Principal not yet repaid (due or not).
    principal_balance: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: Interest accrued day by day since disbursement (应计利息, cumulative) and the business date it runs to.
    accrued_interest: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    accrued_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: Penalty interest on overdue principal and compound interest on overdue interest, accrued and not yet paid.
    penalty_balance: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: Costs of enforcing the claim (实现债权的费用) charged to the loan and not yet paid.
    costs_balance: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: Overpayment held for the next installments or a refund (not booked to any component).
    held_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: Days past due of the oldest unpaid installment beyond the grace days (0: not overdue) and since when.
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    overdue_since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: Five-category class (conventions.RISK_CLASSES) from days past due, unless an approved override holds.
    risk_class: Mapped[str] = mapped_column(String(20), default="normal")
    risk_class_override: Mapped[str | None] = mapped_column(String(20), nullable=True)
    #: Loss provision held against this loan (yuan), as the last day-end left it.
    provision: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    settled_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    written_off_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: Principal and interest written off (still owed by the borrower: recoveries reduce it).
    written_off_principal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    written_off_interest: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    recovered_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)

    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: The customer manager responsible (客户经理): data scope and collection tasks follow it.
    manager_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    department_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MicroloanInstallment(TenantScoped, Base):
    """One installment of a loan's schedule (revision ``revision``): what is due and what has been paid of it.

    Penalty and compound interest accrued on this installment's overdue principal and interest are kept with it so
    a repayment settles the oldest period first (《民法典》第五百六十条).
    """

    __tablename__ = "microloan_installments"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "loan_id"], ["microloan_loans.tenant_id", "microloan_loans.id"]),
        UniqueConstraint("tenant_id", "loan_id", "revision", "period"),
        Index("ix_microloan_installments_due", "tenant_id", "due_date"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    period: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[dt.date] = mapped_column(Date)
    principal: Mapped[Decimal] = mapped_column(Money)
    interest: Mapped[Decimal] = mapped_column(Money)
    fee: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    paid_principal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    paid_interest: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    paid_fee: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: Penalty interest (on overdue principal) and compound interest (on overdue interest) accrued, and paid.
    penalty: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    paid_penalty: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: The business date everything due on this installment was paid (None: open).
    settled_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class MicroloanInvestigation(TenantScoped, Base):
    """The pre-loan investigation (贷前调查) of a loan: who investigated, when they visited, what they found and their
    conclusion. One row per loan (recorded again while the loan is under investigation, it is replaced).

    The findings and the borrower's figures are personal data (an individual's income and assets): encrypted with the
    tenant's data key like the customer pool's personal fields; the figures are kept as exact decimal text and read
    as Decimal through the ``*_amount`` properties.
    """

    __tablename__ = "microloan_investigations"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "loan_id"], ["microloan_loans.tenant_id", "microloan_loans.id"]),
        UniqueConstraint("tenant_id", "loan_id"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    investigator_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: Business date of the visit (实地走访).
    visited_on: Mapped[dt.date] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(EncryptedString("microloan_investigations.findings"))
    #: Yearly income, total assets and total liabilities of the borrower (yuan, exact decimal text), None: not taken.
    annual_income: Mapped[str | None] = mapped_column(EncryptedString("microloan_investigations.annual_income"),
                                                      nullable=True)
    total_assets: Mapped[str | None] = mapped_column(EncryptedString("microloan_investigations.total_assets"),
                                                     nullable=True)
    total_liabilities: Mapped[str | None] = mapped_column(
        EncryptedString("microloan_investigations.total_liabilities"), nullable=True)
    #: A key of conventions-like INVESTIGATION_CONCLUSIONS (loan/origination.py): ``recommend`` or ``decline``.
    conclusion: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def _amount(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    @property
    def annual_income_amount(self) -> Decimal | None:
        return self._amount(self.annual_income)

    @property
    def total_assets_amount(self) -> Decimal | None:
        return self._amount(self.total_assets)

    @property
    def total_liabilities_amount(self) -> Decimal | None:
        return self._amount(self.total_liabilities)


class MicroloanNumberSequence(TenantScoped, Base):
    """The counter of a loan-number series (loan/numbering.py): one row per tenant and series."""

    __tablename__ = "microloan_number_sequences"
    __table_args__ = (UniqueConstraint("tenant_id", "series"),)

    series: Mapped[str] = mapped_column(String(60))
    last_value: Mapped[int] = mapped_column(Integer, default=0)
