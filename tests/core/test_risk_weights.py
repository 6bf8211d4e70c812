"""core/risk_weights.py: the default table and the weighted risk both the guarantee projects and the re-guarantee
monitoring use (worked numbers of docs/guarantee/risk.md)."""

from __future__ import annotations

from decimal import Decimal

from surety.core import risk_weights as rw


def test_cover_strongest_first_as_given():
    risk = rw.weighted_risk(Decimal("1000000.00"), Decimal("1.0"),
                            [(Decimal("300000.00"), Decimal("0.4")), (Decimal("800000.00"), Decimal("0.7"))])
    assert risk.counted == (Decimal("300000.00"), Decimal("700000.00"))
    assert risk.uncovered == Decimal("0.00")
    assert risk.risk_amount == Decimal("610000.00") and risk.risk_degree == Decimal("0.610000")


def test_uncovered_part_counts_at_full_weight_and_object_weight_scales():
    risk = rw.weighted_risk(Decimal("1000.00"), Decimal("0.8"), [(Decimal("400.00"), Decimal("0.5"))])
    # 0.8 x (600 + 400 x 0.5) = 640
    assert risk.uncovered == Decimal("600.00") and risk.risk_amount == Decimal("640.00")
    assert risk.risk_degree == Decimal("0.640000")


def test_single_method_and_zero_amount():
    one = rw.weighted_risk(Decimal("5000000.00"), rw.DEFAULT_RISK_WEIGHTS["customer"]["individual"],
                           [(Decimal("5000000.00"), rw.DEFAULT_RISK_WEIGHTS["counter"]["mortgage"])])
    assert one.risk_amount == Decimal("2000000.00")  # 0.8 x 0.5
    assert rw.weighted_risk(Decimal("0.00"), Decimal(1)).risk_degree is None
    assert rw.ratio(Decimal(1), Decimal(3)) == Decimal("0.333333") and rw.ratio(Decimal(1), None) is None
