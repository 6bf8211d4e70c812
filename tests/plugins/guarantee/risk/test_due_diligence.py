"""The due-diligence report: drafts by the lead manager, validation, submission rules, rating link, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.plugins.guarantee.risk.due_diligence import TEXTS, get_report, save_report, submit_report
from surety.plugins.guarantee.risk.rating import install_default_templates, score_rating
from surety.plugins.guarantee.testing import make_project

FULL = {**{f: f"{f} 内容" for f in TEXTS}, "recommended_amount": "2500000", "recommended_term_months": 12,
        "recommended_rate": "0.015"}
PEOPLE = {"repayment_capacity": "80", "credit_history": "80", "stability": "80", "assets": "80"}


def _project(gw, **kw):
    with gw.session() as s:
        install_default_templates(s)
    with gw.acting("mgr") as (s, a):
        return make_project(s, a, gw.customers["person"], customer_kind="individual", **kw).id


def test_draft_then_submit_links_the_rating_and_is_audited(gw):
    pid = _project(gw)
    with gw.acting("mgr") as (s, a):
        draft = save_report(s, a, pid, {"business_overview": "  经营正常 ", "recommended_amount": "2500000.005"})
        assert draft.status == "draft" and draft.business_overview == "经营正常" and draft.version == 1
        assert draft.recommended_amount == Decimal("2500000.01") and draft.rating_id is None
        with pytest.raises(ValidationFailed) as exc:
            submit_report(s, a, pid)
        assert exc.value.field == "financial_analysis"
        save_report(s, a, pid, FULL)
        with pytest.raises(ValidationFailed) as exc:
            submit_report(s, a, pid)
        assert exc.value.field == "rating" and "Rate the customer" in exc.value.message
        rating = score_rating(s, a, pid, PEOPLE)
        done = submit_report(s, a, pid)
        assert done.status == "submitted" and done.rating_id == rating.id and done.version == 2
        assert done.submitted_by == a.id_uuid and done.submitted_at is not None
        assert done.recommended_rate == Decimal("0.015") and done.recommended_term_months == 12
        with pytest.raises(Conflict):
            save_report(s, a, pid, {"risks": "更多"})
        with pytest.raises(Conflict):
            submit_report(s, a, pid)
        report_id = done.id
    with gw.acting("boss") as (s, a):  # the executive reads it
        assert get_report(s, a, pid).conclusion == "conclusion 内容"
    with gw.session() as s:
        actions = s.scalars(select(AuditRecord.action).where(AuditRecord.entity_id == str(report_id))
                            .order_by(AuditRecord.seq)).all()
        assert actions == ["guarantee.due_diligence.save", "guarantee.due_diligence.save",
                           "guarantee.due_diligence.submit"]


@pytest.mark.parametrize("data, field", [
    ({"recommended_amount": "0"}, "recommended_amount"),
    ({"recommended_amount": "-100"}, "recommended_amount"),
    ({"recommended_term_months": 0}, "recommended_term_months"),
    ({"recommended_term_months": "12"}, "recommended_term_months"),
    ({"recommended_rate": "1.5"}, "recommended_rate"),
    ({"conclusion": "x" * 20001}, "conclusion"),
    ({"opinion": "ok"}, "opinion"),
])
def test_bad_fields(gw, data, field):
    pid = _project(gw)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed) as exc:
            save_report(s, a, pid, data)
        assert exc.value.field == field


def test_only_the_lead_manager_of_an_open_project_writes_it(gw):
    pid = _project(gw)
    closed = _project(gw, status="approved")
    with gw.acting("head") as (s, a):  # may score and sees the branch's projects, but is not manager A
        with pytest.raises(PermissionDenied) as exc:
            save_report(s, a, pid, FULL)
        assert "lead manager (A)" in exc.value.message
    with gw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            save_report(s, a, pid, FULL)
    with gw.acting("mgr2") as (s, a):
        with pytest.raises(NotFound):
            save_report(s, a, pid, FULL)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(Conflict):
            save_report(s, a, closed, FULL)
        with pytest.raises(ValidationFailed) as exc:
            submit_report(s, a, pid)
        assert "Save the due-diligence report" in exc.value.message
        assert get_report(s, a, pid) is None
