"""monitor/warnings.py: the evaluation of every active partner as of a date (the brief's worked numbers: 1000万
released of which 50万 by compensation is 5 % -> red, 4.99 % -> orange), one open warning per partner and indicator,
escalation, automatic closing, closing by a person with a note, the thresholds, the notification to the risk
officers and the day-end job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.notifications.models import Notification
from surety.plugins.reguarantee import plugin
from surety.plugins.reguarantee.monitor import warnings as wn
from surety.plugins.reguarantee.monitor.models import ReguaranteeWarning
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner

D = Decimal
DAY = dt.date(2026, 6, 30)


def _released(s, agreement, amount: str, *, kind: str = "normal", on: dt.date = dt.date(2026, 5, 10), **kw):
    status = "compensated" if kind == "compensation" else "released"
    return make_filing(s, agreement, amount=amount, status=status, released_on=on, release_kind=kind, **kw)


def _partner_with(s, normal: str, compensated: str, **kw):
    p = make_partner(s, **kw)
    a = make_agreement(s, p)
    _released(s, a, normal)
    if compensated != "0":
        _released(s, a, compensated, kind="compensation")
    return p, a


def _warnings(s, partner_id=None):
    stmt = select(ReguaranteeWarning).order_by(ReguaranteeWarning.created_at)
    if partner_id is not None:
        stmt = stmt.where(ReguaranteeWarning.partner_id == partner_id)
    return list(s.scalars(stmt))


def test_five_percent_is_red_and_four_ninety_nine_orange(rw):
    with rw.session() as s:
        red, _ = _partner_with(s, "9500000.00", "500000.00")
        orange, _ = _partner_with(s, "9501000.00", "499000.00")
        calm, _ = _partner_with(s, "10000000.00", "0")
        figures = wn.partner_figures(s, DAY)
        assert figures[red.id].released == D("10000000.00") and figures[red.id].compensated == D("500000.00")
        assert figures[red.id].compensation_rate == D("0.050000")
        result = wn.evaluate(s, DAY)
        assert result.raised == 2 and result.partners == 3
        (r,) = _warnings(s, red.id)
        (o,) = _warnings(s, orange.id)
        assert (r.indicator, r.level, r.value, r.threshold, r.status, r.as_of) == (
            "compensation_rate", "red", D("0.05000000"), D("0.05000000"), "open", DAY)
        assert (o.level, o.value, o.threshold) == ("orange", D("0.04990000"), D("0.04000000"))
        assert _warnings(s, calm.id) == []
        # the risk officer is told, in zh-CN
        notes = list(s.scalars(select(Notification).where(Notification.user_id == rw.uid("risk"))))
        assert len(notes) == 2 and all(n.kind == wn.NOTIFY_KIND for n in notes)
        titles = {n.title for n in notes}
        assert f"再担保合作机构预警：{red.name}，代偿率红色预警" in titles
        assert any(n.body.startswith(f"{red.name}的代偿率为 5.00%，达到红色预警阈值 5.00%") for n in notes)


def test_releases_outside_the_year_do_not_count_and_nothing_released_gives_no_rate(rw):
    with rw.session() as s:
        p = make_partner(s)
        a = make_agreement(s, p, valid_from=dt.date(2025, 1, 1))
        _released(s, a, "1000000.00", kind="compensation", on=dt.date(2025, 12, 31),
                  start_date=dt.date(2025, 1, 5))
        _released(s, a, "1000000.00", on=dt.date(2026, 7, 1))  # after the date
        figures = wn.partner_figures(s, DAY)[p.id]
        assert figures.compensation_rate is None
        # the filing released after the date is still in force on it: enterprise, no method given -> 信用, 1.0 x 1.0
        assert figures.risk.risk_degree == D("1.000000")
        wn.evaluate(s, DAY)
        assert [(w.indicator, w.level) for w in _warnings(s, p.id)] == [("risk_degree", "red")]


def test_one_open_warning_escalates_then_closes_automatically(rw):
    with rw.session() as s:
        p, a = _partner_with(s, "9501000.00", "499000.00")
        wn.evaluate(s, DAY)
        again = wn.evaluate(s, DAY)  # idempotent for a date
        assert (again.raised, again.escalated, again.updated, again.closed) == (0, 0, 0, 0)
        _released(s, a, "100000.00", kind="compensation", on=dt.date(2026, 7, 1))
        later = dt.date(2026, 7, 1)
        assert wn.evaluate(s, later).escalated == 1
        (w,) = _warnings(s, p.id)
        assert (w.level, w.as_of, w.threshold) == ("red", later, D("0.05000000"))
        _released(s, a, "90000000.00", on=dt.date(2026, 7, 2))  # the rate falls under 2 %
        assert wn.evaluate(s, dt.date(2026, 7, 2)).closed == 1
        (w,) = _warnings(s, p.id)
        assert (w.status, w.closed_on, w.closed_by, w.message) == ("closed", dt.date(2026, 7, 2), None,
                                                                   wn.AUTO_CLOSED)
        assert len(list(s.scalars(select(Notification).where(Notification.user_id == rw.uid("risk"))))) == 2


def test_risk_degree_from_object_and_method_weights(rw):
    with rw.session() as s:
        p = make_partner(s)
        a = make_agreement(s, p)
        make_filing(s, a, amount="10000000.00", fields={"guarantee_method": "抵押"})  # share 200万 x 0.5
        make_filing(s, a, amount="5000000.00", customer_kind="person", fields={"guarantee_method": "质押"})
        make_filing(s, a, amount="5000000.00", status="filed")  # not confirmed: not in force
        risk = wn.partner_figures(s, DAY)[p.id].risk
        # 200万 x 1.0 x 0.5 + 100万 x 0.8 x 0.4 = 132万 over 300万
        assert risk.exposure == D("3000000.00") and risk.risk_amount == D("1320000.00")
        assert risk.risk_degree == D("0.440000")
        wn.evaluate(s, DAY)
        (w,) = _warnings(s, p.id)
        assert (w.indicator, w.level, w.value) == ("risk_degree", "blue", D("0.44000000"))


def test_only_active_partners_are_evaluated(rw):
    with rw.session() as s:
        p, _ = _partner_with(s, "9500000.00", "500000.00", status="suspended")
        assert wn.evaluate(s, DAY).partners == 0 and _warnings(s, p.id) == []


def test_closed_by_a_person_with_a_note(rw):
    with rw.session() as s:
        p, a = _partner_with(s, "9501000.00", "499000.00")
        wn.evaluate(s, DAY)
        wid = _warnings(s, p.id)[0].id
    with rw.acting("viewer") as (s, actor), pytest.raises(PermissionDenied):
        wn.close_warning(s, actor, wid, "已核实")
    with rw.acting("risk") as (s, actor):
        with pytest.raises(ValidationFailed):
            wn.close_warning(s, actor, wid, "  ")
        w = wn.close_warning(s, actor, wid, "已约谈合作机构，代偿项目均已追偿", on=DAY)
        assert (w.status, w.closed_by, w.closed_on, w.message) == ("closed", rw.uid("risk"), DAY,
                                                                   "已约谈合作机构，代偿项目均已追偿")
        with pytest.raises(Conflict):
            wn.close_warning(s, actor, wid, "再次关闭")
    with rw.session() as s:
        # the same level is not raised again this year; a higher one is
        assert wn.evaluate(s, dt.date(2026, 7, 1)).raised == 0
        _released(s, a, "100000.00", kind="compensation", on=dt.date(2026, 7, 1))
        assert wn.evaluate(s, dt.date(2026, 7, 1)).raised == 1
        assert [w.status for w in _warnings(s, p.id)] == ["closed", "open"]


def test_thresholds_read_update_and_validation(rw):
    with rw.acting("risk") as (s, actor):
        assert wn.read_thresholds(s, actor)["compensation_rate"]["red"] == D("0.05")
        new = wn.update_thresholds(s, actor, {"compensation_rate": {"orange": "0.06", "red": "0.08"}})
        assert new["compensation_rate"] == {"orange": D("0.06"), "red": D("0.08")}
        assert new["risk_degree"]["red"] == D("0.85")  # untouched
        for bad in ({"compensation_rate": {"blue": "0.05", "yellow": "0.04"}}, {"nope": {"red": "0.1"}},
                    {"risk_degree": {"purple": "0.1"}}, {"risk_degree": {"red": "1.5"}}, {"risk_degree": {}}, []):
            with pytest.raises(ValidationFailed):
                wn.update_thresholds(s, actor, bad)
        p, _ = _partner_with(s, "9500000.00", "500000.00")
        assert wn.evaluate(s, DAY).raised == 0  # 5 % is under the new orange of 6 %
    with rw.acting("viewer") as (s, actor), pytest.raises(PermissionDenied):
        wn.update_thresholds(s, actor, {"risk_degree": {"red": "0.9"}})


def test_day_end_job_runs_after_agreements_expire(rw):
    jobs = {j.name: j for j in plugin.SCHEDULED_JOBS}
    job = jobs["reguarantee_partner_monitoring"]
    assert job.order > jobs["reguarantee_agreements_expire"].order and job.day_end
    with rw.session() as s:
        _partner_with(s, "9500000.00", "500000.00")
        assert job.run(s, DAY) == {"partners": 1, "raised": 1, "escalated": 0, "updated": 0, "closed": 0}
