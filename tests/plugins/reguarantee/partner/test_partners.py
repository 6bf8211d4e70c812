"""Partners through the services: create (credit code checked, duplicate refused, contact encrypted), change, list
filters, suspension / resumption / termination with a reason (audited), evaluations, permissions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, text

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.validators import uscc_check_char
from surety.plugins.reguarantee.partner import services
from surety.plugins.reguarantee.partner.models import ReguaranteePartner
from surety.plugins.reguarantee.testing import make_credit_code, make_partner

NEW = {"name": "溧水区融资担保有限公司", "kind": "guarantee_county", "credit_code": make_credit_code(1),
       "region": "江苏省南京市溧水区", "registered_capital": "200000000", "contact_name": "王强",
       "contact_phone": "13900001234"}


def test_credit_code_check_character():
    assert make_credit_code(1)[-1] == uscc_check_char(make_credit_code(1)[:17])
    assert services.credit_code("91350100M000100Y43") == "91350100M000100Y43"  # a published sample code
    with pytest.raises(ValidationFailed) as e:
        services.credit_code("91350100M000100Y44")
    assert e.value.field == "credit_code"


def test_create_a_partner_applying_with_its_contact_encrypted(rw):
    with rw.acting("mgr") as (s, a):
        p = services.create_partner(s, a, NEW)
        assert (p.status, p.registered_capital, p.contact_phone) == ("applying", Decimal("200000000.00"),
                                                                     "13900001234")
        pid = p.id
    with rw.session() as s:
        raw = s.execute(text("SELECT contact_name, contact_phone FROM reguarantee_partners WHERE id = :i"),
                        {"i": pid.hex if s.bind.dialect.name == "sqlite" else pid}).one()
        assert "王强" not in raw[0] and "13900001234" not in raw[1]
        record = s.scalar(select(AuditRecord).where(AuditRecord.action == "reguarantee.partner.created"))
        assert record.after["has_contact"] is True and "13900001234" not in str(record.after)


def test_duplicate_credit_code_and_bad_inputs_are_refused(rw):
    with rw.acting("mgr") as (s, a):
        services.create_partner(s, a, NEW)
        with pytest.raises(Conflict) as e:
            services.create_partner(s, a, {**NEW, "name": "另一家"})
        assert e.value.field == "credit_code"
        for bad, field in (({"kind": "insurer"}, "kind"), ({"contact_phone": "12345"}, "contact_phone"),
                           ({"registered_capital": "-1"}, "registered_capital"), ({"colour": "x"}, "colour")):
            with pytest.raises(ValidationFailed) as e:
                services.create_partner(s, a, {**NEW, "credit_code": make_credit_code(2), **bad})
            assert e.value.field == field


def test_update_changes_given_fields_and_refuses_a_terminated_partner(rw):
    with rw.acting("mgr") as (s, a):
        p = services.create_partner(s, a, NEW)
        services.update_partner(s, a, p.id, {"region": "江苏省南京市", "contact_phone": None})
        assert (p.region, p.contact_phone, p.name) == ("江苏省南京市", None, NEW["name"])
        services.change_status(s, a, p.id, "terminate", "不再合作")
        with pytest.raises(Conflict):
            services.update_partner(s, a, p.id, {"region": "x"})


def test_suspend_resume_terminate_with_reasons_audited(rw):
    with rw.acting("mgr") as (s, a):
        p = make_partner(s)
        with pytest.raises(ValidationFailed):
            services.change_status(s, a, p.id, "suspend", "  ")
        services.change_status(s, a, p.id, "suspend", "代偿率超过阈值")
        assert (p.status, p.status_reason) == ("suspended", "代偿率超过阈值")
        with pytest.raises(Conflict):
            services.change_status(s, a, p.id, "suspend", "再次暂停")
        services.change_status(s, a, p.id, "resume", "整改完成")
        assert p.status == "active"
        services.change_status(s, a, p.id, "terminate", "协议到期不再续签")
        with pytest.raises(Conflict):
            services.change_status(s, a, p.id, "resume", "恢复")
        actions = [(r.action, r.after.get("reason")) for r in s.scalars(
            select(AuditRecord).where(AuditRecord.entity_id == str(p.id)).order_by(AuditRecord.seq))]
    assert actions == [("reguarantee.partner.suspended", "代偿率超过阈值"),
                       ("reguarantee.partner.resumed", "整改完成"),
                       ("reguarantee.partner.terminated", "协议到期不再续签")]


def test_list_filters_by_kind_and_status(rw):
    with rw.acting("viewer") as (s, a):
        make_partner(s, kind="bank", status="active", registered_capital=None)
        make_partner(s, kind="guarantee_county", status="active")
        make_partner(s, kind="guarantee_county", status="suspended")
        rows = lambda f: list(s.scalars(services.search_statement(s, a, f)))  # noqa: E731
        assert len(rows(None)) == 3
        assert [p.kind for p in rows(services.PartnerFilter(kind="bank"))] == ["bank"]
        assert len(rows(services.PartnerFilter(kind="guarantee_county", status="active"))) == 1
        with pytest.raises(ValidationFailed):
            rows(services.PartnerFilter(status="sleeping"))


def test_evaluations_one_per_period(rw):
    with rw.acting("risk") as (s, a):
        p = make_partner(s)
        services.record_evaluation(s, a, p.id, "2025", "82.5", "良好")
        services.record_evaluation(s, a, p.id, "2026q1", 90)
        with pytest.raises(Conflict):
            services.record_evaluation(s, a, p.id, "2025", 70)
        for period in ("25", "2026Q5", "1999"):
            with pytest.raises(ValidationFailed):
                services.record_evaluation(s, a, p.id, period, 70)
        with pytest.raises(ValidationFailed):
            services.record_evaluation(s, a, p.id, "2024", 101)
        assert [(e.period, e.score) for e in services.evaluations(s, a, p.id)] == [
            ("2026Q1", Decimal("90")), ("2025", Decimal("82.5"))]


def test_a_reader_cannot_manage(rw):
    with rw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            services.create_partner(s, a, NEW)
        p = make_partner(s)
        with pytest.raises(PermissionDenied):
            services.change_status(s, a, p.id, "suspend", "x")


def test_partners_are_the_tenants_own(rw, make_tenant, db):
    with rw.session() as s:
        make_partner(s)
    other = make_tenant(plugins=["customers", "reguarantee"])
    with db.tenant_session(other.id) as s:
        assert s.scalars(select(ReguaranteePartner)).all() == []
