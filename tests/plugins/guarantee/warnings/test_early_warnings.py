"""Early warning (预警): the bank's overdue reports (rules, supersession, cure), indicators (defaults, validation,
permissions), warnings raised by the overdue indicators, the day-end scan (ratios; idempotent), a blacklisted
customer or related party, and by hand; one open warning per project and indicator; the risk officer's task driven
through the engine (handled / dismissed); data scope; and the GraphQL round trip."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from strawberry import relay

from surety.core.audit.models import AuditRecord
from surety.core.context import ACTOR_SYSTEM, Actor, acting
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.workflow.actions import act
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowDefinition, WorkflowInstance, WorkflowTask
from surety.plugins.customers.blacklist import decide_entry, request_entry
from surety.plugins.customers.records import update_customer
from surety.plugins.customers.related import add_relation
from surety.plugins.customers.statements import set_statement
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.testing import make_project
from surety.plugins.guarantee.warnings import early_warnings as ew
from surety.plugins.guarantee.warnings.models import GuaranteeWarning, GuaranteeWarningIndicator

TODAY = business_today()
START = TODAY - dt.timedelta(days=200)


def effective(gw, customer="corp", **extra):
    """An effective project of branch A led by ``mgr``."""
    with gw.acting("mgr") as (s, a):
        kind = "individual" if customer == "person" else "corporate"
        p = make_project(s, a, gw.customers[customer], customer_kind=kind, status="effective",
                         in_force_balance=Decimal("2800000.00"), effective_date=START, **extra)
        return p.id


def report(gw, pid, user="mgr", **kw):
    values = {"overdue_principal": "100000", "overdue_interest": "0", "days_past_due": 5, **kw}
    with gw.acting(user) as (s, a):
        return ew.record_overdue(s, a, pid, **values).id


def warnings(gw, pid=None) -> list[GuaranteeWarning]:
    with gw.session() as s:
        stmt = select(GuaranteeWarning).order_by(GuaranteeWarning.created_at)
        if pid is not None:
            stmt = stmt.where(GuaranteeWarning.project_id == pid)
        return list(s.scalars(stmt))


def codes(gw, pid=None, status=None) -> list[str]:
    with gw.session() as s:
        ids = {i.id: i.code for i in s.scalars(select(GuaranteeWarningIndicator))}
    return sorted(ids[w.indicator_id] for w in warnings(gw, pid) if status is None or w.status == status)


def indicator(gw, code) -> GuaranteeWarningIndicator:
    with gw.session() as s:
        return s.scalars(select(GuaranteeWarningIndicator).where(GuaranteeWarningIndicator.code == code)).one()


def events(gw, name) -> list[dict]:
    with gw.session() as s:
        return [e.payload for e in s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == name)
                                              .order_by(OutboxEvent.occurred_at))]


def audits(gw, action) -> list[AuditRecord]:
    with gw.session() as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def run_scan(gw, day=TODAY) -> int:
    with acting(Actor(type=ACTOR_SYSTEM, id="batch:guarantee_warnings", tenant_id=gw.tenant.id)), \
            gw.session() as s:
        return ew.scan(s, day)


def open_task(gw, warning_id) -> WorkflowTask:
    with gw.session() as s:
        w = s.scalars(select(GuaranteeWarning).where(GuaranteeWarning.id == warning_id)).one()
        return s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == w.workflow_instance_id,
                                                    WorkflowTask.status == "open")).one()


def decide(gw, user, warning_id, action="approve", comment=None):
    task = open_task(gw, warning_id)
    with gw.acting(user) as (s, a):
        act(s, a, task.id, action, comment=comment)


# ---------------------------------------------------------------- indicators ---------------------------------------


def test_a_new_tenant_has_the_default_indicators_and_installing_again_adds_none(gw):
    with gw.acting("risk") as (s, a):
        got = {i.code: i for i in ew.list_indicators(s, a)}
        assert set(got) == {d["code"] for d in ew.DEFAULT_INDICATORS}
        assert got["OVERDUE_90"].threshold == Decimal(90) and got["OVERDUE_90"].level == "red"
        assert got["DEBT_RATIO_HIGH"].params == {"ratio": "debt_ratio", "direction": "above"}
        assert got["LAWSUIT"].threshold is None
        ew.save_indicator(s, a, indicator_id=got["OVERDUE_1"].id, code="OVERDUE_1", name="changed",
                          kind="overdue_days", threshold="2", level="blue")
        assert ew.install_default_indicators(s) == 0
        assert ew.list_indicators(s, a, active_only=True)[0].code == "CURRENT_RATIO_LOW"
    assert indicator(gw, "OVERDUE_1").name == "changed"  # never overwritten


@pytest.mark.parametrize("kind, threshold, params, field", [
    ("nonsense", "1", None, "kind"),
    ("overdue_days", None, None, "threshold"),
    ("overdue_days", "1.5", None, "threshold"),
    ("overdue_days", "-1", None, "threshold"),
    ("overdue_days", "3", {"ratio": "debt_ratio"}, "params"),
    ("overdue_interest", "0", None, "threshold"),
    ("lawsuit", "1", None, "threshold"),
    ("related_blacklisted", None, {"x": 1}, "params"),
    ("ratio_deterioration", "0.7", {"ratio": "debt_ratio"}, "params"),
    ("ratio_deterioration", "0.7", {"ratio": "wealth", "direction": "above"}, "params"),
    ("ratio_deterioration", "0.7", {"ratio": "debt_ratio", "direction": "above", "extra": 1}, "params"),
    ("ratio_deterioration", 0.7, {"ratio": "debt_ratio", "direction": "above"}, "threshold"),
])
def test_indicators_are_validated_per_kind(gw, kind, threshold, params, field):
    with gw.acting("risk") as (s, a):
        with pytest.raises(ValidationFailed) as err:
            ew.save_indicator(s, a, code="X1", name="x", kind=kind, threshold=threshold, params=params)
    assert err.value.field == field


def test_indicator_codes_levels_kinds_and_permissions(gw):
    with gw.acting("risk") as (s, a):
        with pytest.raises(ValidationFailed) as err:
            ew.save_indicator(s, a, code="X1", name="x", kind="manual", level="purple")
        assert err.value.field == "level"
        with pytest.raises(ValidationFailed) as err:
            ew.save_indicator(s, a, code="bad code", name="x", kind="manual")
        assert err.value.field == "code"
        with pytest.raises(Conflict) as err:
            ew.save_indicator(s, a, code="LAWSUIT", name="x", kind="lawsuit")
        assert err.value.field == "code"
        row = ew.save_indicator(s, a, code="ROE_NEG", name="ROE negative", kind="ratio_deterioration",
                                threshold="0", level="orange", params={"ratio": "roe", "direction": "below"})
        with pytest.raises(Conflict) as err:
            ew.save_indicator(s, a, indicator_id=row.id, code="ROE_NEG", name="x", kind="manual")
        assert err.value.field == "kind"
        with pytest.raises(Conflict):
            ew.save_indicator(s, a, indicator_id=row.id, code="LAWSUIT", name="x", kind="ratio_deterioration",
                              threshold="0", params={"ratio": "roe", "direction": "below"})
        ew.deactivate_indicator(s, a, row.id)
        with pytest.raises(Conflict):
            ew.deactivate_indicator(s, a, row.id)
    assert [r.action for r in audits(gw, "guarantee.warning_indicator.created")] == \
        ["guarantee.warning_indicator.created"]
    assert len(audits(gw, "guarantee.warning_indicator.deactivated")) == 1
    with gw.acting("mgr") as (s, a):
        with pytest.raises(PermissionDenied):
            ew.save_indicator(s, a, code="X2", name="x", kind="manual")
        assert ew.list_indicators(s, a)  # managers read them
    with gw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            ew.list_indicators(s, a)


# ---------------------------------------------------------------- overdue reports ----------------------------------


@pytest.mark.parametrize("kw, field", [
    ({"overdue_principal": "0", "overdue_interest": "0"}, "overdue_principal"),
    ({"overdue_principal": "-1"}, "overdue_principal"),
    ({"overdue_interest": "1.234"}, "overdue_interest"),
    ({"days_past_due": -1}, "days_past_due"),
    ({"days_past_due": "3"}, "days_past_due"),
    ({"reported_on": TODAY + dt.timedelta(days=1)}, "reported_on"),
    ({"reported_on": START - dt.timedelta(days=1)}, "reported_on"),
])
def test_overdue_report_input_is_validated(gw, kw, field):
    pid = effective(gw)
    with pytest.raises(ValidationFailed) as err:
        report(gw, pid, **kw)
    assert err.value.field == field


def test_overdue_reports_need_an_effective_project_in_scope_and_the_permission(gw):
    pid = effective(gw)
    with gw.acting("mgr") as (s, a):
        draft = make_project(s, a, gw.customers["corp"]).id
    with pytest.raises(Conflict) as err:
        report(gw, draft)
    assert err.value.field == "project_id"
    with pytest.raises(NotFound):
        report(gw, pid, user="mgr2")  # another manager's project
    with pytest.raises(PermissionDenied):
        report(gw, pid, user="fin")
    report(gw, pid, user="risk")
    with gw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            ew.overdue_reports(s, a, pid)


def test_a_later_report_supersedes_and_the_bank_cures_it(gw):
    pid = effective(gw)
    first = report(gw, pid, reported_on=TODAY - dt.timedelta(days=10), days_past_due=3)
    with pytest.raises(ValidationFailed) as err:  # not before the latest report
        report(gw, pid, reported_on=TODAY - dt.timedelta(days=11))
    assert err.value.field == "reported_on"
    second = report(gw, pid, reported_on=TODAY - dt.timedelta(days=2), days_past_due=11,
                    overdue_interest="1200.50")
    with gw.acting("mgr") as (s, a):
        rows = {r.id: r for r in ew.overdue_reports(s, a, pid)}
        assert [r.id for r in ew.overdue_reports(s, a, pid)] == [second, first]
        assert (rows[first].open, rows[first].close_reason, rows[first].closed_on) == \
            (False, "superseded", TODAY - dt.timedelta(days=2))
        assert rows[second].open and rows[second].overdue_interest == Decimal("1200.50")
        with pytest.raises(ValidationFailed) as err:
            ew.cure_overdue(s, a, pid, cured_on=TODAY - dt.timedelta(days=3))
        assert err.value.field == "cured_on"
        cured = ew.cure_overdue(s, a, pid, notes="全部结清")
        assert (cured.id, cured.open, cured.close_reason, cured.closed_on) == (second, False, "cured", TODAY)
        with pytest.raises(Conflict):
            ew.cure_overdue(s, a, pid)
    reported = events(gw, "GuaranteeOverdueReported")
    assert [e["days_past_due"] for e in reported] == [3, 11]
    assert reported[1]["overdue_interest"] == "1200.50"
    assert events(gw, "GuaranteeOverdueCured") == [{"project_id": str(pid), "report_id": str(second),
                                                    "cured_on": TODAY.isoformat()}]
    assert len(audits(gw, "guarantee.overdue.reported")) == 2 and len(audits(gw, "guarantee.overdue.cured")) == 1


# ---------------------------------------------------------------- warnings from overdue reports --------------------


def test_an_overdue_report_raises_the_firing_indicators_once(gw):
    pid = effective(gw)
    report(gw, pid, days_past_due=35, overdue_interest="100")
    assert codes(gw, pid) == ["OVERDUE_1", "OVERDUE_30", "OVERDUE_INTEREST"]
    rows = warnings(gw, pid)
    by_code = {indicator_code(gw, w): w for w in rows}
    assert by_code["OVERDUE_30"].level == "orange" and by_code["OVERDUE_30"].observed == Decimal(35)
    assert by_code["OVERDUE_INTEREST"].observed == Decimal("100.00")
    with gw.session() as s:
        for w in rows:
            inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == w.workflow_instance_id)).one()
            assert (inst.definition_key, inst.subject_type, inst.subject_id, inst.current_step) == \
                ("guarantee.warning", "guarantee:warning", str(w.id), "handle")
    # A later report while they are open: no duplicates, but OVERDUE_90 now fires.
    report(gw, pid, days_past_due=95, overdue_interest="300")
    assert codes(gw, pid) == ["OVERDUE_1", "OVERDUE_30", "OVERDUE_90", "OVERDUE_INTEREST"]
    raised = events(gw, "GuaranteeWarningRaised")
    assert len(raised) == 4 and {e["project_id"] for e in raised} == {str(pid)}
    assert len(audits(gw, "guarantee.warning.raised")) == 4
    # The scan the same day raises nothing more.
    assert run_scan(gw) == 0 and len(warnings(gw, pid)) == 4


def indicator_code(gw, w) -> str:
    with gw.session() as s:
        return s.scalar(select(GuaranteeWarningIndicator.code).where(GuaranteeWarningIndicator.id == w.indicator_id))


def test_an_inactive_indicator_does_not_fire(gw):
    pid = effective(gw)
    with gw.acting("risk") as (s, a):
        for code in ("OVERDUE_1", "OVERDUE_INTEREST"):
            ew.deactivate_indicator(s, a, indicator(gw, code).id)
    report(gw, pid, days_past_due=5, overdue_interest="10")
    assert warnings(gw, pid) == []


def test_the_risk_officer_handles_or_dismisses_a_warning_through_the_engine(gw):
    pid = effective(gw)
    report(gw, pid, days_past_due=35)
    rows = {indicator_code(gw, w): w for w in warnings(gw, pid)}
    handled, dismissed = rows["OVERDUE_1"], rows["OVERDUE_30"]
    with pytest.raises(PermissionDenied):
        decide(gw, "mgr", handled.id)  # the risk officer's task
    decide(gw, "risk", handled.id, comment="已约谈客户，落实还款来源")
    decide(gw, "risk", dismissed.id, "reject", comment="银行数据有误")
    after = {w.id: w for w in warnings(gw, pid)}
    assert (after[handled.id].status, after[handled.id].handling_note, after[handled.id].handled_by) == \
        ("handled", "已约谈客户，落实还款来源", gw.actors["risk"].id_uuid)
    assert after[handled.id].handled_at is not None
    assert (after[dismissed.id].status, after[dismissed.id].handling_note) == ("dismissed", "银行数据有误")
    assert len(audits(gw, "guarantee.warning.handled")) == 1 and len(audits(gw, "guarantee.warning.dismissed")) == 1
    assert {e["status"] for e in events(gw, "GuaranteeWarningClosed")} == {"handled", "dismissed"}
    # Handled on this report: the scan does not raise it again on the same report ...
    assert run_scan(gw) == 0
    # ... but a new report is new facts: raised again.
    report(gw, pid, days_past_due=40)
    assert codes(gw, pid, "open") == ["OVERDUE_1", "OVERDUE_30"]


def test_the_scan_evaluates_indicators_added_after_the_report(gw):
    pid = effective(gw)
    report(gw, pid, days_past_due=15)
    with gw.acting("risk") as (s, a):
        ew.save_indicator(s, a, code="OVERDUE_10", name="10 days", kind="overdue_days", threshold="10", level="red")
    assert run_scan(gw) == 1 and run_scan(gw) == 0
    assert "OVERDUE_10" in codes(gw, pid)


# ---------------------------------------------------------------- the day-end scan: ratios -------------------------


def statement(gw, customer, *, liabilities, current_liabilities="300000", period_end=dt.date(2025, 12, 31)):
    with gw.acting("mgr") as (s, a):
        set_statement(s, a, gw.customers[customer], period_end,
                      {"total_assets": "1000000", "total_liabilities": liabilities, "current_assets": "500000",
                       "current_liabilities": current_liabilities, "inventory": "100000", "equity": "200000",
                       "revenue": "900000", "net_profit": "50000"})


def test_the_scan_raises_ratio_warnings_and_is_idempotent(gw):
    pid = effective(gw)
    statement(gw, "corp", liabilities="800000")  # debt ratio 0.8 > 0.70; current ratio 500k/300k > 1
    assert run_scan(gw) == 1
    assert run_scan(gw) == 0 and run_scan(gw, TODAY + dt.timedelta(days=1)) == 0
    (w,) = warnings(gw, pid)
    assert (indicator_code(gw, w), w.observed, w.level, w.raised_on) == \
        ("DEBT_RATIO_HIGH", Decimal("0.8"), "orange", TODAY)
    assert w.basis == "ratio:annual:2025-12-31" and "debt_ratio 0.8" in w.details
    with gw.session() as s:
        inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == w.workflow_instance_id)).one()
        assert inst.initiator_id is None  # started by the system
    # Handled: the same statement does not raise it again; a new statement does.
    decide(gw, "risk", w.id, comment="ok")
    assert run_scan(gw) == 0
    statement(gw, "corp", liabilities="900000", current_liabilities="600000", period_end=dt.date(2026, 3, 31))
    # A newer statement: debt ratio 0.9 (raised again, it was handled) and current ratio 0.83 < 1.
    assert run_scan(gw) == 2 and run_scan(gw) == 0
    assert codes(gw, pid, "open") == ["CURRENT_RATIO_LOW", "DEBT_RATIO_HIGH"]


def test_the_scan_skips_projects_that_are_not_effective_and_customers_without_statements(gw):
    with gw.acting("mgr") as (s, a):
        make_project(s, a, gw.customers["corp"], status="released")
    effective(gw, "person")
    statement(gw, "corp", liabilities="800000")
    assert run_scan(gw) == 0 and warnings(gw) == []


def test_ratio_fires_above_and_below():
    above = GuaranteeWarningIndicator(kind="ratio_deterioration", threshold=Decimal("0.7"),
                                      params={"ratio": "debt_ratio", "direction": "above"})
    below = GuaranteeWarningIndicator(kind="ratio_deterioration", threshold=Decimal("1"),
                                      params={"ratio": "current_ratio", "direction": "below"})
    assert ew.ratio_fires(above, {"debt_ratio": Decimal("0.71")}) == Decimal("0.71")
    assert ew.ratio_fires(above, {"debt_ratio": Decimal("0.7")}) is None
    assert ew.ratio_fires(above, {"debt_ratio": None}) is None and ew.ratio_fires(above, None) is None
    assert ew.ratio_fires(below, {"current_ratio": Decimal("0.99")}) == Decimal("0.99")
    assert ew.ratio_fires(below, {"current_ratio": Decimal("1.2")}) is None


# ---------------------------------------------------------------- blacklist ----------------------------------------


def blacklist(gw, customer, list_type="blacklist"):
    with gw.acting("risk") as (s, a):
        entry = request_entry(s, a, gw.customers[customer], list_type, "法院失信被执行人", "court records")
    with gw.acting("head") as (s, a):
        decide_entry(s, a, entry.id, True)
    return entry.id


def test_a_blacklisted_related_party_raises_a_warning(gw):
    pid = effective(gw, "corp")
    with gw.acting("mgr") as (s, a):
        add_relation(s, a, gw.customers["person"], gw.customers["corp"], "guarantor")
    entry = blacklist(gw, "person")
    (w,) = warnings(gw, pid)
    assert indicator_code(gw, w) == "RELATED_BLACKLISTED" and w.level == "orange"
    assert "related party" in w.details and "guarantor" in w.details and "张三" not in w.details
    assert w.basis == f"blacklist:{entry}"
    assert open_task(gw, w.id).step_key == "handle"


def test_a_blacklisted_customer_on_the_same_phone_raises_a_warning(gw):
    """The relation is derived from a shared phone when read (customers_related), not stored or entered by hand."""

    pid = effective(gw, "corp")
    with gw.acting("mgr") as (s, a):
        update_customer(s, a, gw.customers["corp"], {"phone": "13800130002"})  # the person's phone
    blacklist(gw, "person")
    (w,) = warnings(gw, pid)
    assert indicator_code(gw, w) == "RELATED_BLACKLISTED" and "same_phone" in w.details


def test_the_customer_itself_blacklisted_raises_a_warning_and_a_watchlist_entry_none(gw):
    pid = effective(gw, "corp")
    blacklist(gw, "corp", "watchlist")
    assert warnings(gw, pid) == []
    blacklist(gw, "corp")
    (w,) = warnings(gw, pid)
    assert w.details == "The customer itself is blacklisted."


def test_an_unrelated_blacklisting_raises_nothing(gw):
    pid = effective(gw, "corp")
    blacklist(gw, "person")
    assert warnings(gw, pid) == []


def test_related_customers_reads_both_directions(gw):
    with gw.acting("mgr") as (s, a):
        add_relation(s, a, gw.customers["person"], gw.customers["corp"], "guarantor")
    with gw.session() as s:
        assert ew.related_customers(s, gw.customers["corp"]) == {gw.customers["person"]: "guarantor",
                                                                 gw.customers["corp"]: "self"}
        assert ew.related_customers(s, gw.customers["person"])[gw.customers["corp"]] == "guarantor"


# ---------------------------------------------------------------- by hand ------------------------------------------


def test_warnings_raised_by_hand(gw):
    pid = effective(gw)
    lawsuit, ratio = indicator(gw, "LAWSUIT"), indicator(gw, "DEBT_RATIO_HIGH")
    with gw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed) as err:
            ew.raise_warning(s, a, pid, indicator_id=lawsuit.id, details=" ")
        assert err.value.field == "details"
        with pytest.raises(ValidationFailed) as err:
            ew.raise_warning(s, a, pid, indicator_id=ratio.id, details="x")
        assert err.value.field == "indicator_id"
        w = ew.raise_warning(s, a, pid, indicator_id=lawsuit.id, details="客户被起诉（买卖合同纠纷）")
        assert (w.level, w.raised_by, w.observed) == ("red", a.id_uuid, None)
        inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == w.workflow_instance_id)).one()
        assert inst.initiator_id == a.id_uuid
        with pytest.raises(Conflict) as err:  # one open warning per project and indicator
            ew.raise_warning(s, a, pid, indicator_id=lawsuit.id, details="again")
        assert err.value.field == "indicator_id"
        draft = make_project(s, a, gw.customers["corp"]).id
        with pytest.raises(Conflict):
            ew.raise_warning(s, a, draft, indicator_id=lawsuit.id, details="x")
    with gw.acting("mgr2") as (s, a):
        with pytest.raises(NotFound):
            ew.raise_warning(s, a, pid, indicator_id=indicator(gw, "MANUAL").id, details="x")
    with gw.acting("fin") as (s, a):
        with pytest.raises(PermissionDenied):
            ew.raise_warning(s, a, pid, indicator_id=indicator(gw, "MANUAL").id, details="x")
    with gw.acting("risk") as (s, a):
        ew.deactivate_indicator(s, a, indicator(gw, "MANUAL").id)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(Conflict):
            ew.raise_warning(s, a, pid, indicator_id=indicator(gw, "MANUAL").id, details="x")
    # Dismissed, it may be raised again.
    decide(gw, "risk", w.id, "reject", comment="已撤诉")
    with gw.acting("mgr") as (s, a):
        assert ew.raise_warning(s, a, pid, indicator_id=lawsuit.id, details="再次被起诉").status == "open"


def test_the_warning_subject_fields(gw):
    pid = effective(gw)
    report(gw, pid, days_past_due=3)
    (w,) = [w for w in warnings(gw, pid) if indicator_code(gw, w) == "OVERDUE_1"]
    with gw.session() as s:
        fields = ew.subject_fields(s, str(w.id))
        assert fields["org_unit_id"] == str(gw.units["A"]) and fields["level"] == "yellow"
        assert fields["kind"] == "overdue_days" and fields["observed"] == Decimal(3)
        assert ew.subject_fields(s, "nonsense") is None


# ---------------------------------------------------------------- listing ------------------------------------------


def test_listing_warnings_filters_within_the_data_scope(gw):
    pid = effective(gw)
    report(gw, pid, days_past_due=35)
    with gw.acting("risk") as (s, a):
        assert len(ew.list_warnings(s, a)) == 2
        assert [w.level for w in ew.list_warnings(s, a, level="orange")] == ["orange"]
        assert ew.list_warnings(s, a, status="handled") == []
        assert len(ew.list_warnings(s, a, project_id=pid, status="open")) == 2
        with pytest.raises(ValidationFailed) as err:
            ew.list_warnings(s, a, level="pink")
        assert err.value.field == "level"
        with pytest.raises(ValidationFailed):
            ew.list_warnings(s, a, limit=0)
    with gw.acting("mgr2") as (s, a):
        assert ew.list_warnings(s, a) == []
        with pytest.raises(NotFound):
            ew.list_warnings(s, a, project_id=pid)
    with gw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            ew.list_warnings(s, a)


def test_the_definitions_are_installed_for_a_new_tenant(gw):
    with gw.session() as s:
        keys = set(s.scalars(select(WorkflowDefinition.key).where(WorkflowDefinition.status == "published")))
    assert {"guarantee.warning", "guarantee.risk_classification"} <= keys


# ---------------------------------------------------------------- GraphQL ------------------------------------------

RECORD = """mutation($i: GuaranteeOverdueReportRecordInput!) { guaranteeOverdueReportRecord(input: $i) {
  report { id daysPastDue overduePrincipal open } warnings { level status indicator { code } }
  errors { code field } } }"""
CURE = """mutation($i: GuaranteeOverdueReportCureInput!) { guaranteeOverdueReportCure(input: $i) {
  report { open closeReason } errors { code field } } }"""
REPORTS = """query($p: ID!) { guaranteeOverdueReports(projectId: $p) { daysPastDue open closeReason } }"""
INDICATORS = """query { guaranteeWarningIndicators(activeOnly: true) { id code kind threshold level params } }"""
SAVE = """mutation($i: GuaranteeWarningIndicatorSaveInput!) { guaranteeWarningIndicatorSave(input: $i) {
  indicator { id code kind threshold level params active } errors { code field } } }"""
DEACTIVATE = """mutation($id: ID!) { guaranteeWarningIndicatorDeactivate(id: $id) {
  indicator { code active } errors { code field } } }"""
RAISE = """mutation($i: GuaranteeWarningRaiseInput!) { guaranteeWarningRaise(input: $i) {
  warning { id level status details projectId workflowInstanceId } errors { code field } } }"""
WARNINGS = """query($s: String, $l: String, $p: ID) { guaranteeWarnings(status: $s, level: $l, projectId: $p) {
  level status indicator { code } observed } }"""


def test_graphql(gw, api):
    pid = effective(gw)
    gid = relay.to_base64("GuaranteeProject", pid)
    mgr, risk = api.login(gw.tenant.slug, "mgr"), api.login(gw.tenant.slug, "risk")

    def run(query, token=mgr, **variables):
        body = api(query, variables, token=token)
        assert "errors" not in body, body
        return body["data"]

    bad = run(RECORD, i={"projectId": gid, "overduePrincipal": "0", "daysPastDue": 3})["guaranteeOverdueReportRecord"]
    assert bad["report"] is None and bad["errors"] == [{"code": "VALIDATION_FAILED", "field": "overduePrincipal"}]
    ok = run(RECORD, i={"projectId": gid, "overduePrincipal": "50000", "overdueInterest": "20",
                        "daysPastDue": 31})["guaranteeOverdueReportRecord"]
    assert ok["errors"] == [] and ok["report"]["daysPastDue"] == 31 and ok["report"]["overduePrincipal"] == "50000.00"
    assert sorted(w["indicator"]["code"] for w in ok["warnings"]) == ["OVERDUE_1", "OVERDUE_30", "OVERDUE_INTEREST"]
    listed = run(WARNINGS, token=risk, l="orange")["guaranteeWarnings"]
    assert listed == [{"level": "orange", "status": "open", "indicator": {"code": "OVERDUE_30"}, "observed": "31"}]
    assert len(run(WARNINGS, token=risk, p=gid, s="open")["guaranteeWarnings"]) == 3
    cured = run(CURE, i={"projectId": gid})["guaranteeOverdueReportCure"]
    assert cured == {"report": {"open": False, "closeReason": "cured"}, "errors": []}
    assert run(REPORTS, p=gid)["guaranteeOverdueReports"] == [{"daysPastDue": 31, "open": False,
                                                              "closeReason": "cured"}]

    saved = run(SAVE, token=risk, i={"code": "QUICK_LOW", "name": "Quick ratio low", "kind": "ratio_deterioration",
                                     "threshold": "0.5", "level": "yellow",
                                     "params": {"ratio": "quick_ratio", "direction": "below"}})
    ind = saved["guaranteeWarningIndicatorSave"]["indicator"]
    assert ind["threshold"] == "0.5" and ind["params"] == {"ratio": "quick_ratio", "direction": "below"}
    denied = run(SAVE, i={"code": "X", "name": "x", "kind": "manual"})["guaranteeWarningIndicatorSave"]
    assert denied["errors"][0]["code"] == "FORBIDDEN"
    updated = run(SAVE, token=risk, i={"id": ind["id"], "code": "QUICK_LOW", "name": "Quick ratio low",
                                       "kind": "ratio_deterioration", "threshold": "0.6", "level": "orange",
                                       "params": {"ratio": "quick_ratio", "direction": "below"}})
    assert updated["guaranteeWarningIndicatorSave"]["indicator"]["level"] == "orange"
    gone = run(DEACTIVATE, token=risk, id=ind["id"])["guaranteeWarningIndicatorDeactivate"]
    assert gone == {"indicator": {"code": "QUICK_LOW", "active": False}, "errors": []}
    active = run(INDICATORS)["guaranteeWarningIndicators"]
    assert "QUICK_LOW" not in {i["code"] for i in active}
    lawsuit = next(i for i in active if i["code"] == "LAWSUIT")
    raised = run(RAISE, i={"projectId": gid, "indicatorId": lawsuit["id"], "details": "被起诉"})["guaranteeWarningRaise"]
    assert raised["errors"] == [] and raised["warning"]["level"] == "red" and raised["warning"]["projectId"] == gid
    again = run(RAISE, i={"projectId": gid, "indicatorId": lawsuit["id"], "details": "x"})["guaranteeWarningRaise"]
    assert again["errors"] == [{"code": "CONFLICT", "field": "indicatorId"}]
    viewer = api.login(gw.tenant.slug, "viewer")
    body = api(WARNINGS, {}, token=viewer)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_nothing_is_raised_on_a_guarantee_with_nothing_in_force(gw):
    compensated, kept = effective(gw), effective(gw)
    with gw.session() as s:  # fully compensated: still effective, nothing in force
        s.execute(update(GuaranteeProject).where(GuaranteeProject.id == compensated)
                  .values(in_force_balance=Decimal("0.00")))
    report(gw, compensated, days_past_due=40)  # the bank's report is recorded, no warning raised
    assert warnings(gw, compensated) == []
    statement(gw, "corp", liabilities="800000")
    assert run_scan(gw) == 1  # the ratio warning of the project in force only
    blacklist(gw, "corp")
    assert warnings(gw, compensated) == []
    assert codes(gw, kept) == ["DEBT_RATIO_HIGH", "RELATED_BLACKLISTED"]
    with gw.acting("mgr") as (s, a), pytest.raises(Conflict) as err:
        ew.raise_warning(s, a, compensated, indicator_id=indicator(gw, "MANUAL").id, details="x")
    assert err.value.field == "project_id" and "in force" in str(err.value)
