"""The business-area layout of a plugin package, for its layout test (docs/house-rules.md, "a large plugin groups its
modules by business area"): every module belongs to one area (a subpackage), to the shared base below them all or to
the wiring above them all; imports only go down, from an area to an earlier one (or its own). Used by the
layout tests of guarantee, microloan, finance and reguarantee; a new plugin's layout test
declares its areas and asks the same questions."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


def imported(path: Path, *, top_level_only: bool = False) -> set[str]:
    """The absolute names a module imports (``from pkg import name`` as ``pkg.name``); function-level imports too
    unless ``top_level_only``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in (tree.body if top_level_only else ast.walk(tree)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


@dataclass(frozen=True)
class AreaLayout:
    """A plugin package ``pkg`` (dotted) at ``root`` with its ``areas`` (lowest first), ``base`` and ``wiring``
    top-level module names."""

    pkg: str
    root: Path
    areas: tuple[str, ...]
    base: frozenset[str]
    wiring: frozenset[str]

    def modules(self) -> dict[str, Path]:
        """Dotted name -> file of every module of the package (the migration scripts are Alembic's, not imported)."""
        found = {}
        for path in sorted(self.root.rglob("*.py")):
            parts = list(path.relative_to(self.root).with_suffix("").parts)
            if parts[0] == "migrations":
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([self.pkg, *parts])] = path
        return found

    def arrows(self, found: dict[str, Path] | None = None, *, top_level_only: bool = False) -> set[tuple[str, str]]:
        """(importer, imported) pairs between modules of the package; ``from pkg import name`` counts as an arrow to
        the module ``pkg.name`` when that is a module, else to ``pkg``."""
        found = self.modules() if found is None else found

        def resolve(name: str) -> str | None:
            while name and name not in found:
                name = name.rpartition(".")[0]
            return name or None

        pairs = set()
        for module, path in found.items():
            for target in imported(path, top_level_only=top_level_only):
                if target == self.pkg or target.startswith(self.pkg + "."):
                    hit = resolve(target)
                    if hit and hit != module:
                        pairs.add((module, hit))
        return pairs

    def area_of(self, module: str) -> str:
        """The area of a dotted module name, ``base`` or ``wiring``; AssertionError for a module in none."""
        first = (module[len(self.pkg) + 1:] or "__init__").split(".")[0]
        if first in self.areas:
            return first
        if first in self.wiring:
            return "wiring"
        if first in self.base:
            return "base"
        raise AssertionError(f"{module} is in no area: put it in an area's folder or name it in BASE or WIRING")

    def rank(self, area: str) -> int:
        """0 for the base, 1.. for the areas in order, then the wiring."""
        return 0 if area == "base" else len(self.areas) + 1 if area == "wiring" else self.areas.index(area) + 1

    def upward(self) -> list[str]:
        """Every import from a lower area up to a higher one, as text (empty when the layout holds)."""
        return sorted(f"{a} ({self.area_of(a)}) -> {b} ({self.area_of(b)})" for a, b in self.arrows()
                      if self.rank(self.area_of(b)) > self.rank(self.area_of(a)))

    def unplaced(self, tests: Path) -> list[str]:
        """What breaks the layout's bookkeeping, as text (empty when it holds): a module in no area, an area that is
        not a package, an area without a ``test_*.py`` in its folder under ``tests``."""
        problems = []
        for module in self.modules():
            try:
                self.area_of(module)
            except AssertionError as exc:
                problems.append(str(exc))
        problems += [f"{area} is not a package" for area in self.areas
                     if not (self.root / area / "__init__.py").is_file()]
        problems += [f"{area} has no tests in {tests / area}" for area in self.areas
                     if not any((tests / area).glob("test_*.py"))]
        return problems

    def impure(self, pure: Iterable[str], roots: tuple[str, ...]) -> dict[str, list[str]]:
        """For each of the ``pure`` modules (dotted, relative to the package) that imports one of ``roots`` or a
        module of the package outside the base and its own area: what it imports that it should not (empty when
        they all stay pure)."""
        found = {}
        for name in pure:
            names = imported(self.root.joinpath(*name.split(".")).with_suffix(".py"))
            own = ("base", name.split(".")[0])
            bad = sorted(n for n in names if n.startswith(roots)
                         or (n.startswith(self.pkg + ".") and self.area_of(n) not in own))
            if bad:
                found[name] = bad
        return found

    def table_modules(self) -> set[str]:
        """Dotted names of the package's modules that declare a table (``__tablename__``): every one must be in
        the plugin's ``surety_models``."""
        return {m for m, path in self.modules().items() if "__tablename__" in path.read_text(encoding="utf-8")}
