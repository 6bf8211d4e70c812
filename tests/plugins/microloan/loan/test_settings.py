"""The settings service: each check (ratios 0-1, caps, routes ascending with the last open, class days ascending,
provision rates for all five classes, collection stages, number pattern), the permission and the audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import PermissionDenied, ValidationFailed
from surety.plugins.microloan.loan import origination as o
from surety.plugins.microloan.loan.settings_service import update_settings

from .conftest import application


def test_update_changes_and_audits(mw):
    with mw.acting("admin") as (s, a):
        settings = update_settings(s, a, {
            "prior_year_net_assets": "50,000,000.00", "single_borrower_ratio": "0.08", "related_group_ratio": "0.12",
            "online_consumer_cap": "150000", "business_cap": "5000000",
            "approval_routes": [{"max": "100000", "steps": ["risk_officer"]},
                                {"steps": ["risk_officer", "department_head", "executive"]}],
            "class_days": {"special_mention": 1, "substandard": 91, "doubtful": 181, "loss": 361},
            "provision_rates": {"normal": "0.015", "special_mention": "0.03", "substandard": "0.3",
                                "doubtful": "0.6", "loss": "1"},
            "collection_stages": {"M1": 1, "M2": 31, "M3": 61, "M4+": 91},
            "number_pattern": "LN{yy}{mm}-{seq:04}"})
        assert settings.prior_year_net_assets == Decimal("50000000.00")
        assert settings.approval_routes[0] == {"max": "100000.00", "steps": ["risk_officer"]}
        assert settings.provision_rates["normal"] == "0.015"
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "microloan.settings.updated")).one()
        assert record.before["single_borrower_ratio"] != record.after["single_borrower_ratio"]
        update_settings(s, a, {"business_cap": "5000000.00"})  # unchanged: no second record
        assert len(s.scalars(select(AuditRecord).where(AuditRecord.action == "microloan.settings.updated")).all()) == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"single_borrower_ratio": "1.2"}, "single_borrower_ratio"),
    ({"single_borrower_ratio": "0"}, "single_borrower_ratio"),
    ({"related_group_ratio": "0.05"}, "related_group_ratio"),  # below the single-borrower ratio
    ({"online_consumer_cap": "-1"}, "online_consumer_cap"),
    ({"business_cap": "1.001"}, "business_cap"),
    ({"approval_routes": []}, "approval_routes"),
    ({"approval_routes": [{"max": "100", "steps": ["risk_officer"]}]}, "approval_routes"),  # last has a max
    ({"approval_routes": [{"max": "200", "steps": ["risk_officer"]}, {"max": "100", "steps": ["risk_officer"]},
                          {"steps": ["risk_officer"]}]}, "approval_routes"),
    ({"approval_routes": [{"steps": ["executive"]}]}, "approval_routes"),
    ({"class_days": {"special_mention": 1, "substandard": 91, "doubtful": 91, "loss": 361}}, "class_days"),
    ({"class_days": {"special_mention": 1, "substandard": 91}}, "class_days"),
    ({"provision_rates": {"normal": "0.01"}}, "provision_rates"),
    ({"provision_rates": {"normal": "0.01", "special_mention": "0.02", "substandard": "0.25", "doubtful": "0.5",
                          "loss": "1.5"}}, "provision_rates"),
    ({"collection_stages": {"M1": 31, "M2": 1}}, "collection_stages"),
    ({"number_pattern": "XD-{yyyy}"}, "number_pattern"),
    ({"colour": "red"}, "colour"),
])
def test_refusals(mw, data, field):
    with mw.acting("admin") as (s, a), pytest.raises(ValidationFailed) as e:
        update_settings(s, a, data)
    assert e.value.field == field


def test_only_settings_managers(mw):
    with mw.acting("mgr") as (s, a), pytest.raises(PermissionDenied):
        update_settings(s, a, {"business_cap": "1"})


def test_a_new_pattern_numbers_the_next_application(lw):
    with lw.acting("admin") as (s, a):
        update_settings(s, a, {"number_pattern": "LN-{seq:03}"})
    with lw.acting("mgr") as (s, a):
        assert o.apply(s, a, application(lw)).loan_no == "LN-001"
