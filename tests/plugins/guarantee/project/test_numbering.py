"""Project numbers: pattern checks, rendering per series, gap-free counting that gives a number back on rollback,
and distinct consecutive numbers under concurrent transactions (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from surety.core.errors import ValidationFailed
from surety.plugins.guarantee.project.models import GuaranteeNumberSequence
from surety.plugins.guarantee.project.numbering import next_number, series_of, validate_pattern

DAY = dt.date(2026, 3, 5)


@pytest.mark.parametrize("pattern, words", [
    ("DB-{yyyy}", "exactly one counter"),
    ("DB-{seq}-{seq:03}", "exactly one counter"),
    ("DB-{dd}-{seq}", "Unknown placeholder {dd}"),
    ("DB-{seq:5}", "Unknown placeholder {seq:5}"),
    ("DB-{yyyy-{seq}", "Unbalanced braces"),
    ("DB}-{seq}", "Unbalanced braces"),
    ("DB {seq}", "no spaces"),
    ("", "Give a number pattern"),
    ("X" * 41 + "{seq}", "at most 40"),
])
def test_bad_patterns_are_refused(pattern, words):
    with pytest.raises(ValidationFailed, match=words) as err:
        validate_pattern(pattern)
    assert err.value.field == "number_pattern"


def test_series_follow_the_date_placeholders():
    assert series_of("DB-{yyyy}-{seq:05}", DAY) == "DB-2026-{seq}"
    assert series_of("G{yy}{mm}{seq:04}", DAY) == "G2603{seq}"
    assert series_of("{seq}", DAY) == "{seq}"


def test_numbers_count_per_series_and_a_rollback_gives_its_number_back(gw):
    with gw.session() as s:
        assert [next_number(s, "DB-{yyyy}-{seq:05}", DAY) for _ in range(2)] == ["DB-2026-00001", "DB-2026-00002"]
        assert next_number(s, "DB-{yyyy}-{seq:05}", dt.date(2027, 1, 4)) == "DB-2027-00001"  # a new year restarts
        assert next_number(s, "DB-{yyyy}-{seq:03}", DAY) == "DB-2026-003"  # same series, other padding
        assert next_number(s, "M{yy}{mm}-{seq}", DAY) == "M2603-1"
    with pytest.raises(RuntimeError), gw.session() as s:
        assert next_number(s, "DB-{yyyy}-{seq:05}", DAY) == "DB-2026-00004"
        raise RuntimeError("the submission failed after taking its number")
    with gw.session() as s:
        assert next_number(s, "DB-{yyyy}-{seq:05}", DAY) == "DB-2026-00004"
        rows = dict(s.execute(select(GuaranteeNumberSequence.prefix, GuaranteeNumberSequence.last_value)).all())
    assert rows == {"DB-2026-{seq}": 4, "DB-2027-{seq}": 1, "M2603-{seq}": 1}


def test_a_first_number_rolled_back_leaves_the_series_at_zero(gw):
    with pytest.raises(RuntimeError), gw.session() as s:
        next_number(s, "N-{seq}", DAY)
        raise RuntimeError("rolled back")
    with gw.session() as s:
        assert next_number(s, "N-{seq}", DAY) == "N-1"


def _race(gw, threads: int, pattern: str) -> list[str]:
    """``threads`` transactions take a number at once, each holding its transaction open a moment afterwards."""
    barrier = threading.Barrier(threads)
    got, errors = [], []

    def work():
        try:
            barrier.wait(timeout=30)
            with gw.session() as s:
                number = next_number(s, pattern, DAY)
                s.connection().exec_driver_sql("SELECT pg_sleep(0.05)")
            got.append(number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert errors == []
    return got


@pytest.mark.postgres
@pytest.mark.slow
def test_concurrent_transactions_get_distinct_consecutive_numbers(gw):
    # The first use of a series races too: every transaction finds no row and inserts it at once.
    first = _race(gw, 8, "C-{yyyy}-{seq:03}")
    assert sorted(first) == [f"C-2026-{n:03d}" for n in range(1, 9)]
    more = _race(gw, 8, "C-{yyyy}-{seq:03}")
    assert sorted(more) == [f"C-2026-{n:03d}" for n in range(9, 17)]
