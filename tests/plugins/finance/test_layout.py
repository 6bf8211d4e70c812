"""The layout of plugins/finance/ (as tests/plugins/microloan/test_layout.py): every module belongs to one business
area (a subpackage, mirrored by a test folder), to the shared base below them all or to the wiring above them all;
imports only go down, from an area to an earlier one in ``AREAS`` (or its own), never up. ``export/``,
``reserves/``, the chart templates and the rule arithmetic are pure: no database, session or service."""

from __future__ import annotations

from pathlib import Path

from surety.core.testing_layout import AreaLayout, imported
from surety.plugins.finance import plugin

PKG = "surety.plugins.finance"
ROOT = Path(__file__).resolve().parents[3] / "plugins" / "finance"
TESTS = Path(__file__).resolve().parent

#: Business areas, lowest first: a module may import from its own area and from the areas before it. The pure
#: exporters and reserve arithmetic come first (they know nothing of the tables); the GraphQL of every area is in
#: ``ledger/graphql.py``, the highest area.
AREAS = ("export", "reserves", "accounts", "vouchers", "rules", "periodend", "forecast", "ledger")
#: Top-level modules below every area (they import no area).
BASE = frozenset({"__init__", "hookspecs", "permissions", "testing"})
#: Top-level modules above every area: the hook implementations.
WIRING = frozenset({"plugin", "demo"})
#: Modules that must stay pure (no database, no session, no services of other areas).
PURE = ("export.model", "export.common", "export.yonyou", "export.kingdee", "reserves.calc", "reserves.amortisation",
        "accounts.templates", "rules.spec", "rules.defaults")
IMPURE_ROOTS = ("sqlalchemy", "surety.core.db", "surety.core.authz", "surety.core.audit", "surety.graphql",
                "strawberry")

LAYOUT = AreaLayout(PKG, ROOT, AREAS, BASE, WIRING)
modules, arrows, area_of = LAYOUT.modules, LAYOUT.arrows, LAYOUT.area_of


def test_every_module_has_an_area_and_every_area_a_test_folder():
    assert LAYOUT.unplaced(TESTS) == []


def test_no_import_goes_up_to_a_later_area():
    assert LAYOUT.upward() == []


def test_the_pure_modules_stay_pure():
    assert LAYOUT.impure(PURE, IMPURE_ROOTS) == {}


def test_the_plugin_imports_no_other_plugin():
    others = ("surety.plugins.customers", "surety.plugins.guarantee", "surety.plugins.microloan")
    for module, path in modules().items():
        assert not [n for n in imported(path) if n.startswith(others)], module


def test_the_helpers_see_arrows():
    assert (f"{PKG}.plugin", f"{PKG}.permissions") in arrows()
    assert (f"{PKG}.rules.services", f"{PKG}.vouchers.services") in arrows()
    assert area_of(f"{PKG}.ledger.graphql") == "ledger" and area_of(f"{PKG}.testing") == "base"


def test_every_models_module_is_loaded_by_the_plugin():
    assert LAYOUT.table_modules()
    assert {m.__name__ for m in plugin.surety_models()} == LAYOUT.table_modules()
