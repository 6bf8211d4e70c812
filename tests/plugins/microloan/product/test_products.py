"""Loan products (plugins/microloan/product/services.py): defaults and exact figures, versions (a change of terms
makes a new version, earlier versions stay as they were), refused input naming the field, permissions, audit,
tenant isolation and the schedule preview."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.plugins.microloan.product import services as pr
from surety.plugins.microloan.product.models import MicroloanProductVersion

D = Decimal
CASH = {"code": "XD-1", "name": "经营贷", "min_amount": "10000", "max_amount": "1000000", "annual_rate": "0.12",
        "repayment_method": "equal_installment", "min_term_months": 3, "max_term_months": 36}


def test_create_with_defaults_and_exact_figures(mw):
    with mw.acting("admin") as (s, a):
        p = pr.create_product(s, a, CASH)
        v = pr.terms_of(s, p)
        assert (p.version, v.version, p.active) == (1, 1, True)
        assert (v.min_amount, v.max_amount, v.annual_rate) == (D("10000.00"), D("1000000.00"), D("0.12"))
        assert (v.day_count, v.rounding, v.grace_days, v.penalty_uplift) == ("ACT/360", "fen_half_up", 0, D("0.5"))
        assert pr.order_of(v) == ("penalty", "fees", "interest", "principal")
        assert v.created_by == a.id_uuid
        silent = pr.create_product(s, a, {**CASH, "code": "XD-2", "allocation_order": None})
        assert pr.order_of(pr.terms_of(s, silent)) is None  # the statutory order applies
        audited = s.scalars(select(AuditRecord.action).where(AuditRecord.entity_id == str(p.id))).all()
    assert audited == ["microloan.product.created"]


def test_a_change_of_terms_makes_a_new_version_and_keeps_the_old(mw):
    with mw.acting("admin") as (s, a):
        p = pr.create_product(s, a, CASH)
        pr.update_product(s, a, p.id, {"annual_rate": "0.15", "grace_days": 3})
        pr.update_product(s, a, p.id, {"name": "经营贷（新）"})  # not a term: same version
        pr.update_product(s, a, p.id, {"annual_rate": "0.15"})  # no change: no version, no audit
        p = pr.get_product(s, a, p.id)
        assert p.version == 2 and p.name == "经营贷（新）"
        old, new = pr.terms_of(s, p, 1), pr.terms_of(s, p)
        assert (old.annual_rate, old.grace_days) == (D("0.12"), 0)
        assert (new.annual_rate, new.grace_days, new.max_amount) == (D("0.15"), 3, D("1000000.00"))
        assert [v.version for v in pr.versions(s, a, p.id)] == [1, 2]
        with pytest.raises(NotFound):
            pr.terms_of(s, p, 3)
        audited = s.scalars(select(AuditRecord.action).where(AuditRecord.entity_id == str(p.id))
                            .order_by(AuditRecord.seq)).all()
    assert audited == ["microloan.product.created", "microloan.product.updated", "microloan.product.updated"]


def test_retired_products_are_listed_only_when_asked(mw):
    with mw.acting("admin") as (s, a):
        p = pr.create_product(s, a, CASH)
        pr.create_product(s, a, {**CASH, "code": "XD-0"})
        pr.update_product(s, a, p.id, {"active": False})
        assert [x.code for x in pr.list_products(s, a)] == ["XD-0"]
        assert [x.code for x in pr.list_products(s, a, include_retired=True)] == ["XD-0", "XD-1"]
        assert pr.get_product(s, a, p.id).version == 1  # offering is not a term


@pytest.mark.parametrize("change, field, words", [
    ({"repayment_method": "balloon"}, "repayment_method", "is one of"),
    ({"day_count": "ACT/ACT"}, "day_count", "is one of"),
    ({"rounding": "yuan"}, "rounding", "is one of"),
    ({"annual_rate": 0.12}, "annual_rate", "exact decimal number"),
    ({"annual_rate": "1.5"}, "annual_rate", "between 0 and 1"),
    ({"min_amount": "2000000"}, "min_amount", "above the maximum"),
    ({"max_amount": "0"}, "max_amount", "above zero"),
    ({"min_term_months": 40}, "min_term_months", "above the maximum"),
    ({"max_term_months": 361}, "max_term_months", "between 1 and 360"),
    ({"grace_days": 31}, "grace_days", "between 0 and 30"),
    ({"monthly_fee_rate": "0.2"}, "monthly_fee_rate", "at most 0.1"),
    ({"allocation_order": ["penalty", "interest", "principal"]}, "allocation_order", "leaves out"),
    ({"allocation_order": "penalty,fees"}, "allocation_order", "list of components"),
    ({"code": "A B"}, "code", "no spaces"),
    ({"colour": "red"}, "colour", "Unknown product field"),
])
def test_bad_products_are_refused_naming_the_field(mw, change, field, words):
    with mw.acting("admin") as (s, a):
        with pytest.raises(ValidationFailed, match=words) as err:
            pr.create_product(s, a, {**CASH, **change})
    assert err.value.field == field and err.value.code == "VALIDATION_FAILED"


def test_messages_are_english_templates_with_their_parameters(mw):
    with mw.acting("admin") as (s, a):
        with pytest.raises(ValidationFailed) as err:
            pr.create_product(s, a, {**CASH, "repayment_method": "balloon"})
    assert err.value.template == "{name} is one of {choices}, not {value}."
    assert err.value.message.startswith("repayment_method is one of equal_installment, equal_principal")
    assert err.value.message.endswith("not balloon.")


def test_required_fields_and_duplicate_code(mw):
    with mw.acting("admin") as (s, a):
        for name in ("code", "name", "max_amount", "annual_rate", "repayment_method"):
            with pytest.raises(ValidationFailed) as err:
                pr.create_product(s, a, {k: v for k, v in CASH.items() if k != name})
            assert err.value.field == name
        p = pr.create_product(s, a, CASH)
        other = pr.create_product(s, a, {**CASH, "code": "XD-9"})
        with pytest.raises(Conflict) as err:
            pr.create_product(s, a, CASH)
        assert (err.value.code, err.value.field, err.value.params) == ("CONFLICT", "code", {"product_code": "XD-1"})
        with pytest.raises(Conflict):
            pr.update_product(s, a, other.id, {"code": "XD-1"})
        with pytest.raises(ValidationFailed, match="above the maximum"):
            pr.update_product(s, a, p.id, {"max_amount": "5000"})  # below the minimum 10,000
        assert s.scalar(select(func.count()).select_from(MicroloanProductVersion)) == 2


def test_permissions(mw):
    with mw.acting("admin") as (s, a):
        p = pr.create_product(s, a, CASH)
    with mw.acting("viewer") as (s, a):
        assert [x.code for x in pr.list_products(s, a)] == ["XD-1"]
        with pytest.raises(PermissionDenied):
            pr.create_product(s, a, {**CASH, "code": "XD-2"})
        with pytest.raises(PermissionDenied):
            pr.update_product(s, a, p.id, {"annual_rate": "0.2"})
    with mw.acting("mgr") as (s, a):
        version, schedule = pr.preview_schedule(s, a, p.id, "100000", 12, dt.date(2026, 1, 15))
        assert version.version == 1 and schedule.rows[0].installment == D("8884.88")


def test_another_tenant_sees_nothing(mw, make_tenant, db):
    with mw.acting("admin") as (s, a):
        p = pr.create_product(s, a, CASH)
    other = make_tenant(plugins=["customers", "microloan"])
    with db.tenant_session(other.id) as s:
        admin = user_actor(s.scalar(select(User).where(User.username == "admin")))
        assert pr.list_products(s, admin) == []
        with pytest.raises(NotFound):
            pr.get_product(s, admin, p.id)


def test_schedule_preview_checks_the_product_ranges(mw):
    with mw.acting("admin") as (s, a):
        p = pr.create_product(s, a, {**CASH, "repayment_method": "equal_principal"})
        _, sched = pr.preview_schedule(s, a, p.id, "100,000.00", 12, dt.date(2026, 1, 15))
        assert (sched.rows[0].installment, sched.rows[-1].installment, sched.total_interest) == (
            D("9333.33"), D("8416.70"), D("6500.00"))
        for amount, months, field in (("5000", 12, "amount"), ("2000000", 12, "amount"), ("100000", 48, "term_months"),
                                      ("100000", 1, "term_months"), ("100000.001", 12, "amount")):
            with pytest.raises(ValidationFailed) as err:
                pr.preview_schedule(s, a, p.id, amount, months, dt.date(2026, 1, 15))
            assert err.value.field == field
        with pytest.raises(ValidationFailed) as err:
            pr.preview_schedule(s, a, p.id, "100000", 12, dt.date(2026, 1, 15), dt.date(2026, 3, 16))
        assert err.value.field == "first_due_date"
        pr.update_product(s, a, p.id, {"annual_rate": "0.06"})
        version, sched = pr.preview_schedule(s, a, p.id, "100000", 12, dt.date(2026, 1, 15))
        assert version.version == 2 and sched.rows[0].interest == D("500.00")  # the current version
