"""Domain events of early warning (预警) and risk classification (风险分类), in the style of ``events.py``: ids,
kinds, levels, amounts (Decimal) and dates, never personal data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

from surety.core.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeOverdueReported(DomainEvent):
    """The bank reported the guaranteed loan overdue; earlier open reports of the project are superseded."""

    project_id: uuid.UUID
    report_id: uuid.UUID
    reported_on: dt.date
    overdue_principal: Decimal
    overdue_interest: Decimal
    days_past_due: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeOverdueCured(DomainEvent):
    """The bank says the arrears were paid: the open overdue report is closed."""

    project_id: uuid.UUID
    report_id: uuid.UUID
    cured_on: dt.date


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeWarningRaised(DomainEvent):
    """An indicator fired on an effective project (or someone raised it by hand); the risk officer has a task."""

    project_id: uuid.UUID
    warning_id: uuid.UUID
    indicator_id: uuid.UUID | None
    kind: str
    level: str
    raised_on: dt.date


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeWarningClosed(DomainEvent):
    """The risk officer's task ended: ``status`` is handled or dismissed."""

    project_id: uuid.UUID
    warning_id: uuid.UUID
    status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeRiskClassified(DomainEvent):
    """An approved classification change: the project's five-category class went from ``from_class`` to
    ``to_class``."""

    project_id: uuid.UUID
    change_id: uuid.UUID
    from_class: str
    to_class: str
