"""monitor/demo_data.py: the demo's evaluation leaves more than ten warnings (topped up by releases by compensation
through the filing service when the data alone gives fewer), one of them closed with a note."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.monitor import demo_data
from surety.plugins.reguarantee.monitor.models import ReguaranteeWarning
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner

TODAY = dt.date(2026, 6, 30)


def test_month_ends():
    assert demo_data.month_ends(dt.date(2026, 3, 15)) == [dt.date(2026, 1, 31), dt.date(2026, 2, 28)]
    assert demo_data.month_ends(dt.date(2026, 1, 5)) == []


def test_more_than_ten_warnings_and_one_closed(rw):
    with rw.session() as s:
        for n in range(6):
            a = make_agreement(s, make_partner(s, name=f"演示担保公司{n}"))
            make_filing(s, a, amount="3000000.00", fields={"guarantee_method": "抵押"})
            make_filing(s, a, amount="1000000.00")
        make_partner(s, name="暂停的担保公司", status="suspended")
        count = demo_data.add_demo_monitoring(s, rw.tenant, today=TODAY)
        rows = list(s.scalars(select(ReguaranteeWarning)))
        assert count == len(rows) == 11  # six risk-degree warnings, then five partners topped up
        assert {(w.indicator, w.level) for w in rows} == {("risk_degree", "yellow"), ("compensation_rate", "red")}
        # risk degree: (60万 x 0.5 + 20万 x 1.0) / 80万 = 0.625 before the release, 0.5 after: yellow (0.50 to 0.70)
        closed = [w for w in rows if w.status == "closed"]
        assert len(closed) == 1 and closed[0].message == demo_data.NOTE and closed[0].closed_by == rw.uid("admin")
        released = list(s.scalars(select(ReguaranteeFiling).where(ReguaranteeFiling.status == "compensated")))
        assert len(released) == 5 and {f.released_on for f in released} == {TODAY}
        assert all(f.guarantee_amount == f.loan_amount == 1000000 for f in released)  # the smallest of each
