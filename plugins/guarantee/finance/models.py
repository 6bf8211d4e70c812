"""Fee tables of the ``guarantee`` plugin (see models.py for the conventions): a project's fee plan, the schedule
items it generates, and the receipts and refunds recorded against the items. Amounts are ``Money`` (yuan, exact to
the fen), rates ``Rate``."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow

#: Fee types of schedule items (also ``fee_type`` of GuaranteeFeeReceived / GuaranteeFeeRefunded).
FEE_GUARANTEE = "guarantee_fee"
FEE_REVIEW = "review_fee"
FEE_MARGIN = "margin"
FEE_TYPES = (FEE_GUARANTEE, FEE_REVIEW, FEE_MARGIN)
#: How an amount is set: a rate of the guaranteed amount, or a fixed amount.
BY_RATE = "rate"
BY_FIXED = "fixed"
METHODS = (BY_RATE, BY_FIXED)
#: How often the guarantee fee is charged over the term, and the months each instalment covers.
FREQUENCY_MONTHS = {"once": None, "monthly": 1, "quarterly": 3, "yearly": 12}


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)


class GuaranteeFeePlan(TenantScoped, Base):
    """A project's fees: the guarantee fee (a yearly rate of the guaranteed amount, or fixed) and how often it is
    charged, the review fee (fixed) and the margin deposit (保证金, a rate or fixed). One per project."""

    __tablename__ = "guarantee_fee_plans"
    __table_args__ = (UniqueConstraint("tenant_id", "project_id"), _fk("project_id", "guarantee_projects"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    guarantee_fee_method: Mapped[str] = mapped_column(String(10))  # one of METHODS
    #: Yearly rate (e.g. 0.015): total = amount x rate x term_months / 12.
    guarantee_fee_rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    #: The whole guarantee fee over the term (computed from the rate, or the fixed amount).
    guarantee_fee_total: Mapped[Decimal] = mapped_column(Money)
    frequency: Mapped[str] = mapped_column(String(10))  # a key of FREQUENCY_MONTHS
    review_fee: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    margin_method: Mapped[str] = mapped_column(String(10), default=BY_FIXED)
    margin_rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    margin_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    #: The guaranteed amount and term the plan was computed on.
    base_amount: Mapped[Decimal] = mapped_column(Money)
    term_months: Mapped[int] = mapped_column(Integer)
    #: The first due date; instalments follow at their frequency.
    start_date: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeFeeItem(TenantScoped, Base):
    """One line of the fee schedule: what is due when, and how much of it was received and refunded."""

    __tablename__ = "guarantee_fee_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "project_id", "fee_type", "seq"),
        _fk("plan_id", "guarantee_fee_plans", "CASCADE"),
        _fk("project_id", "guarantee_projects"),
        Index("ix_guarantee_fee_items_due", "tenant_id", "due_date"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    fee_type: Mapped[str] = mapped_column(String(20))  # one of FEE_TYPES
    #: Instalment number within the fee type, from 1.
    seq: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[dt.date] = mapped_column(Date)
    #: The months of the term this instalment covers (guarantee fee; None for review fee and margin).
    period_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    received: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    refunded: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))


class GuaranteeFeeReceipt(TenantScoped, Base):
    """Money received against a schedule item (partial receipts allowed)."""

    __tablename__ = "guarantee_fee_receipts"
    __table_args__ = (_fk("item_id", "guarantee_fee_items"), _fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_fee_receipts_project", "tenant_id", "project_id"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    item_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    fee_type: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    received_on: Mapped[dt.date] = mapped_column(Date)
    #: Bank slip or voucher reference.
    reference: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeFeeRefund(TenantScoped, Base):
    """Money paid back against a schedule item (the margin on release, a fee on early release)."""

    __tablename__ = "guarantee_fee_refunds"
    __table_args__ = (_fk("item_id", "guarantee_fee_items"), _fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_fee_refunds_project", "tenant_id", "project_id"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    item_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    fee_type: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    refunded_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
