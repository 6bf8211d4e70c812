"""Project numbers from the tenant's pattern (settings ``number_pattern``, e.g. ``DB-{yyyy}-{seq:05}`` ->
``DB-2026-00001``), through core's gap-free numbering (core/numbering.py: placeholders, series, row lock) counting in
this plugin's ``guarantee_number_sequences``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from surety.core import numbering
from surety.core.numbering import series_of
from surety.plugins.guarantee.project.models import GuaranteeNumberSequence, GuaranteeProject

__all__ = ["MAX_PATTERN", "next_number", "series_of", "validate_pattern"]

#: Longest pattern accepted (the number column holds 60 characters; the counter may grow past its padding).
MAX_PATTERN = 40
EXAMPLE = "DB-{yyyy}-{seq:05}"


def validate_pattern(pattern: object) -> str:
    """``pattern`` when it is a usable project number pattern; ValidationFailed (``number_pattern``) otherwise."""
    return numbering.validate_pattern(pattern, limit=MAX_PATTERN, example=EXAMPLE)


def next_number(session: Session, pattern: str, on: dt.date) -> str:
    """Take the next project number of ``pattern`` for the business date ``on`` (in the caller's transaction)."""
    return numbering.next_number(session, validate_pattern(pattern), on, counter=GuaranteeNumberSequence.prefix,
                                 used=GuaranteeProject.project_no)
