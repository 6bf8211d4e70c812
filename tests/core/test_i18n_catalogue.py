"""Every message a client can read has its zh-CN text (docs/i18n.md).

An AST scan of core/, graphql/, tenants/ and plugins/: each literal template raised as a DomainError (or a subclass,
wherever declared), marked with ``N_``, or passed to one of the message helpers below, has an entry in the zh_CN
catalogue of its package (core's for core, graphql and tenants; ``plugins/<key>/locale`` for a plugin). A message
written as an f-string cannot be translated (its text changes with its values): they are counted per package and
may only go down.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

from surety.core.i18n import CORE_LOCALE_DIR, catalogue_files, read_catalogue

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("core", "graphql", "tenants", "plugins")
#: Functions whose first argument is a message template besides the DomainError classes.
TEMPLATE_FUNCTIONS = {"N_", "translate", "input_error", "InputError", "request_error", "RequestRefused", "_refuse"}
#: f-string messages left per package (a ratchet: lower a number when you convert some, never raise it).
FSTRING_RATCHET = {
    "core": 0,
    "graphql": 0,
    "tenants": 0,
    "plugins/customers": 0,
    "plugins/microloan": 0,
    "plugins/guarantee": 0,
}


def _files():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if path.relative_to(ROOT).parts[:3] != ("core", "scaffold", "templates"):
                yield path


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in _files()}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def domain_error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """DomainError and every class deriving from it, by name, in the scanned packages."""
    bases: dict[str, list[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [b for b in (_name(base) for base in node.bases) if b]
    found = {"DomainError"}
    grown = True
    while grown:
        grown = False
        for cls, parents in bases.items():
            if cls not in found and any(p in found for p in parents):
                found.add(cls)
                grown = True
    return found


def package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return f"plugins/{parts[1]}" if parts[0] == "plugins" else parts[0]


def catalogue_dir(package: str) -> Path:
    return CORE_LOCALE_DIR if package in ("core", "graphql", "tenants") else ROOT / package / "locale"


def catalogue_of(package: str) -> dict[str, str] | None:
    """The merged zh_CN entries of a package's catalogue files; None when it has none."""
    files = catalogue_files(catalogue_dir(package), "zh_CN")
    if not files:
        return None
    merged: dict[str, str] = {}
    for po in files:
        merged.update(read_catalogue(po, "zh_CN")._catalog)
    return merged


def _message_calls(tree: ast.Module, callers: set[str]):
    """Calls of a message caller, and ``super().__init__(...)`` inside a DomainError subclass."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in callers:
            yield node
        elif isinstance(node, ast.ClassDef) and node.name in callers:
            for call in ast.walk(node):
                if (isinstance(call, ast.Call) and _name(call.func) == "__init__"
                        and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call)
                        and _name(call.func.value.func) == "super"):
                    yield call


def _literals(node: ast.AST):
    """The template(s) an argument is: a literal, or either literal of ``"a" if cond else "b"``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def scan() -> tuple[dict[str, dict[str, list[str]]], Counter]:
    """``({package: {template: [where, ...]}}, Counter({package: f-string messages}))``."""
    trees = _trees()
    message_callers = domain_error_classes(trees) | TEMPLATE_FUNCTIONS
    templates: dict[str, dict[str, list[str]]] = {}
    fstrings: Counter = Counter()
    for path, tree in trees.items():
        package = package_of(path)
        for node in _message_calls(tree, message_callers):
            if not node.args:
                continue
            first = node.args[0]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for template in _literals(first):
                templates.setdefault(package, {}).setdefault(template, []).append(where)
            if isinstance(first, ast.JoinedStr):
                fstrings[package] += 1
    return templates, fstrings


@pytest.fixture(scope="module")
def scanned():
    return scan()


def test_the_scan_finds_the_messages_of_every_package(scanned):
    templates, _ = scanned
    assert "Authentication required." in templates["core"]
    assert "No tenant with slug {slug!r}." in templates["tenants"]
    assert "first must be between 0 and {max_page}." in templates["graphql"]
    assert templates.get("plugins/guarantee")


@pytest.mark.parametrize("package", ["core", "graphql", "tenants"])
def test_every_message_of_core_graphql_and_tenants_has_its_zh_cn_text(scanned, package):
    templates, _ = scanned
    catalogue = catalogue_of(package) or {}
    missing = sorted(f"{places[0]}: {template!r}" for template, places in templates.get(package, {}).items()
                     if not catalogue.get(template))
    assert not missing, "no zh_CN entry in core/locale/zh_CN/LC_MESSAGES/surety.po for:\n" + "\n".join(missing)


def test_every_plugin_catalogue_covers_the_messages_of_its_plugin(scanned):
    """Every plugin translates all of its literal messages in its own catalogue (``plugins/<key>/locale``)."""
    templates, _ = scanned
    missing = []
    for package, found in templates.items():
        if not package.startswith("plugins/"):
            continue
        catalogue = catalogue_of(package) or {}
        missing += [f"{places[0]}: {t!r}" for t, places in found.items() if not catalogue.get(t)]
    assert not missing, "\n".join(sorted(missing))


def test_f_string_messages_only_go_down(scanned):
    _, fstrings = scanned
    over = {package: count for package, count in fstrings.items() if count > FSTRING_RATCHET.get(package, 0)}
    assert not over, (f"f-string messages (cannot be translated: write a template with keyword params, "
                      f"docs/i18n.md): {over}, allowed {FSTRING_RATCHET}")


def test_every_translation_uses_only_the_placeholders_of_its_template():
    """A zh_CN text naming a parameter its template does not have would fall back to English at run time."""
    import string  # noqa: PLC0415 - only this test parses format strings

    def names(text: str) -> set[str]:
        return {field.split("!")[0].split(":")[0] for _, field, _, _ in string.Formatter().parse(text) if field}

    bad = []
    for po in [CORE_LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "surety.po",
               *sorted((ROOT / "plugins").glob("*/locale/zh_CN/LC_MESSAGES/*.po"))]:
        for msgid, msgstr in read_catalogue(po, "zh_CN")._catalog.items():
            try:
                if not names(msgstr) <= names(msgid):
                    bad.append(f"{po.relative_to(ROOT)}: {msgid!r} -> {msgstr!r}")
            except ValueError as exc:
                bad.append(f"{po.relative_to(ROOT)}: {msgid!r} -> {msgstr!r} ({exc})")
    assert not bad, "\n".join(bad)


def test_a_message_in_two_catalogues_reads_the_same_in_both():
    """Catalogues are merged (core's entries win): a template two packages share must not read differently in one."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in [*catalogue_files(CORE_LOCALE_DIR, "zh_CN"),
               *sorted((ROOT / "plugins").glob("*/locale/zh_CN/LC_MESSAGES/*.po"))]:
        for msgid, msgstr in read_catalogue(po, "zh_CN")._catalog.items():
            where = str(po.relative_to(ROOT))
            if msgid in seen and seen[msgid][1] != msgstr:
                clashes.append(f"{msgid!r}: {seen[msgid][0]} {seen[msgid][1]!r} vs {where} {msgstr!r}")
            seen.setdefault(msgid, (where, msgstr))
    assert not clashes, "\n".join(clashes)
