"""Working days on the PRC calendar: real holidays and make-up working days from chinese_calendar, overrides (the
tenant's beat the platform's), and a weekend fallback with one warning for a year the package does not know."""

from __future__ import annotations

import datetime as dt
import time

import chinese_calendar
import pytest
from structlog.testing import capture_logs

from surety.core.workflow import calendar as calendar_module
from surety.core.workflow.calendar import WorkCalendar, known_years, merge_overrides

D = dt.date.fromisoformat
FIRST_UNKNOWN = known_years().stop  # 2027 with chinese_calendar 1.11


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Each test sees the once-per-year warning afresh."""
    monkeypatch.setattr(calendar_module, "_warned_years", set())


def unknown_warnings(logs):
    return [e for e in logs if e["event"] == "workday_calendar_year_unknown"]


def test_known_years_match_the_package():
    years = known_years()
    assert years.start <= 2024 and years.stop - 1 >= 2025
    chinese_calendar.is_workday(dt.date(years.start, 6, 3))
    chinese_calendar.is_workday(dt.date(years.stop - 1, 6, 3))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(years.stop, 6, 3))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(years.start - 1, 6, 3))


# The package's own answers, checked here before we rely on them below.
NATIONAL_DAY_2024 = [D("2024-10-01") + dt.timedelta(days=i) for i in range(7)]
SPRING_FESTIVAL_2025 = [D("2025-01-28") + dt.timedelta(days=i) for i in range(8)]
MAKE_UP_DAYS = [D("2024-09-29"), D("2024-10-12"), D("2025-01-26"), D("2025-02-08")]


def test_package_agrees_with_the_published_calendar():
    for day in NATIONAL_DAY_2024 + SPRING_FESTIVAL_2025:
        assert chinese_calendar.is_holiday(day), day
    for day in MAKE_UP_DAYS:
        assert day.weekday() >= 5 and chinese_calendar.is_workday(day), day


@pytest.mark.parametrize("day", NATIONAL_DAY_2024 + SPRING_FESTIVAL_2025)
def test_public_holidays_are_days_off(day):
    assert not WorkCalendar().is_working_day(day)


@pytest.mark.parametrize("day", MAKE_UP_DAYS)
def test_make_up_weekend_days_are_working_days(day):
    assert day.strftime("%a") in ("Sat", "Sun")
    assert WorkCalendar().is_working_day(day)


@pytest.mark.parametrize(
    ("day", "working"),
    [("2024-06-03", True), ("2024-06-08", False), ("2024-06-09", False), ("2024-10-08", True),
     ("2025-02-05", True), ("2025-02-09", False), ("2025-01-25", False)],
)
def test_ordinary_days(day, working):
    assert WorkCalendar().is_working_day(D(day)) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2024-09-29", 3, "2024-10-09"),  # Sun 29 Sep is a make-up day (not counted): Mon 30, Tue 8, Wed 9
        ("2024-09-30", 3, "2024-10-10"),  # Tue 8, Wed 9, Thu 10 October
        ("2024-09-30", 1, "2024-10-08"),
        ("2024-09-28", 1, "2024-09-29"),  # Saturday → the make-up Sunday
        ("2024-10-11", 1, "2024-10-12"),  # Friday → the make-up Saturday
        ("2025-01-27", 1, "2025-02-05"),  # over the Spring Festival
        ("2025-01-24", 2, "2025-01-27"),  # Fri → Sun 26 (make-up) → Mon 27
        ("2024-06-03", 0, "2024-06-03"),
        ("2024-06-08", 0, "2024-06-08"),  # n=0 is the start even on a day off
        ("2024-10-08", -1, "2024-09-30"),
        ("2024-10-09", -3, "2024-09-29"),
        ("2025-02-05", -2, "2025-01-26"),
        ("2024-06-03", 5, "2024-06-11"),  # the Dragon Boat Festival, Mon 10 June 2024, is off
    ],
)
def test_add_working_days(start, n, expected):
    assert WorkCalendar().add_working_days(D(start), n) == D(expected)


def test_add_and_subtract_are_inverse_on_working_days():
    cal = WorkCalendar()
    for start in (D("2024-09-30"), D("2025-01-27"), D("2024-06-03")):
        for n in (1, 2, 5, 17):
            assert cal.add_working_days(cal.add_working_days(start, n), -n) == start


def test_next_working_day():
    cal = WorkCalendar()
    assert cal.next_working_day(D("2024-09-30")) == D("2024-10-08")
    assert cal.next_working_day(D("2024-06-07")) == D("2024-06-11")  # Fri → Tue (weekend + Dragon Boat)
    assert cal.next_working_day(D("2024-06-03")) == D("2024-06-04")  # strictly after


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-09-27", "2024-10-12", 7),  # Sun 29, Mon 30, Tue 8 to Sat 12
        ("2024-09-30", "2024-10-07", 0),
        ("2024-09-30", "2024-10-08", 1),
        ("2024-06-03", "2024-06-03", 0),
        ("2024-10-12", "2024-09-27", -7),
        ("2025-01-24", "2025-02-08", 6),  # Sun 26, Mon 27, then Wed 5 to Sat 8 (Spring Festival)
        ("2025-02-08", "2025-01-24", -6),
    ],
)
def test_working_days_between(start, end, expected):
    assert WorkCalendar().working_days_between(D(start), D(end)) == expected


def test_between_agrees_with_add():
    cal = WorkCalendar()
    start = D("2024-09-20")
    for n in range(0, 40):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


# ---------------------------------------------------------------- overrides -----------------------------------------


def test_overrides_flip_a_day_both_ways():
    cal = WorkCalendar({D("2024-10-08"): False, D("2024-10-05"): True})
    assert not cal.is_working_day(D("2024-10-08"))
    assert cal.is_working_day(D("2024-10-05"))
    assert cal.add_working_days(D("2024-09-30"), 1) == D("2024-10-05")
    assert cal.add_working_days(D("2024-10-05"), 1) == D("2024-10-09")


def test_tenant_overrides_beat_platform_ones():
    platform = {D("2024-10-08"): False, D("2024-10-09"): False, D("2024-10-05"): True}
    tenant = {D("2024-10-08"): True, D("2024-10-05"): False}
    merged = merge_overrides(platform, tenant)
    assert merged == {D("2024-10-08"): True, D("2024-10-09"): False, D("2024-10-05"): False}
    cal = WorkCalendar(merged)
    assert cal.is_working_day(D("2024-10-08"))  # tenant: working, over platform: off
    assert not cal.is_working_day(D("2024-10-09"))  # platform only
    assert not cal.is_working_day(D("2024-10-05"))  # tenant: off, over platform: working
    assert merge_overrides({}, {}) == {}
    assert platform[D("2024-10-08")] is False  # inputs untouched


def test_overrides_accept_datetimes_as_keys_and_queries():
    cal = WorkCalendar({dt.datetime(2024, 10, 8, 9, 30): False})
    assert not cal.is_working_day(D("2024-10-08"))
    assert not cal.is_working_day(dt.datetime(2024, 10, 8, 18, 0))


def test_default_calendar_has_no_overrides():
    assert WorkCalendar().overrides == {}
    assert WorkCalendar({}).is_working_day(D("2024-09-29"))


# ---------------------------------------------------------------- unknown years -------------------------------------


def test_unknown_year_falls_back_to_weekends_and_warns_once():
    cal = WorkCalendar()
    start = dt.date(FIRST_UNKNOWN - 1, 12, 30)
    with capture_logs() as logs:
        due = cal.add_working_days(start, 5)
        # more computations in the same year, in this and in another calendar: still one warning
        cal.add_working_days(dt.date(FIRST_UNKNOWN, 3, 1), 30)
        WorkCalendar().working_days_between(dt.date(FIRST_UNKNOWN, 1, 1), dt.date(FIRST_UNKNOWN, 12, 31))
    n, d = 0, start
    while n < 5:  # the known tail of the last year, then Monday to Friday
        d += dt.timedelta(days=1)
        known = d.year in known_years()
        if (chinese_calendar.is_workday(d) if known else d.weekday() < 5):
            n += 1
    assert due == d
    assert due.year == FIRST_UNKNOWN and due.weekday() < 5
    warnings = unknown_warnings(logs)
    assert len(warnings) == 1
    assert warnings[0]["year"] == FIRST_UNKNOWN and warnings[0]["log_level"] == "warning"


def test_from_2026_12_30_adding_5_working_days():
    if FIRST_UNKNOWN != 2027:
        pytest.skip("the installed chinese_calendar knows 2027 by now")
    with capture_logs() as logs:
        due = WorkCalendar().add_working_days(D("2026-12-30"), 5)
    # Thu 31 Dec (known); then 2027 on weekends only: Fri 1 Jan, Mon 4, Tue 5, Wed 6.
    assert due == D("2027-01-06")
    assert [e["year"] for e in unknown_warnings(logs)] == [2027]


def test_each_unknown_year_warns_once():
    cal = WorkCalendar()
    with capture_logs() as logs:
        cal.working_days_between(dt.date(FIRST_UNKNOWN, 1, 1), dt.date(FIRST_UNKNOWN + 2, 12, 31))
        cal.is_working_day(dt.date(known_years().start - 1, 6, 2))
    assert sorted(e["year"] for e in unknown_warnings(logs)) == [
        known_years().start - 1, FIRST_UNKNOWN, FIRST_UNKNOWN + 1, FIRST_UNKNOWN + 2]


@pytest.mark.parametrize(("offset", "working"), [(0, True), (5, False), (6, False)])
def test_unknown_year_weekdays(offset, working):
    monday = dt.date(FIRST_UNKNOWN, 1, 4)
    while monday.weekday() != 0:
        monday += dt.timedelta(days=1)
    assert WorkCalendar().is_working_day(monday + dt.timedelta(days=offset)) is working


def test_overrides_apply_in_unknown_years_and_known_days_do_not_warn():
    new_year = dt.date(FIRST_UNKNOWN, 1, 1)
    saturday = new_year
    while saturday.weekday() != 5:
        saturday += dt.timedelta(days=1)
    with capture_logs() as logs:
        cal = WorkCalendar(merge_overrides({new_year: False}, {saturday: True}))
        assert not cal.is_working_day(new_year)
        assert cal.is_working_day(saturday)
        cal.is_working_day(D("2024-10-01"))
    assert unknown_warnings(logs) == []  # only overridden and known days asked so far


def test_fast_enough_in_a_loop():
    cal = WorkCalendar()
    t0 = time.perf_counter()
    for i in range(2000):
        cal.add_working_days(D("2024-01-02") + dt.timedelta(days=i % 300), 20)
    assert time.perf_counter() - t0 < 2.0
