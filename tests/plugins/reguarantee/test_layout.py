"""The layout of plugins/reguarantee/ (as for guarantee and microloan): every module belongs to one business area (a
subpackage, mirrored by a test folder), to the shared base below them all or to the wiring above them all; imports
only go down, from an area to an earlier one in ``AREAS`` (or its own), never up. ``agreement/rules.py`` is pure:
it imports no database, session or service."""

from __future__ import annotations

from pathlib import Path

from surety.core.testing_layout import AreaLayout
from surety.plugins.reguarantee import plugin

PKG = "surety.plugins.reguarantee"
ROOT = Path(__file__).resolve().parents[3] / "plugins" / "reguarantee"
TESTS = Path(__file__).resolve().parent

#: Business areas, lowest first: filings (with their fees) stand on agreements, claims on filings, monitoring and
#: statistics read all of them, the cross-tenant channel files through the filing area.
AREAS = ("partner", "agreement", "filing", "claim", "monitor", "channel")
BASE = frozenset({"__init__", "conventions", "settings", "events"})
WIRING = frozenset({"plugin", "testing", "demo"})
PURE = ("agreement.rules", "monitor.indicators")
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
    assert (f"{PKG}.agreement.services", f"{PKG}.agreement.rules") in arrows()
    assert area_of(f"{PKG}.partner.graphql") == "partner" and area_of(f"{PKG}.conventions") == "base"


def test_every_models_module_is_loaded_by_the_plugin():
    assert LAYOUT.table_modules()
    assert {m.__name__ for m in plugin.surety_models()} == LAYOUT.table_modules()
