"""The plugin is installed, provisions its settings, and its helpers build a project."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.settings import GuaranteeSettings
from surety.plugins.guarantee.testing import make_bank, make_project


def test_settings_defaults_and_a_project(gw):
    with gw.acting("mgr") as (s, a):
        settings = s.scalar(select(GuaranteeSettings))
        assert settings.number_pattern == "DB-{yyyy}-{seq:05}"
        assert settings.committee_threshold == Decimal("5000000.00")
        bank, line = make_bank(s)
        p = make_project(s, a, gw.customers["corp"], bank=bank, amount="1234567.89")
    with gw.session() as s:
        row = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == p.id)).one()
        assert row.amount == Decimal("1234567.89") and row.bank_id == bank.id
