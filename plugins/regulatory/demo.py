"""The regulatory plugin's demo data (``surety demo``, after the business plugins' demos so their figures exist):
the demo company's facts in the settings, then the report forms with reports filled from the demo's figures."""

from __future__ import annotations

from sqlalchemy.orm import Session

from surety.plugins.regulatory.forms.demo import add_demo_forms
from surety.plugins.regulatory.indicators.demo import add_demo_regulatory_settings


def add_demo(session: Session, tenant) -> None:
    """Every area's demo data in order: settings, report forms and reports."""
    add_demo_regulatory_settings(session, tenant)
    add_demo_forms(session, tenant)
