"""monitor/demo_data.py: the demo's evaluation leaves more than ten warnings (topped up by releases by compensation
through the filing service when the data alone gives fewer), one of them closed with a note."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from surety.plugins.reguarantee.claim.demo_data import add_demo_claims
from surety.plugins.reguarantee.demo import add_demo_reguarantee
from surety.plugins.reguarantee.filing.demo_data import add_demo_filings
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
        before = _state(s)
        assert demo_data.add_demo_monitoring(s, rw.tenant, today=TODAY) == 11  # a second run adds nothing
        assert _state(s) == before


def _state(s) -> list:
    return sorted((str(w.partner_id), w.indicator, w.level, w.status, w.as_of, w.value)
                  for w in s.scalars(select(ReguaranteeWarning)))


def test_over_the_whole_demo_and_twice(rw):
    """After the demo's partners, filings and claims (as demo.py calls them), more than ten warnings; a second run of
    the whole demo changes none."""
    states = []
    for _ in range(2):
        with rw.session() as s:
            add_demo_reguarantee(s, rw.tenant)
            add_demo_filings(s, rw.tenant)
            add_demo_claims(s, rw.tenant)
            assert demo_data.add_demo_monitoring(s, rw.tenant) > 10
            states.append(_state(s))
            assert sum(1 for row in states[-1] if row[3] == "closed") == 1
    assert states[0] == states[1]
