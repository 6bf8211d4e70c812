"""Project numbers from the tenant's pattern, e.g. ``DB-{yyyy}-{seq:05}`` -> ``DB-2026-00001``.

Placeholders: ``{yyyy}`` (year), ``{yy}`` (two-digit year), ``{mm}`` (month), and exactly one ``{seq}`` or
``{seq:0N}`` (a counter, zero-padded to N digits). The counter is kept per *series*: the pattern rendered for the
date with the counter left out (``DB-2026-{seq}``), so a yearly pattern restarts each year and a monthly one each
month, and changing only the padding keeps counting in the same series.

A number is taken by incrementing the series' row (``GuaranteeNumberSequence``) with ``UPDATE ... RETURNING`` in the
caller's transaction: the row stays locked until that transaction ends, so concurrent submissions get distinct,
consecutive numbers, and a submission that rolls back gives its number back (no gaps). The first number of a series
inserts its row with ``INSERT ... ON CONFLICT DO NOTHING`` and increments it like any other, so two first
submissions racing each other cannot both start at 1.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surety.core.db.session import session_tenant
from surety.core.errors import Conflict, ValidationFailed
from surety.plugins.guarantee.project.models import GuaranteeNumberSequence, GuaranteeProject

_TOKEN = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"seq(?::0([1-9]))?")
DATE_PLACEHOLDERS = ("yyyy", "yy", "mm")
#: Longest pattern accepted (the number column holds 60 characters; the counter may grow past its padding).
MAX_PATTERN = 40
SERIES_SEQ = "{seq}"


def validate_pattern(pattern: str) -> str:
    """``pattern`` when it is a usable number pattern; ValidationFailed (field ``number_pattern``) naming the
    problem otherwise."""
    field = "number_pattern"
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValidationFailed("Give a number pattern, e.g. DB-{{yyyy}}-{{seq:05}}.", field=field)
    pattern = pattern.strip()
    if len(pattern) > MAX_PATTERN:
        raise ValidationFailed("A number pattern is at most {limit} characters.", field=field, limit=MAX_PATTERN)
    seqs = 0
    for token in _TOKEN.findall(pattern):
        if _SEQ.fullmatch(token):
            seqs += 1
        elif token not in DATE_PLACEHOLDERS:
            raise ValidationFailed("Unknown placeholder {{{token}}} in the number pattern; use {{yyyy}}, {{yy}}, "
                                   "{{mm}} and one {{seq}} or {{seq:0N}}.", field=field, token=token)
    if seqs != 1:
        raise ValidationFailed("A number pattern holds exactly one counter, {{seq}} or {{seq:0N}} (e.g. {{seq:05}}); "
                               "this one has {count}.", field=field, count=seqs)
    if "{" in _TOKEN.sub("", pattern) or "}" in _TOKEN.sub("", pattern):
        raise ValidationFailed("Unbalanced braces in the number pattern.", field=field)
    if any(ch.isspace() for ch in pattern):
        raise ValidationFailed("A number pattern has no spaces.", field=field)
    return pattern


def _render(pattern: str, on: dt.date, seq: int | None) -> str:
    def sub(match: re.Match) -> str:
        token = match.group(1)
        if token == "yyyy":
            return f"{on.year:04d}"
        if token == "yy":
            return f"{on.year % 100:02d}"
        if token == "mm":
            return f"{on.month:02d}"
        if seq is None:
            return SERIES_SEQ
        width = _SEQ.fullmatch(token).group(1)
        return f"{seq:0{int(width)}d}" if width else str(seq)

    return _TOKEN.sub(sub, pattern)


def series_of(pattern: str, on: dt.date) -> str:
    """The counter's series for ``pattern`` on ``on``: the rendered pattern with ``{seq}`` in place of the count."""
    return _render(validate_pattern(pattern), on, None)


def render(pattern: str, on: dt.date, seq: int) -> str:
    """The number ``seq`` of ``pattern``'s series on ``on``."""
    return _render(validate_pattern(pattern), on, seq)


def _tenant(session: Session) -> uuid.UUID:
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise RuntimeError("project numbers are taken in a tenant session")
    return tenant


def _bump(session: Session, series: str) -> int | None:
    return session.execute(
        update(GuaranteeNumberSequence).where(GuaranteeNumberSequence.prefix == series)
        .values(last_value=GuaranteeNumberSequence.last_value + 1)
        .returning(GuaranteeNumberSequence.last_value)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()


def _insert_series(session: Session, series: str) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = GuaranteeNumberSequence.__table__
    session.execute(insert(table).values(tenant_id=_tenant(session), prefix=series, last_value=0)
                    .on_conflict_do_nothing(index_elements=[table.c.tenant_id, table.c.prefix]))


def next_value(session: Session, series: str) -> int:
    """The next counter value of ``series``, its row locked until the caller's transaction ends."""
    value = _bump(session, series)
    if value is None:
        _insert_series(session, series)
        value = _bump(session, series)
    return value


def next_number(session: Session, pattern: str, on: dt.date) -> str:
    """Take the next project number of ``pattern`` for the business date ``on`` (in the caller's transaction).

    Conflict if the number is somehow already used (a pattern changed so that two series produce the same text):
    nothing is taken then, as the caller's transaction rolls back."""
    value = next_value(session, series_of(pattern, on))
    number = render(pattern, on, value)
    if len(number) > 60:
        raise ValidationFailed("The project number {number!r} is longer than 60 characters; shorten the pattern.",
                               field="number_pattern", number=number)
    if session.scalar(select(GuaranteeProject.id).where(GuaranteeProject.project_no == number)) is not None:
        raise Conflict("The project number {number} is already used; change the number pattern so that its "
                       "series do not overlap.", field="number_pattern", number=number)
    return number
