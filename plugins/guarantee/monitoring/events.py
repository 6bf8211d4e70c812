"""Domain events of post-guarantee inspections (保后检查), in the style of ``events.py``: ids, kinds and dates, never
personal data (the findings text stays in the inspection row)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from surety.core.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuaranteeInspectionRecorded(DomainEvent):
    """An inspection of an effective guarantee was recorded: ``conclusion`` is normal, attention or risk."""

    project_id: uuid.UUID
    inspection_id: uuid.UUID
    conclusion: str
    inspected_on: dt.date
