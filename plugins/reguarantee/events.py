"""Domain events of the re-guarantee plugin (past tense), one for every money movement, raised with
``surety.core.events.raise_event`` inside the transaction that moves the money: the finance plugin writes its voucher
from its template for the event type (plugins/finance/rules/defaults.py) in the same transaction. Below every area;
docs/reguarantee/README.md, "Events", lists them. Amounts are yuan (Decimal, to the fen). A filing's change of status
is an event too (no money moves; the filing channel listens)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

from surety.core.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReguaranteeFeeBilled(DomainEvent):
    """A fee bill was issued to a partner: ``amount`` of re-guarantee fee for ``period`` is receivable."""

    bill_id: uuid.UUID
    bill_no: str
    partner_id: uuid.UUID
    period: str
    amount: Decimal
    billed_on: dt.date
    #: The finance plugin's auxiliary dimensions (辅助核算): the partner as the counterparty (客户), the bill as the
    #: project (项目) of the fee income; its voucher templates need them (plugins/finance/rules/defaults.py).
    customer_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReguaranteeFeeReceived(DomainEvent):
    """A partner paid a fee bill."""

    bill_id: uuid.UUID
    bill_no: str
    partner_id: uuid.UUID
    amount: Decimal
    received_on: dt.date
    #: The finance plugin's auxiliary dimensions (辅助核算): the partner as the counterparty (客户), the bill as the
    #: project (项目) of the fee income; its voucher templates need them (plugins/finance/rules/defaults.py).
    customer_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReguaranteeClaimPaid(DomainEvent):
    """The re-guarantor paid a partner's compensation claim (代偿补偿款拨付)."""

    claim_id: uuid.UUID
    claim_no: str
    filing_id: uuid.UUID
    partner_id: uuid.UUID
    amount: Decimal
    paid_on: dt.date
    #: The finance plugin's auxiliary dimensions (辅助核算): the partner as the counterparty (客户), the filing as the
    #: project (项目) of the compensation receivable; its voucher templates need them (finance rules/defaults.py).
    customer_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReguaranteeRecoverySettled(DomainEvent):
    """A partner handed over the re-guarantor's part of a recovery on a paid claim (追偿款返还)."""

    recovery_id: uuid.UUID
    claim_id: uuid.UUID
    claim_no: str
    partner_id: uuid.UUID
    amount: Decimal
    settled_on: dt.date
    #: The finance plugin's auxiliary dimensions (辅助核算): the partner as the counterparty (客户), the filing as the
    #: project (项目) of the compensation receivable; its voucher templates need them (finance rules/defaults.py).
    customer_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReguaranteeFilingStatusChanged(DomainEvent):
    """A filing changed status (conventions.FILING_STATUSES): filed, confirmed, rejected, released or compensated.
    No money moves; the filing channel reports it back to the sending tenant when ``channel_id`` is set."""

    filing_id: uuid.UUID
    filing_no: str
    channel_id: uuid.UUID | None = None
    status: str
    reasons: tuple[str, ...] = ()
    changed_on: dt.date
