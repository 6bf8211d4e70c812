"""The demo settings (indicators/demo.py): registered capital 2亿, mainly small/micro (15x), 江苏; twice is once."""

from __future__ import annotations

from decimal import Decimal

from surety.plugins.regulatory.indicators.demo import add_demo_regulatory_settings
from surety.plugins.regulatory.indicators.services import params_of
from surety.plugins.regulatory.settings import get_settings


def test_demo_settings(gw):
    with gw.session() as s:
        add_demo_regulatory_settings(s, gw.tenant)
        add_demo_regulatory_settings(s, gw.tenant)
    with gw.session() as s:
        row = get_settings(s)
        assert (row.registered_capital, row.province) == (Decimal("200000000.00"), "320000")
        assert params_of(row).leverage_limit == Decimal("15")
