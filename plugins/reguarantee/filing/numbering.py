"""Filing and batch numbers (``BA-2026-000001``, ``BAP-2026-00001``) through core's gap-free numbering
(core/numbering.py: placeholders, series, the counter row locked until the transaction ends), counting in this
plugin's ``reguarantee_number_sequences`` (one row per series; other areas of the plugin may count there too with
their own patterns). A batch takes all its numbers with one counter update (:func:`take_numbers`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, UniqueConstraint, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from surety.core import numbering
from surety.core.db.base import Base, TenantScoped


class ReguaranteeNumberSequence(TenantScoped, Base):
    """The last number taken of a series (core/numbering.py)."""

    __tablename__ = "reguarantee_number_sequences"
    __table_args__ = (UniqueConstraint("tenant_id", "series"),)

    series: Mapped[str] = mapped_column(String(60))
    last_value: Mapped[int] = mapped_column(Integer, default=0)


FILING_PATTERN = "BA-{yyyy}-{seq:06}"
BATCH_PATTERN = "BAP-{yyyy}-{seq:05}"


def take_numbers(session: Session, pattern: str, on: dt.date, count: int) -> list[str]:
    """``count`` consecutive numbers of ``pattern`` for the business date ``on``, taken with one update of the
    series' counter row (locked until the caller's transaction ends; a rollback gives them back)."""
    if count <= 0:
        return []
    series = numbering.series_of(pattern, on)
    first = numbering.next_value(session, ReguaranteeNumberSequence.series, series)
    last = first
    if count > 1:
        last = session.execute(
            update(ReguaranteeNumberSequence).where(ReguaranteeNumberSequence.series == series)
            .values(last_value=ReguaranteeNumberSequence.last_value + (count - 1))
            .returning(ReguaranteeNumberSequence.last_value)
            .execution_options(synchronize_session=False)).scalar_one()
    return [numbering.render(pattern, on, value) for value in range(first, last + 1)]
