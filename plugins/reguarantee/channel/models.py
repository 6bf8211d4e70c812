"""Tables of the filing channel (机构通道, docs/reguarantee/channel.md). Both are tenant tables: every row lives in one
tenant, and nothing here references a row of another tenant by foreign key.

A channel has one row on each side, with the SAME id (the primary key is ``(tenant_id, id)``): the receiver's row
(``side = "receiver"``, the re-guarantor: partner, agreement) and the sender's row (``side = "sender"``, the
guarantee company: which tenant it files with, under which agreement number). Their statuses are kept equal by
channel/crossing.py, the only module that writes into the other side's tenant.

An outbound filing is the sender's own record of one project it sent: what the receiver answered (its filing's id
and number, or the refusal reasons) and the filing's status as the receiver reports it back."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKeyConstraint, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, UTCDateTime, utcnow
from surety.plugins.reguarantee.conventions import FILING_STATUSES

#: Channel status -> zh-CN label: offered by the receiver, accepted by the sender (active), closed by either.
CHANNEL_STATUSES = {"offered": "待对方接受", "active": "已开通", "closed": "已关闭"}
#: Side of a channel row -> zh-CN label.
CHANNEL_SIDES = {"receiver": "再担保机构（接收方）", "sender": "担保机构（报送方）"}
#: Status of an outbound filing -> zh-CN label: refused by the receiver's checks, or the receiver's filing status.
OUTBOUND_STATUSES = {"refused": "未通过（整批退回）", **FILING_STATUSES}


class ReguaranteeChannel(TenantScoped, Base):
    """One side of a filing channel between a re-guarantor (receiver) and a guarantee company (sender)
    (CHANNEL_STATUSES: offered -> active -> closed)."""

    __tablename__ = "reguarantee_channels"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"],
                             ["reguarantee_partners.tenant_id", "reguarantee_partners.id"]),
        ForeignKeyConstraint(["tenant_id", "agreement_id"],
                             ["reguarantee_agreements.tenant_id", "reguarantee_agreements.id"]),
        Index("ix_reguarantee_channels_peer", "tenant_id", "peer_tenant_id", "status"),
    )

    #: ``receiver`` (this tenant is the re-guarantor) or ``sender`` (this tenant files through it).
    side: Mapped[str] = mapped_column(String(10))
    #: The other side's tenant (the sender's on a receiver row, the receiver's on a sender row).
    peer_tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The other side's name when the channel was offered (shown; the tenant registry has the current one).
    peer_name: Mapped[str] = mapped_column(String(200), default="")
    #: Receiver side only: the partner institution the sender is, and the agreement its filings go under.
    partner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    agreement_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: The agreement's number (both sides: the sender sees it, not the receiver's agreement row).
    agreement_no: Mapped[str] = mapped_column(String(40), default="")
    #: A key of CHANNEL_STATUSES.
    status: Mapped[str] = mapped_column(String(10), default="offered")
    #: Who offered (a user of the receiver), accepted (a user of the sender), closed (a user of either side:
    #: ``closed_side`` says which) and when; user ids are of the tenant named by the side.
    offered_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    offered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    closed_side: Mapped[str | None] = mapped_column(String(10), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    close_reason: Mapped[str] = mapped_column(String(500), default="")


class ReguaranteeOutboundFiling(TenantScoped, Base):
    """A project the sender filed through a channel, with the receiver's answer and the filing's status as reported
    back (OUTBOUND_STATUSES: ``refused``, or a filing status)."""

    __tablename__ = "reguarantee_outbound_filings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "channel_id"],
                             ["reguarantee_channels.tenant_id", "reguarantee_channels.id"]),
        Index("ix_reguarantee_outbound_channel", "tenant_id", "channel_id", "status"),
        Index("ix_reguarantee_outbound_project", "tenant_id", "project_id"),
        Index("ix_reguarantee_outbound_receiver_filing", "tenant_id", "receiver_filing_id"),
    )

    #: The channel (the sender's row; the receiver knows it by the same id).
    channel_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    receiver_tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The sender's own project (guarantee plugin) and its number as filed (``project_ref``).
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    project_ref: Mapped[str] = mapped_column(String(60), default="")
    guarantee_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    #: The receiver's filing (None when refused) and the batch it came in.
    receiver_filing_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    receiver_filing_no: Mapped[str] = mapped_column(String(40), default="")
    receiver_batch_no: Mapped[str] = mapped_column(String(40), default="")
    #: ``refused`` or a key of conventions.FILING_STATUSES, as the receiver last reported it.
    status: Mapped[str] = mapped_column(String(20))
    #: Why it was refused or returned (zh-CN texts from the receiver).
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    #: The business date of the last status (the receiver's ``changed_on``).
    status_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    sent_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
