"""forms/services.py: filling a form for a period from the figures of each column's dates, refilling a draft,
review by a second person, lock, correction as a new version; a locked report keeps what was filed while a
backdated correction shows in a refilled draft and in the next period; form versions; audit."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.ports.regulatory import Exposure, figure
from surety.plugins.regulatory.forms import defaults, services
from surety.plugins.regulatory.settings import get_settings

B = "guarantee.in_force_balance"
TODAY = dt.date(2026, 12, 3)


def _balance(values: dict[dt.date, int]):
    """Figures whose in-force balance at a date is the last value dated on or before it (a stock history)."""
    def answer(as_of, period_start):
        known = [v for d, v in sorted(values.items()) if d <= as_of]
        issued = sum(v for d, v in values.items() if period_start <= d <= as_of)
        return [figure(B, known[-1] if known else 0, business_type="loan", customer_type="small_micro"),
                figure("guarantee.issued_amount", issued, business_type="loan", customer_type="small_micro")]
    return answer


def _fill(fw, who="fin", period="2026M11", code="monthly_main"):
    with fw.acting(who) as (s, a):
        return services.fill(s, a, code, period, today=TODAY).id


def _report(fw, report_id):
    with fw.session() as s:
        r = services.get_report(s, None, report_id)
        s.expunge(r)
        return r


def test_a_filled_monthly_report_reads_each_column_at_its_dates(fw, figures):
    figures.default = _balance({dt.date(2025, 6, 1): 8_000_000, dt.date(2025, 12, 15): 9_000_000,
                                dt.date(2026, 11, 20): 12_345_678})
    with fw.session() as s:
        get_settings(s).registered_capital = Decimal("100000000.00")
    r = _report(fw, _fill(fw))
    assert (r.status, r.period, r.as_of, r.version, r.form_version) == ("draft", "2026M11", dt.date(2026, 11, 30), 1, 1)
    assert r.period_start == dt.date(2026, 11, 1) and r.due_date == dt.date(2026, 12, 10)
    assert r.cells["08"] == {"amount": "1234.57", "year_start": "900.00", "last_year": "800.00"}
    assert r.cells["08.1"]["amount"] == "1234.57" and r.cells["08.b"]["amount"] == "1234.57"
    # 本年新增: this year's flows only, no 年初数; last year's to the same day
    assert r.cells["05"] == {"amount": "1234.57", "year_start": None, "last_year": "800.00"}
    assert r.cells["01"]["amount"] == "10000.00"
    # one call per distinct dates: 2026-11-30 from 1 Jan, 2025-12-31, 2025-11-30
    assert sorted(figures.calls) == [(dt.date(2025, 11, 30), dt.date(2025, 1, 1)),
                                     (dt.date(2025, 12, 31), dt.date(2025, 1, 1)),
                                     (dt.date(2026, 11, 30), dt.date(2026, 1, 1))]


def test_a_report_is_as_of_the_periods_last_calendar_day(fw, figures):
    r = _report(fw, _fill(fw, period="2026M01"))
    assert r.as_of == dt.date(2026, 1, 31)  # a Saturday: the report is as of the month's last calendar day
    q = _report(fw, _fill(fw, period="2026Q3", code="quarterly_status"))
    assert (q.as_of, q.due_date) == (dt.date(2026, 9, 30), dt.date(2026, 10, 10))


def test_the_locked_report_keeps_what_was_filed_and_a_backdated_correction_shows_later(fw, figures):
    history = {dt.date(2026, 10, 10): 5_000_000}
    figures.default = _balance(history)
    october = _fill(fw, period="2026M10")
    with fw.acting("risk") as (s, a):
        services.review(s, a, october)
    with fw.acting("exec") as (s, a):
        services.lock(s, a, october)
    november_draft = _fill(fw)
    assert _report(fw, november_draft).cells["08"]["amount"] == "500.00"
    history[dt.date(2026, 10, 20)] = 6_000_000  # a backdated correction of October's records
    assert _report(fw, october).cells["08"]["amount"] == "500.00"
    with pytest.raises(Conflict):
        _fill(fw, period="2026M10")
    assert _report(fw, october).cells["08"]["amount"] == "500.00"
    assert _report(fw, _fill(fw)).cells["08"]["amount"] == "600.00"  # the draft refilled
    # the correction is a new version of October; the locked one is superseded once the correction is locked
    with fw.acting("fin") as (s, a):
        correction = services.correct(s, a, october).id
    c = _report(fw, correction)
    assert (c.version, c.status, c.cells["08"]["amount"]) == (2, "draft", "600.00")
    assert _report(fw, october).status == "locked"
    with fw.acting("risk") as (s, a):
        services.review(s, a, correction)
    with fw.acting("exec") as (s, a):
        services.lock(s, a, correction)
    old = _report(fw, october)
    assert (old.status, old.cells["08"]["amount"]) == ("superseded", "500.00")
    with fw.acting("fin") as (s, a), pytest.raises(Conflict):
        services.correct(s, a, october)


def test_review_is_by_another_person_and_only_a_reviewed_report_locks(fw, figures):
    rid = _fill(fw, who="admin")
    with fw.acting("exec") as (s, a), pytest.raises(Conflict) as e:
        services.lock(s, a, rid)
    assert e.value.params["status"] == "草稿"
    with fw.acting("admin") as (s, a), pytest.raises(Conflict) as e:
        services.review(s, a, rid)
    assert e.value.template == "The person who filled a report does not review it."
    with fw.acting("exec") as (s, a):
        services.review(s, a, rid)
    with fw.acting("admin") as (s, a), pytest.raises(Conflict):
        services.fill(s, a, "monthly_main", "2026M11", today=TODAY)  # a reviewed report is not refilled
    with fw.acting("admin") as (s, a):
        r = services.lock(s, a, rid)
        assert (r.status, r.locked_by, r.reviewed_by) == ("locked", a.id_uuid, fw.uid("exec"))
    with fw.session() as s:
        actions = [x.action for x in s.scalars(select(AuditRecord).where(AuditRecord.action.like("regulatory.report%"))
                                               .order_by(AuditRecord.seq))]
    assert actions == ["regulatory.report.filled", "regulatory.report.reviewed", "regulatory.report.locked"]


def test_permissions(fw, figures):
    with fw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        services.fill(s, a, "monthly_main", "2026M11", today=TODAY)
    rid = _fill(fw)
    with fw.acting("fin2") as (s, a), pytest.raises(PermissionDenied):
        services.review(s, a, rid)
    with fw.acting("risk") as (s, a):
        services.review(s, a, rid)
    with fw.acting("risk") as (s, a), pytest.raises(PermissionDenied):
        services.lock(s, a, rid)


@pytest.mark.parametrize(("code", "period", "template"), [
    ("monthly_main", "2027M01", "The period {period} has not begun."),
    ("monthly_main", "2026Q3", "{form_name} is filled for a {cadence}, not for {period}."),
    ("monthly_main", "2026M13", "A period is written like 2026M11 (a month) or 2026Q3 (a quarter), not {period}."),
])
def test_a_period_that_does_not_fit_is_refused(fw, figures, code, period, template):
    with fw.acting("fin") as (s, a), pytest.raises(ValidationFailed) as e:
        services.fill(s, a, code, period, today=TODAY)
    assert e.value.template == template


def test_a_new_form_version_is_used_by_new_reports_and_a_draft_keeps_its_own(fw, figures):
    figures.default = _balance({dt.date(2026, 1, 5): 1_000_000})
    draft = _fill(fw)
    rows = [{"code": "X", "label": "在保余额（元）", "measure": B, "unit": "元"}]
    with fw.acting("fin") as (s, a):
        v2 = services.new_form_version(s, a, "monthly_main", {"rows": rows, "name": "月报（新）"})
        assert (v2.version, v2.current, v2.cadence) == (2, True, "month")
        assert [f.version for f in services.form_versions(s, a, "monthly_main")] == [2, 1]
        assert [f.code for f in services.list_forms(s, a)] == ["monthly_main", "quarterly_status"]
    refilled = _report(fw, _fill(fw))
    assert refilled.id == draft and refilled.form_version == 1 and "08" in refilled.cells
    october = _report(fw, _fill(fw, period="2026M10"))
    assert october.form_version == 2 and october.cells == {"X": {"amount": "1000000.00", "year_start": "0.00",
                                                                  "last_year": "0.00"}}
    with fw.acting("fin") as (s, a), pytest.raises(ValidationFailed):
        services.new_form_version(s, a, "monthly_main", {"columns": []})
    with fw.acting("risk") as (s, a), pytest.raises(PermissionDenied):
        services.new_form_version(s, a, "monthly_main", {"rows": rows})


def test_the_shipped_forms_are_written_once(fw, figures):
    with fw.acting("fin") as (s, a):
        services.list_forms(s, a)
        services.list_forms(s, a)
        forms = services.form_versions(s, a, "quarterly_status")
    assert len(forms) == 1 and forms[0].rows == defaults.QUARTERLY_STATUS["rows"]


def test_the_reports_list_filters_by_period_status_and_form(fw, figures):
    nov, q3 = _fill(fw), _fill(fw, period="2026Q3", code="quarterly_status")
    with fw.acting("risk") as (s, a):
        services.review(s, a, q3)
    with fw.acting("viewer") as (s, a):
        def ids(**kw):
            return {r.id for r in s.scalars(services.search_statement(s, a, services.ReportFilter(**kw)))}
        assert ids() == {nov, q3}
        assert ids(period="2026m11") == {nov} and ids(status="reviewed") == {q3}
        assert ids(form_code="quarterly_status") == {q3}
        with pytest.raises(ValidationFailed):
            ids(status="lost")


@pytest.mark.parametrize(("period", "cadence", "dates"), [
    ("end_balance", "month", (dt.date(2026, 1, 1), dt.date(2026, 11, 30))),
    ("cumulative_year", "month", (dt.date(2026, 1, 1), dt.date(2026, 11, 30))),
    ("this_period", "month", (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
    ("this_period", "quarter", (dt.date(2026, 10, 1), dt.date(2026, 11, 30))),
    ("beginning_of_year", "month", (dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
    ("same_period_last_year", "month", (dt.date(2025, 1, 1), dt.date(2025, 11, 30))),
])
def test_the_dates_each_column_period_reads(period, cadence, dates):
    assert services.column_dates(period, cadence, dt.date(2026, 11, 30)) == dates


def test_the_liability_balance_row_weighs_the_reported_exposures(fw, figures):
    figures.exposures = [Exposure(uuid.uuid4(), "loan", "small_micro", Decimal("4000000.00")),
                         Exposure(uuid.uuid4(), "loan", "other_enterprise", Decimal("1000000.00")),
                         Exposure(uuid.uuid4(), "performance", "other_enterprise", Decimal("9000000.00"))]
    r = _report(fw, _fill(fw))
    # 4,000,000 x 75% + 1,000,000 x 100% = 4,000,000 yuan = 400.00 万元 (the performance guarantee is not weighted)
    assert r.cells["11"]["amount"] == "400.00"
