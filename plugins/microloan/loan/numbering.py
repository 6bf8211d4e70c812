"""Loan numbers from the tenant's pattern (settings ``number_pattern``, e.g. ``XD-{yyyy}-{seq:06}`` ->
``XD-2026-000001``): ``{yyyy}``, ``{yy}``, ``{mm}`` and exactly one ``{seq}`` / ``{seq:0N}``. The counter is kept per
series (the pattern rendered for the date with ``{seq}`` left in), incremented with ``UPDATE ... RETURNING`` in the
caller's transaction, so numbers are unique and gap-free (a rolled-back application gives its number back).

The smallest local version of guarantee's project numbering (plugins/guarantee/project/numbering.py), which is
generic: to be lifted into core with a counter table per plugin or a shared one (reported to the lead)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surety.core.db.session import session_tenant
from surety.core.errors import Conflict, ValidationFailed
from surety.plugins.microloan.loan.models import MicroloanLoan, MicroloanNumberSequence

_TOKEN = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"seq(?::0([1-9]))?")
#: Longest pattern accepted (the number column holds 40 characters; the counter may grow past its padding).
MAX_PATTERN = 30


def validate_pattern(pattern: object) -> str:
    """``pattern`` when usable: one counter, known placeholders, no spaces; ValidationFailed (``number_pattern``)."""
    field = "number_pattern"
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValidationFailed("Give a loan number pattern, e.g. XD-{{yyyy}}-{{seq:06}}.", field=field)
    pattern = pattern.strip()
    if len(pattern) > MAX_PATTERN or any(ch.isspace() for ch in pattern):
        raise ValidationFailed("A loan number pattern is at most {limit} characters, without spaces.", field=field,
                               limit=MAX_PATTERN)
    tokens = _TOKEN.findall(pattern)
    unknown = [t for t in tokens if not _SEQ.fullmatch(t) and t not in ("yyyy", "yy", "mm")]
    rest = _TOKEN.sub("", pattern)
    if unknown or "{" in rest or "}" in rest or sum(1 for t in tokens if _SEQ.fullmatch(t)) != 1:
        raise ValidationFailed("A loan number pattern uses {{yyyy}}, {{yy}}, {{mm}} and exactly one {{seq}} or "
                               "{{seq:0N}}.", field=field)
    return pattern


def render(pattern: str, on: dt.date, seq: int | None) -> str:
    """The number ``seq`` of ``pattern`` on ``on``; ``seq`` None: the series (``{seq}`` left in)."""
    def sub(match: re.Match) -> str:
        token = match.group(1)
        if token in ("yyyy", "yy", "mm"):
            return {"yyyy": f"{on.year:04d}", "yy": f"{on.year % 100:02d}", "mm": f"{on.month:02d}"}[token]
        if seq is None:
            return "{seq}"
        width = _SEQ.fullmatch(token).group(1)
        return f"{seq:0{int(width)}d}" if width else str(seq)

    return _TOKEN.sub(sub, validate_pattern(pattern))


def _bump(session: Session, series: str) -> int | None:
    return session.execute(
        update(MicroloanNumberSequence).where(MicroloanNumberSequence.series == series)
        .values(last_value=MicroloanNumberSequence.last_value + 1)
        .returning(MicroloanNumberSequence.last_value)
        .execution_options(synchronize_session=False)).scalar_one_or_none()


def next_number(session: Session, pattern: str, on: dt.date) -> str:
    """Take the next loan number of ``pattern`` for the business date ``on`` (in the caller's transaction)."""
    series = render(pattern, on, None)
    value = _bump(session, series)
    if value is None:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        table = MicroloanNumberSequence.__table__
        session.execute(insert(table).values(tenant_id=session_tenant(session), series=series, last_value=0)
                        .on_conflict_do_nothing(index_elements=[table.c.tenant_id, table.c.series]))
        value = _bump(session, series)
    number = render(pattern, on, value)
    if len(number) > 40 or session.scalar(select(MicroloanLoan.id).where(MicroloanLoan.loan_no == number)):
        raise Conflict("The loan number {number} is already used or too long; change the number pattern.",
                       field="number_pattern", number=number)
    return number
