"""core/numbering.py: pattern checks, series, and gap-free counting in a counter table the caller passes (here a
table of this test; guarantee's and microloan's numbering tests run it on their own tables, the concurrent race on
PostgreSQL in tests/plugins/guarantee/project/test_numbering.py)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import Integer, String, UniqueConstraint, Uuid, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from surety.core import numbering
from surety.core.db.session import TENANT_KEY
from surety.core.errors import Conflict, TenantNotBound, ValidationFailed

DAY = dt.date(2026, 3, 5)


class _Base(DeclarativeBase):
    pass


class Counter(_Base):
    __tablename__ = "test_number_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "series"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    series: Mapped[str] = mapped_column(String(60))
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Doc(_Base):
    __tablename__ = "test_numbered_docs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(12))


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine, info={TENANT_KEY: uuid.uuid4()}) as s:
        yield s
    engine.dispose()


def take(session, pattern, on=DAY):
    return numbering.next_number(session, pattern, on, counter=Counter.series, used=Doc.number)


@pytest.mark.parametrize("pattern, words", [
    ("DB-{yyyy}", "exactly one counter"),
    ("DB-{seq}-{seq:03}", "exactly one counter"),
    ("DB-{dd}-{seq}", "Unknown placeholder {dd}"),
    ("DB-{seq:5}", "Unknown placeholder {seq:5}"),
    ("DB-{yyyy-{seq}", "Unbalanced braces"),
    ("DB}-{seq}", "Unbalanced braces"),
    ("DB {seq}", "no spaces"),
    ("", "Give a number pattern, e.g. AB-{seq}."),
    (None, "Give a number pattern"),
    ("X" * 16 + "{seq}", "at most 20"),
])
def test_bad_patterns_are_refused(pattern, words):
    with pytest.raises(ValidationFailed, match=words) as err:
        numbering.validate_pattern(pattern, limit=20, example="AB-{seq}")
    assert err.value.field == "number_pattern"


def test_a_good_pattern_is_returned_stripped_and_renders_per_series():
    assert numbering.validate_pattern(" G{yy}{mm}{seq:04} ", limit=40, example="x") == "G{yy}{mm}{seq:04}"
    assert numbering.series_of("DB-{yyyy}-{seq:05}", DAY) == "DB-2026-{seq}"
    assert numbering.series_of("G{yy}{mm}{seq:04}", DAY) == "G2603{seq}"
    assert numbering.render("DB-{yyyy}-{seq:05}", DAY, 42) == "DB-2026-00042"
    assert numbering.render("N{seq}", DAY, 123456) == "N123456"


def test_numbers_count_per_series_in_the_callers_table_and_a_rollback_gives_its_number_back(session):
    assert [take(session, "D{yy}-{seq:03}") for _ in range(2)] == ["D26-001", "D26-002"]
    assert take(session, "D{yy}-{seq:03}", dt.date(2027, 1, 4)) == "D27-001"  # a new year restarts
    assert take(session, "D{yy}-{seq:05}") == "D26-00003"  # same series, other padding
    session.commit()
    assert take(session, "D{yy}-{seq:03}") == "D26-004"
    session.rollback()
    assert take(session, "D{yy}-{seq:03}") == "D26-004"
    rows = dict(session.execute(select(Counter.series, Counter.last_value)).all())
    assert rows == {"D26-{seq}": 4, "D27-{seq}": 1}


def test_a_number_too_long_for_the_column_or_already_used_is_refused(session):
    with pytest.raises(ValidationFailed, match="longer than 12 characters") as err:
        take(session, "ABCDEFGHIJKL{seq}")
    assert err.value.field == "number_pattern"
    session.rollback()
    session.add(Doc(number="X-1"))
    session.flush()
    with pytest.raises(Conflict, match="X-1 is already used"):
        take(session, "X-{seq}")


def test_numbers_are_taken_in_a_tenant_session_only(session):
    session.info.pop(TENANT_KEY)
    with pytest.raises(TenantNotBound):
        take(session, "T-{seq}")
