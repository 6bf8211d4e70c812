"""The layout of plugins/guarantee/: every module belongs to one business area (a subpackage, docs/guarantee/<area>.md)
or to the shared base below them all or to the wiring above them all, and imports only go down: from an area to an
earlier one in ``AREAS`` (or its own), never up, so there is no import loop between areas.

Run it as a script (``.venv/bin/python tests/plugins/guarantee/test_layout.py``) to print the counts: modules
("rooms") and internal import arrows (module -> module, deduplicated, function-level imports included).
"""

from __future__ import annotations

from pathlib import Path

from surety.core.testing_layout import AreaLayout
from surety.plugins.guarantee import plugin

PKG = "surety.plugins.guarantee"
ROOT = Path(__file__).resolve().parents[3] / "plugins" / "guarantee"

#: Business areas, lowest first: a module may import from its own area and from the areas before it.
AREAS = ("project", "finance", "risk", "origination", "documents", "release", "compensation", "warnings", "monitoring",
         "ledger", "dashboard", "portal")
#: Top-level modules below every area (they import no area).
BASE = frozenset({"__init__", "permissions", "hookspecs", "settings", "templates"})
#: Top-level modules above every area: the hook implementations and what puts the areas together.
WIRING = frozenset({"plugin", "demo", "upgrade", "testing"})


LAYOUT = AreaLayout(PKG, ROOT, AREAS, BASE, WIRING)
modules, arrows, area_of = LAYOUT.modules, LAYOUT.arrows, LAYOUT.area_of


def counts() -> tuple[int, int]:
    found = modules()
    return len(found), len(arrows(found))


def _cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_every_module_has_an_area():
    for module in modules():
        area_of(module)


def test_areas_are_folders_with_one_docs_page_each():
    docs = ROOT.parents[1] / "docs" / "guarantee"
    for area in AREAS:
        assert (ROOT / area / "__init__.py").is_file(), area
        assert (docs / f"{area}.md").is_file(), area
    assert (docs / "README.md").is_file()


def test_no_import_goes_up_to_a_later_area():
    assert LAYOUT.upward() == []


def test_no_import_loop_between_areas():
    between = {(area_of(a), area_of(b)) for a, b in arrows() if area_of(a) != area_of(b)}
    assert _cycles(between) == []


def test_no_import_loop_at_module_level():
    # A loop through function-level imports is allowed only where its noqa comment names the cycle.
    assert _cycles(arrows(top_level_only=True)) == []


def test_the_helpers_see_arrows_and_loops():
    assert _cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c"]]
    assert (f"{PKG}.plugin", f"{PKG}.permissions") in arrows()
    assert area_of(f"{PKG}.ledger.graphql") == "ledger" and area_of(f"{PKG}.settings") == "base"


def test_every_models_module_is_loaded_by_the_plugin():
    with_tables = {m for m, path in modules().items() if "__tablename__" in path.read_text(encoding="utf-8")}
    assert with_tables
    assert {m.__name__ for m in plugin.surety_models()} == with_tables


if __name__ == "__main__":
    rooms, count = counts()
    print(f"rooms (modules): {rooms}, internal import arrows: {count}")
