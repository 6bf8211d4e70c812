"""Tables of loan products: the product (its code, name and whether it is offered) and its versions (the lending
terms). A change of terms writes a new version; a loan keeps the version it was made under (``product_id``,
``version``)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKeyConstraint, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow


class MicroloanProduct(TenantScoped, Base):
    """A loan product of the tenant; ``version`` is the number of its current terms."""

    __tablename__ = "microloan_products"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MicroloanProductVersion(TenantScoped, Base):
    """The lending terms of one version of a product (never changed once written)."""

    __tablename__ = "microloan_product_versions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "product_id"],
                             ["microloan_products.tenant_id", "microloan_products.id"]),
        UniqueConstraint("tenant_id", "product_id", "version"),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    min_amount: Mapped[Decimal] = mapped_column(Money)
    max_amount: Mapped[Decimal] = mapped_column(Money)
    min_term_months: Mapped[int] = mapped_column(Integer)
    max_term_months: Mapped[int] = mapped_column(Integer)
    #: Yearly contract rate (0.12 is 12 %).
    annual_rate: Mapped[Decimal] = mapped_column(Rate)
    #: A key of conventions.REPAYMENT_METHODS.
    repayment_method: Mapped[str] = mapped_column(String(20))
    #: A key of conventions.DAY_COUNTS.
    day_count: Mapped[str] = mapped_column(String(10))
    #: A key of conventions.ROUNDINGS.
    rounding: Mapped[str] = mapped_column(String(20))
    #: Fee charged once at disbursement, as a part of the amount (0.01 is 1 %).
    upfront_fee_rate: Mapped[Decimal] = mapped_column(Rate, default=Decimal(0))
    #: Fee added to every installment, as a part of the amount per month.
    monthly_fee_rate: Mapped[Decimal] = mapped_column(Rate, default=Decimal(0))
    #: Penalty interest on overdue amounts: the contract rate raised by this part (0.5: rate x 1.5).
    penalty_uplift: Mapped[Decimal] = mapped_column(Rate)
    #: Days after a due date before it counts as overdue (宽限期).
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    #: Components separated by commas (conventions.COMPONENTS); NULL: the product is silent (the statutory order).
    allocation_order: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The user who wrote this version (None for the system).
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
