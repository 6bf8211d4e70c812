"""The layout of plugins/microloan/ (as tests/plugins/guarantee/test_layout.py for guarantee): every module belongs to
one business area (a subpackage, mirrored by a test folder), to the shared base below them all or to the wiring
above them all; imports only go down, from an area to an earlier one in ``AREAS`` (or its own), never up.
``schedule/`` and ``repayment/allocation.py`` are pure: they import no database, session or service."""

from __future__ import annotations

from pathlib import Path

from surety.core.testing_layout import AreaLayout
from surety.plugins.microloan import plugin

PKG = "surety.plugins.microloan"
ROOT = Path(__file__).resolve().parents[3] / "plugins" / "microloan"
TESTS = Path(__file__).resolve().parent

#: Business areas, lowest first: a module may import from its own area and from the areas before it. Later areas
#: (loans, disbursement, day-end, collection, ...) go between ``product`` and ``repayment`` or after it, by what they
#: need.
AREAS = ("schedule", "product", "loan", "repayment", "dayend", "collection", "reports")
#: Top-level modules below every area (they import no area).
BASE = frozenset({"__init__", "conventions", "permissions", "settings", "events"})
#: Top-level modules above every area: the hook implementations and what puts the areas together.
WIRING = frozenset({"plugin", "testing", "demo"})
#: Modules that must stay pure (no database, no session, no services of other areas).
PURE = ("schedule.daycount", "schedule.builder", "repayment.allocation")
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


def test_the_helpers_see_arrows():
    assert (f"{PKG}.plugin", f"{PKG}.permissions") in arrows()
    assert (f"{PKG}.product.services", f"{PKG}.schedule.builder") in arrows()
    assert area_of(f"{PKG}.product.graphql") == "product" and area_of(f"{PKG}.conventions") == "base"


def test_every_models_module_is_loaded_by_the_plugin():
    assert LAYOUT.table_modules()
    assert {m.__name__ for m in plugin.surety_models()} == LAYOUT.table_modules()
