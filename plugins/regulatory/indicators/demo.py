"""Demo settings of the regulatory plugin (the lead wires them into plugins/regulatory/demo.py): a company with
registered capital of 2亿, mainly serving small/micro enterprises and agriculture (the 15x leverage cap), reporting
in 江苏 (320000); every weight and limit left at the regulation's defaults."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from surety.plugins.regulatory.settings import RegulatorySettings, get_settings

#: The demo company's facts.
DEMO_SETTINGS = {"registered_capital": Decimal("200000000.00"), "mainly_small_micro": True, "province": "320000"}


def add_demo_regulatory_settings(session: Session, tenant) -> RegulatorySettings:
    """Set the demo company's facts on the tenant's settings row (idempotent: the same values again)."""
    row = get_settings(session)
    for name, value in DEMO_SETTINGS.items():
        setattr(row, name, value)
    session.flush()
    return row
