"""The layout of plugins/regulatory/ (as for the other plugins): every module belongs to one area (a subpackage,
mirrored by a test folder), to the shared base below them all or to the wiring above them all; imports only go down,
from an area to an earlier one in ``AREAS`` (or its own), never up. The rule modules are pure: they import no
database, session or service. Figures come from the business plugins through core/ports/regulatory.py, never from
their tables (no plugin imports another: the import-linter contract ``plugins-independent``)."""

from __future__ import annotations

from pathlib import Path

from surety.core.testing_layout import AreaLayout
from surety.plugins.regulatory import plugin

PKG = "surety.plugins.regulatory"
ROOT = Path(__file__).resolve().parents[3] / "plugins" / "regulatory"
TESTS = Path(__file__).resolve().parent

#: Areas, lowest first: the figures gathered for a date, the measures and indicators computed from them, the limit
#: check before approval, the report forms filled from both, the credit-reporting file.
AREAS = ("measures", "indicators", "limits", "forms", "credit")
BASE = frozenset({"__init__", "conventions", "settings", "hookspecs"})
WIRING = frozenset({"plugin", "testing", "demo"})
PURE = tuple(m for m in ("indicators.rules", "forms.layout") if (ROOT / (m.replace(".", "/") + ".py")).exists())
IMPURE_ROOTS = ("sqlalchemy", "surety.core.db", "surety.core.authz", "surety.core.audit", "surety.graphql",
                "strawberry")

LAYOUT = AreaLayout(PKG, ROOT, AREAS, BASE, WIRING)


def test_every_module_has_an_area_and_every_area_a_test_folder():
    assert LAYOUT.unplaced(TESTS) == []


def test_no_import_goes_up_to_a_later_area():
    assert LAYOUT.upward() == []


def test_the_pure_modules_stay_pure():
    assert LAYOUT.impure(PURE, IMPURE_ROOTS) == {}


def test_every_models_module_is_loaded_by_the_plugin():
    assert {m.__name__ for m in plugin.surety_models()} == LAYOUT.table_modules()
