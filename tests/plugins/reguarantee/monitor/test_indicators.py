"""monitor/indicators.py, pure: the compensation rate with the brief's worked numbers, the risk from the object and
method weights, levels on inclusive thresholds and the increasing check."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from surety.core.testing_layout import AreaLayout
from surety.plugins.reguarantee.monitor import indicators as ind
from tests.plugins.reguarantee.test_layout import BASE, IMPURE_ROOTS, PKG, WIRING

D = Decimal
DEFAULTS = {"blue": D("0.02"), "yellow": D("0.03"), "orange": D("0.04"), "red": D("0.05")}


def test_the_module_stays_pure():
    root = Path(__file__).resolve().parents[4] / "plugins" / "reguarantee"
    layout = AreaLayout(PKG, root, ("partner", "agreement", "filing", "claim", "monitor", "channel"), BASE, WIRING)
    assert layout.impure(("monitor.indicators",), IMPURE_ROOTS) == {}


def test_compensation_rate_worked_numbers():
    assert ind.compensation_rate(D("500000.00"), D("10000000.00")) == D("0.050000")
    assert ind.compensation_rate(D("499000.00"), D("10000000.00")) == D("0.049900")
    assert ind.compensation_rate(D("0.00"), D("0.00")) is None  # nothing released: no rate


def test_levels_inclusive_mildest_first():
    assert ind.level_of(D("0.05"), DEFAULTS) == ("red", D("0.05"))
    assert ind.level_of(D("0.0499"), DEFAULTS) == ("orange", D("0.04"))
    assert ind.level_of(D("0.02"), DEFAULTS) == ("blue", D("0.02"))
    assert ind.level_of(D("0.0199"), DEFAULTS) is None
    assert ind.level_of(None, DEFAULTS) is None
    assert ind.level_of(D("0.9"), {"orange": D("0.5")}) == ("orange", D("0.5"))  # a subset of levels
    assert ind.rank("red") == 4 and ind.rank("blue") == 1 and ind.rank(None) == 0


def test_not_increasing_names_the_offending_levels():
    assert ind.not_increasing(DEFAULTS) == []
    assert ind.not_increasing({"blue": D("0.03"), "yellow": D("0.03"), "red": D("0.02")}) == ["yellow", "red"]


def test_weights_by_kind_and_method_with_defaults():
    assert ind.object_weight("enterprise") == D("1.0") and ind.object_weight("farmer") == D("0.8")
    assert ind.object_weight("person") == D("0.8") and ind.object_weight("unknown") == D("1.0")
    assert ind.method_weight("抵押") == D("0.5") and ind.method_weight("pledge") == D("0.4")
    assert ind.method_weight("保证") == D("0.7") and ind.method_weight("保证金") == D("0.1")
    assert ind.method_weight(None) == D("1.0") and ind.method_weight("别的") == D("1.0")  # default: 信用


def test_risk_of_groups():
    # enterprise mortgage 200万 -> 100万; person pledge 100万 -> 0.8 x 0.4 = 32万; enterprise credit 100万 -> 100万
    risk = ind.risk_of([("enterprise", "抵押", D("2000000.00")), ("person", "质押", D("1000000.00")),
                        ("enterprise", None, D("1000000.00"))])
    assert risk.exposure == D("4000000.00") and risk.risk_amount == D("2320000.00")
    assert risk.risk_degree == D("0.580000")
    assert ind.risk_of([]).risk_degree is None
