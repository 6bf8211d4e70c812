"""forms/export.py (the report as an .xlsx in its form's layout, read back with openpyxl) and forms/duedates.py
(due dates per cadence and province, the reminders sent once each before and after the due date)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from surety.core.errors import PermissionDenied
from surety.core.identity.auth import user_actor
from surety.core.identity.service import create_user
from surety.core.notifications.models import Notification
from surety.core.ports.regulatory import figure
from surety.plugins.regulatory.forms import duedates, export, services
from surety.plugins.regulatory.forms.models import RegulatoryForm, RegulatoryReportReminder
from surety.plugins.regulatory.settings import get_settings

TODAY = dt.date(2026, 12, 3)


def test_the_export_follows_the_forms_layout(fw, figures):
    figures.default = lambda as_of, start: [figure("guarantee.in_force_balance", Decimal("12345678.00"),
                                                   business_type="loan", customer_type="farmer"),
                                            figure("guarantee.in_force_households", 3)]
    with fw.acting("fin") as (s, a):
        rid = services.fill(s, a, "monthly_main", "2026M11", today=TODAY).id
    with fw.acting("viewer") as (s, a):
        f = export.to_xlsx(s, a, rid)
    assert f.filename == "monthly_main-2026M11-v1.xlsx" and f.content_type.endswith("sheet")
    ws = load_workbook(io.BytesIO(f.data)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "融资担保公司月度主要数据表"
    assert rows[1][0] == f"填报单位：{fw.tenant.name}"
    assert rows[2][0].startswith("报告期：2026年11月（数据截至 2026-11-30）")
    assert rows[3][0] == "单位：万元、户、笔"
    assert rows[4] == ["行次", "项目", "单位", "数额", "年初数", "上年同期"]
    by_code = {r[0]: r for r in rows[5:]}
    assert by_code["08"][1:6] == ["在保余额", "万元", 1234.57, 1234.57, 1234.57]
    assert by_code["08.a"][3] == 1234.57 and by_code["09"][3] == 3
    assert by_code["05"][4] is None  # a flow has no 年初数


def test_export_needs_report_read(fw, figures):
    with fw.acting("fin") as (s, a):
        rid = services.fill(s, a, "monthly_main", "2026M11", today=TODAY).id
    with fw.session() as s:
        nobody = user_actor(create_user(s, username="nobody", password="Correct-Horse-9", display_name="N",
                                        roles=["customer_manager"], email="n@example.com"))
    fw.actors["nobody"] = nobody
    with fw.acting("nobody") as (s, a), pytest.raises(PermissionDenied):
        export.to_xlsx(s, a, rid)


@pytest.mark.parametrize(("cadence", "end", "due"), [
    ("month", dt.date(2026, 11, 30), dt.date(2026, 12, 10)),
    ("month", dt.date(2026, 12, 31), dt.date(2027, 1, 10)),
    ("quarter", dt.date(2026, 9, 30), dt.date(2026, 10, 10)),
    ("year", dt.date(2026, 12, 31), dt.date(2027, 4, 30)),
])
def test_default_due_dates(fw, cadence, end, due):
    with fw.session() as s:
        assert duedates.due_date(s, cadence, end) == due


def test_a_province_overrides_the_rule_in_working_days(fw):
    provinces = {"320000": {"month": {"days": 5, "working_days": True}}}
    with fw.session() as s:
        get_settings(s).province = "320000"
        # 5 working days after Friday 30 October 2026: 2, 3, 4, 5, 6 November
        assert duedates.due_date(s, "month", dt.date(2026, 10, 30), provinces) == dt.date(2026, 11, 6)
        assert duedates.due_date(s, "quarter", dt.date(2026, 9, 30), provinces) == dt.date(2026, 10, 10)


def _notes(fw, kind):
    with fw.session() as s:
        return [(n.user_id, n.title) for n in s.scalars(select(Notification).where(Notification.kind == kind))]


def _reminded(fw):
    with fw.session() as s:
        return sorted((r.form_code, r.period, r.kind) for r in s.scalars(select(RegulatoryReportReminder)))


def _forms_written_on(fw, day: dt.date) -> None:
    """The tenant's shipped forms, written as on ``day`` (Beijing noon): when it began to use them here."""
    with fw.acting("fin") as (s, a):
        services.list_forms(s, a)
        s.execute(update(RegulatoryForm).values(created_at=dt.datetime(day.year, day.month, day.day, 4, tzinfo=dt.UTC)))


def test_reminders_before_and_after_the_due_date_once_each(fw, figures):
    _forms_written_on(fw, dt.date(2026, 9, 1))
    with fw.session() as s:
        # the quarterly form's 2026Q3 was due on 10 October: overdue from the first run
        assert duedates.run_reminders(s, dt.date(2026, 12, 6)) == {"due_soon": 0, "overdue": 1}
        assert duedates.run_reminders(s, dt.date(2026, 12, 7)) == {"due_soon": 1, "overdue": 0}
        assert duedates.run_reminders(s, dt.date(2026, 12, 8)) == {"due_soon": 0, "overdue": 0}
    due = _notes(fw, "regulatory_report_due")
    assert sorted(n[0] for n in due) == sorted([fw.uid("fin"), fw.uid("fin2")])
    assert {n[1] for n in due} == {"监管报表“融资担保公司月度主要数据表”（2026年11月）将于 2026-12-10 到期"}
    with fw.session() as s:
        assert duedates.run_reminders(s, dt.date(2026, 12, 11)) == {"due_soon": 0, "overdue": 1}
        assert duedates.run_reminders(s, dt.date(2026, 12, 12)) == {"due_soon": 0, "overdue": 0}
    assert len(_notes(fw, "regulatory_report_overdue")) == 4
    assert _reminded(fw) == [("monthly_main", "2026M11", "due_soon"), ("monthly_main", "2026M11", "overdue"),
                             ("quarterly_status", "2026Q3", "overdue")]


def test_a_period_due_before_the_tenant_used_the_form_is_not_reminded(fw, figures):
    """Forms first written on 3 December 2026: the third quarter (due 10 October) was filed elsewhere and is not
    overdue here; November (due 10 December) is reminded."""
    _forms_written_on(fw, dt.date(2026, 12, 3))
    with fw.session() as s:
        assert duedates.in_use_since(s) == {"monthly_main": dt.date(2026, 12, 3),
                                            "quarterly_status": dt.date(2026, 12, 3)}
        assert duedates.run_reminders(s, dt.date(2026, 12, 6)) == {"due_soon": 0, "overdue": 0}
        assert duedates.run_reminders(s, dt.date(2026, 12, 7)) == {"due_soon": 1, "overdue": 0}
        assert duedates.run_reminders(s, dt.date(2026, 12, 11)) == {"due_soon": 0, "overdue": 1}
    assert _reminded(fw) == [("monthly_main", "2026M11", "due_soon"), ("monthly_main", "2026M11", "overdue")]


def test_a_locked_report_is_not_reminded(fw, figures):
    _forms_written_on(fw, dt.date(2026, 9, 1))
    with fw.acting("fin") as (s, a):
        rid = services.fill(s, a, "monthly_main", "2026M11", today=TODAY).id
    with fw.acting("risk") as (s, a):
        services.review(s, a, rid)
    with fw.acting("exec") as (s, a):
        services.lock(s, a, rid)
    with fw.session() as s:
        assert duedates.run_reminders(s, dt.date(2026, 12, 11)) == {"due_soon": 0, "overdue": 1}
    assert _reminded(fw) == [("quarterly_status", "2026Q3", "overdue")]
