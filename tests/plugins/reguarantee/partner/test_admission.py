"""The admission of a partner through the workflow engine: 受理 -> 准入分析 (scorecard recorded, weighted) -> 评审委员会
-> 合作中; an analysis below the tenant's minimum score or a guarantee company below the minimum capital ends the
admission rejected and the partner is back to 申请中."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, ValidationFailed
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.partner import admission, services
from surety.plugins.reguarantee.partner.models import ReguaranteePartner
from surety.plugins.reguarantee.settings import get_settings
from surety.plugins.reguarantee.testing import make_partner

GOOD = {"capital": 80, "operations": 70, "compensation_capacity": 60, "risk_control": 90}  # 24 + 17.5 + 15 + 18 = 74.50
POOR = {"capital": 50, "operations": 50, "compensation_capacity": 60, "risk_control": 60}  # 15 + 12.5 + 15 + 12 = 54.50


def _apply(rw, **kw):
    with rw.acting("mgr") as (s, a):
        p = make_partner(s, status="applying", **kw)
        admission.request_admission(s, a, p.id)
        assert p.status == "in_admission"
        return p.id, p.admission_instance_id


def _partner(rw, pid) -> ReguaranteePartner:
    with rw.session() as s:
        p = s.scalar(select(ReguaranteePartner).where(ReguaranteePartner.id == pid))
        s.expunge(p)
        return p


def test_scorecard_weights_the_scores():
    card = [{"key": "a", "label": "甲", "weight": "0.3"}, {"key": "b", "label": "乙", "weight": "0.7"}]
    lines, total = services.score_card(card, {"a": 80, "b": "65.5"})
    assert total == Decimal("69.85")
    assert lines[1] == {"key": "b", "label": "乙", "weight": "0.7", "score": "65.50"}
    with pytest.raises(ValidationFailed):
        services.score_card(card, {"a": 80})
    with pytest.raises(ValidationFailed):
        services.score_card(card, {"a": 80, "b": 70, "c": 1})


def test_admission_approved_by_the_committee_makes_the_partner_active(rw):
    pid, iid = _apply(rw)
    with rw.acting("risk") as (s, a), pytest.raises(Conflict):
        services.record_analysis(s, a, pid, GOOD)  # still at acceptance
    assert rw.do("head", iid) == ("analysis", "running")
    with rw.acting("risk") as (s, a):
        services.record_analysis(s, a, pid, GOOD)
    assert _partner(rw, pid).analysis_score == Decimal("74.50")
    assert rw.do("risk", iid) == ("committee", "running")
    with rw.acting("risk") as (s, a), pytest.raises(Conflict):
        services.record_analysis(s, a, pid, POOR)  # the committee has it: the analysis no longer changes
    rw.do("legal", iid, "convene", members=[rw.uid(m) for m in ("mem1", "mem2", "mem3")], chair=rw.uid("mem1"))
    rw.do("mem2", iid, "vote", vote="approve")
    rw.do("mem3", iid, "vote", vote="approve")
    assert rw.do("mem1", iid, "vote", vote="approve") == ("approved", "approved")
    p = _partner(rw, pid)
    assert (p.status, p.admitted_on) == ("active", business_today())
    with rw.session() as s:
        decided = s.scalar(select(AuditRecord).where(AuditRecord.action == "reguarantee.partner.admission_decided"))
        assert decided.after["status"] == "active" and decided.after["workflow_result"] == "approved"


def test_an_analysis_below_the_minimum_score_rejects(rw):
    pid, iid = _apply(rw)
    rw.do("head", iid)
    with rw.acting("risk") as (s, a):
        services.record_analysis(s, a, pid, POOR)
    assert rw.do("risk", iid, comment="得分不足") == ("rejected", "rejected")
    p = _partner(rw, pid)
    assert (p.status, p.status_reason) == ("applying", "得分不足")


def test_approving_the_analysis_before_recording_it_rejects(rw):
    pid, iid = _apply(rw)
    rw.do("head", iid)
    assert rw.do("risk", iid) == ("rejected", "rejected")
    assert _partner(rw, pid).status == "applying"


def test_a_guarantee_company_below_the_minimum_capital_rejects_a_bank_is_not_checked(rw):
    pid, iid = _apply(rw, registered_capital="19999999.99")
    rw.do("head", iid)
    with rw.acting("risk") as (s, a):
        services.record_analysis(s, a, pid, GOOD)
        assert admission.partner_fields(s, str(pid))["capital_ok"] is False
    assert rw.do("risk", iid)[1] == "rejected"
    bank_id, bank_iid = _apply(rw, kind="bank", registered_capital=None)
    rw.do("head", bank_iid)
    with rw.acting("risk") as (s, a):
        services.record_analysis(s, a, bank_id, GOOD)
        assert admission.partner_fields(s, str(bank_id))["analysis_passed"] is True


def test_the_minimum_score_is_the_tenants_boundary_inclusive(rw):
    pid, iid = _apply(rw)
    rw.do("head", iid)
    with rw.acting("risk") as (s, a):
        get_settings(s).admission_min_score = Decimal("74.50")
        services.record_analysis(s, a, pid, GOOD)
        assert admission.partner_fields(s, str(pid))["analysis_passed"] is True
        get_settings(s).admission_min_score = Decimal("74.51")
        assert admission.partner_fields(s, str(pid))["analysis_passed"] is False


def test_admission_only_from_applying_and_analysis_only_in_admission(rw):
    with rw.acting("mgr") as (s, a):
        active = make_partner(s, status="active")
        with pytest.raises(Conflict):
            admission.request_admission(s, a, active.id)
        with pytest.raises(Conflict):
            services.record_analysis(s, a, active.id, GOOD)


def test_a_rejected_partner_may_apply_again_and_its_old_analysis_is_cleared(rw):
    pid, iid = _apply(rw)
    rw.do("head", iid, "reject", comment="材料不全")
    assert _partner(rw, pid).status == "applying"
    with rw.acting("mgr") as (s, a):
        p = admission.request_admission(s, a, pid)
        assert (p.status, p.analysis_score) == ("in_admission", None) and p.admission_instance_id != iid


def test_the_subject_fields_carry_no_personal_data(rw):
    pid, _ = _apply(rw, contact_name="王强", contact_phone="13900001234")
    with rw.session() as s:
        fields = admission.partner_fields(s, str(pid))
    assert "王强" not in str(fields) and "13900001234" not in str(fields)
    assert fields["analysed"] is False and isinstance(fields["registered_capital"], Decimal)
    with rw.session() as s:
        assert admission.partner_fields(s, "not-a-uuid") is None


def test_the_definition_goes_through_a_committee():
    steps = {s["key"]: s for s in admission.ADMISSION["steps"]}
    assert steps["committee"]["kind"] == "committee" and steps["committee"]["member_role"] == "committee_member"
    assert admission.ADMISSION["start"] == "acceptance"
