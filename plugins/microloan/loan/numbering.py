"""Loan numbers from the tenant's pattern (settings ``number_pattern``, e.g. ``XD-{yyyy}-{seq:06}`` ->
``XD-2026-000001``), through core's gap-free numbering (core/numbering.py: placeholders, series, row lock) counting in
this plugin's ``microloan_number_sequences``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from surety.core import numbering
from surety.plugins.microloan.loan.models import MicroloanLoan, MicroloanNumberSequence

#: Longest pattern accepted (the number column holds 40 characters; the counter may grow past its padding).
MAX_PATTERN = 30
EXAMPLE = "XD-{yyyy}-{seq:06}"


def validate_pattern(pattern: object) -> str:
    """``pattern`` when it is a usable loan number pattern; ValidationFailed (``number_pattern``) otherwise."""
    return numbering.validate_pattern(pattern, limit=MAX_PATTERN, example=EXAMPLE)


def next_number(session: Session, pattern: str, on: dt.date) -> str:
    """Take the next loan number of ``pattern`` for the business date ``on`` (in the caller's transaction)."""
    return numbering.next_number(session, validate_pattern(pattern), on, counter=MicroloanNumberSequence.series,
                                 used=MicroloanLoan.loan_no)
