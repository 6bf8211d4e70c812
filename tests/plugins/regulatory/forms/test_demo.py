"""forms/demo.py: last month's monthly report filled, reviewed by someone else and locked, this month's a draft;
a second run adds nothing."""

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
        reports = {r.period: r for r in s.scalars(select(RegulatoryReport))}
    last, this = periods.last_ended("month", today).key, periods.containing("month", today).key
    assert set(reports) == {last, this}
    locked = reports[last]
    assert locked.status == "locked" and locked.filled_by == fw.uid("fin")
    assert locked.reviewed_by != locked.filled_by and locked.locked_by == fw.uid("exec")
    assert reports[this].status == "draft"
