"""forms/demo.py: the last three ended months' monthly reports and the last ended quarter's quarterly report filled,
reviewed by someone else and locked, this month's a draft; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import select

from surety.core.workflow.engine import business_today
from surety.plugins.regulatory.forms import periods
from surety.plugins.regulatory.forms.demo import add_demo_forms
from surety.plugins.regulatory.forms.models import RegulatoryReport


def test_the_demo_reports(fw, figures):
    with fw.session() as s:
        add_demo_forms(s, fw.tenant)
        add_demo_forms(s, fw.tenant)
    today = business_today()
    with fw.session() as s:
        reports = {(r.form_code, r.period): r for r in s.scalars(select(RegulatoryReport))}
    months, day = [], today
    for _ in range(3):
        months.append(periods.last_ended("month", day))
        day = months[-1].start
    this = periods.containing("month", today).key
    quarter = periods.last_ended("quarter", today).key
    locked_keys = {("monthly_main", m.key) for m in months} | {("quarterly_status", quarter)}
    assert set(reports) == locked_keys | {("monthly_main", this)}
    for key in locked_keys:
        locked = reports[key]
        assert locked.status == "locked" and locked.filled_by == fw.uid("fin")
        assert locked.reviewed_by != locked.filled_by and locked.locked_by == fw.uid("exec")
    assert reports[("monthly_main", this)].status == "draft"
