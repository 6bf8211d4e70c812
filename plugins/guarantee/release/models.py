"""Repayment and release (解保) tables of the ``guarantee`` plugin (see models.py for the conventions): repayments
the bank reports on an effective guarantee, and releases (full or partial) of the guarantee. Money is ``Money``."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, ForeignKeyConstraint, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, UTCDateTime, utcnow

#: Kinds of release: the whole in-force balance, or part of it.
RELEASE_FULL = "full"
RELEASE_PARTIAL = "partial"
RELEASE_KINDS = (RELEASE_FULL, RELEASE_PARTIAL)
#: Why a full release is allowed: the loan is repaid (balance 0) or its term ended.
REASON_REPAID = "repaid"
REASON_TERM_ENDED = "term_ended"
REASON_PARTIAL = "partial"
#: A release request (申请解保) awaiting its approval, executed on approval, or ended without a release.
REQUEST_IN_APPROVAL = "in_approval"
REQUEST_RELEASED = "released"
REQUEST_REJECTED = "rejected"
REQUEST_WITHDRAWN = "withdrawn"
REQUEST_STATUSES = (REQUEST_IN_APPROVAL, REQUEST_RELEASED, REQUEST_REJECTED, REQUEST_WITHDRAWN)


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)


class GuaranteeRepayment(TenantScoped, Base):
    """A repayment of the guaranteed loan reported by the bank: the in-force balance goes down by ``amount``."""

    __tablename__ = "guarantee_repayments"
    __table_args__ = (_fk("project_id", "guarantee_projects"),
                      Index("ix_guarantee_repayments_project", "tenant_id", "project_id"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    amount: Mapped[Decimal] = mapped_column(Money)
    repaid_on: Mapped[dt.date] = mapped_column(Date)
    #: The in-force balance after this repayment.
    balance_after: Mapped[Decimal] = mapped_column(Money)
    #: The bank's notice or slip reference.
    reference: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeRelease(TenantScoped, Base):
    """A release (解保) of a guarantee: ``full`` (balance to 0, project ``released``) or ``partial``; what went back
    to the bank's credit line and how much margin was refunded."""

    __tablename__ = "guarantee_releases"
    __table_args__ = (_fk("project_id", "guarantee_projects"), _fk("credit_line_id", "guarantee_credit_lines"),
                      Index("ix_guarantee_releases_project", "tenant_id", "project_id"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(10))  # one of RELEASE_KINDS
    #: repaid | term_ended (full) or partial.
    reason: Mapped[str] = mapped_column(String(20))
    #: The in-force amount released (balance before - balance after).
    amount: Mapped[Decimal] = mapped_column(Money)
    #: 解保金额: the guaranteed amount this release discharges. Partial: ``amount``. Full: the balance released plus
    #: every repayment recorded before it (what the repayments paid off is discharged by the full release), so the
    #: releases of a project add up to its loan amount less the compensated principal.
    released_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    balance_after: Mapped[Decimal] = mapped_column(Money)
    released_on: Mapped[dt.date] = mapped_column(Date)
    #: The credit line usage given back (None line: the project held no line).
    credit_line_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    line_released: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    margin_refunded: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    note: Mapped[str] = mapped_column(String(500), default="")
    #: The approved request this release executed (None: released before releases went through an approval).
    request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeReleaseRequest(TenantScoped, Base):
    """A request to release (申请解保) a guarantee, full or partial, decided through the workflow
    ``guarantee.release``; the release is executed when the instance ends approved (``release_id``)."""

    __tablename__ = "guarantee_release_requests"
    __table_args__ = (_fk("project_id", "guarantee_projects"), _fk("release_id", "guarantee_releases"),
                      Index("ix_guarantee_release_requests_project", "tenant_id", "project_id", "status"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(10))  # one of RELEASE_KINDS
    #: The amount of a partial release (None for a full one: the whole balance when it is executed).
    amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    #: The release date asked for (None: the business date of the approval).
    released_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12), default=REQUEST_IN_APPROVAL)  # one of REQUEST_STATUSES
    workflow_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    release_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
