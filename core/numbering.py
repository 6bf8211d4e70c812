"""Gap-free document numbers from a tenant's pattern, e.g. ``DB-{yyyy}-{seq:05}`` -> ``DB-2026-00001``.

Placeholders: ``{yyyy}`` (year), ``{yy}`` (two-digit year), ``{mm}`` (month), and exactly one ``{seq}`` or
``{seq:0N}`` (a counter, zero-padded to N digits). The counter is kept per *series*: the pattern rendered for the
date with the counter left out (``DB-2026-{seq}``), so a yearly pattern restarts each year and a monthly one each
month, and changing only the padding keeps counting in the same series.

The counters live in a table of the calling plugin (its own migration, its own RLS): a tenant model with a unique
``(tenant_id, <series column>)`` and an integer ``last_value``, passed as its series column
(``GuaranteeNumberSequence.prefix``). A number is taken by incrementing the series' row with ``UPDATE ... RETURNING``
in the caller's transaction: the row stays locked until that transaction ends, so concurrent takers get distinct,
consecutive numbers, and a transaction that rolls back gives its number back (no gaps). The first number of a series
inserts its row with ``INSERT ... ON CONFLICT DO NOTHING`` and increments it like any other, so two first takers
racing each other cannot both start at 1.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from surety.core.db.session import session_tenant
from surety.core.errors import Conflict, TenantNotBound, ValidationFailed

_TOKEN = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"seq(?::0([1-9]))?")
DATE_PLACEHOLDERS = ("yyyy", "yy", "mm")
SERIES_SEQ = "{seq}"
FIELD = "number_pattern"


def validate_pattern(pattern: object, *, limit: int, example: str) -> str:
    """``pattern`` (stripped) when it is a usable number pattern of at most ``limit`` characters; ValidationFailed
    (field ``number_pattern``) naming the problem otherwise (``example``: a good pattern, quoted when none is
    given)."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValidationFailed("Give a number pattern, e.g. {example}.", field=FIELD, example=example)
    pattern = pattern.strip()
    if len(pattern) > limit:
        raise ValidationFailed("A number pattern is at most {limit} characters.", field=FIELD, limit=limit)
    seqs = 0
    for token in _TOKEN.findall(pattern):
        if _SEQ.fullmatch(token):
            seqs += 1
        elif token not in DATE_PLACEHOLDERS:
            raise ValidationFailed("Unknown placeholder {{{token}}} in the number pattern; use {{yyyy}}, {{yy}}, "
                                   "{{mm}} and one {{seq}} or {{seq:0N}}.", field=FIELD, token=token)
    if seqs != 1:
        raise ValidationFailed("A number pattern holds exactly one counter, {{seq}} or {{seq:0N}} (e.g. {{seq:05}}); "
                               "this one has {count}.", field=FIELD, count=seqs)
    rest = _TOKEN.sub("", pattern)
    if "{" in rest or "}" in rest:
        raise ValidationFailed("Unbalanced braces in the number pattern.", field=FIELD)
    if any(ch.isspace() for ch in pattern):
        raise ValidationFailed("A number pattern has no spaces.", field=FIELD)
    return pattern


def render(pattern: str, on: dt.date, seq: int | None) -> str:
    """The number ``seq`` of ``pattern``'s series on ``on``; ``seq`` None: the series itself (``{seq}`` left in).
    ``pattern`` is one :func:`validate_pattern` accepted."""

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
        width = _SEQ.fullmatch(token).group(1)  # type: ignore[union-attr]  # validated: the one counter
        return f"{seq:0{int(width)}d}" if width else str(seq)

    return _TOKEN.sub(sub, pattern)


def series_of(pattern: str, on: dt.date) -> str:
    """The counter's series for ``pattern`` on ``on``: the rendered pattern with ``{seq}`` in place of the count."""
    return render(pattern, on, None)


def _tenant(session: Session) -> uuid.UUID:
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenantNotBound("numbers are taken in a tenant session")
    return tenant


def _bump(session: Session, counter: InstrumentedAttribute, series: str) -> int | None:
    model = counter.class_
    return session.execute(
        update(model).where(counter == series)
        .values(last_value=model.last_value + 1)
        .returning(model.last_value)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()


def next_value(session: Session, counter: InstrumentedAttribute, series: str) -> int:
    """The next value of ``series`` in the counter table whose series column is ``counter``, its row locked until
    the caller's transaction ends."""
    value = _bump(session, counter, series)
    if value is None:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        table = counter.class_.__table__
        session.execute(insert(table).values({"tenant_id": _tenant(session), counter.key: series, "last_value": 0})
                        .on_conflict_do_nothing(index_elements=[table.c.tenant_id, table.c[counter.key]]))
        value = _bump(session, counter, series)
    return value  # type: ignore[return-value]  # the row exists now


def next_number(session: Session, pattern: str, on: dt.date, *, counter: InstrumentedAttribute,
                used: InstrumentedAttribute) -> str:
    """Take the next number of ``pattern`` for the business date ``on`` in the caller's transaction, counting in
    the table of ``counter`` (its series column); ``used`` is the column the numbers go into (its length is the
    longest number). ValidationFailed when the number is too long for ``used``; Conflict when it is already used
    there (a pattern changed so that two series produce the same text): nothing is taken then, as the caller's
    transaction rolls back."""
    number = render(pattern, on, next_value(session, counter, series_of(pattern, on)))
    limit = used.type.length
    if limit is not None and len(number) > limit:
        raise ValidationFailed("The number {number!r} is longer than {limit} characters; shorten the pattern.",
                               field=FIELD, number=number, limit=limit)
    if session.scalar(select(used).where(used == number).limit(1)) is not None:
        raise Conflict("The number {number} is already used; change the number pattern so that its series do not "
                       "overlap.", field=FIELD, number=number)
    return number
