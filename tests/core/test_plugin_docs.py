"""docs/plugins.md lists every hook, core's and those plugins declare for each other (``surety_plugin_hookspecs``),
with its exact signature as a python block (``@hookspec`` line, ``def name(...) -> ...: ...``) under a ``### `name```
heading of the Hook reference, so the reference cannot drift from the code. The hookspecs are read with ``inspect``
from the modules themselves: core's ``surety.core.hookspecs`` and each installed plugin's declared module."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

from surety.core import hookspecs
from surety.core.plugins import PluginRegistry, build_plugin_manager
from surety.core.testing import documented_signature

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
SPEC_MARKER = f"{hookspecs.PROJECT}_spec"


def rendered(fn) -> str:
    """The hook as the doc shows it: its marker line and ``def name(signature) -> return: ...``."""
    marker = "@hookspec(firstresult=True)" if getattr(fn, SPEC_MARKER).get("firstresult") else "@hookspec"
    return f"{marker}\n{documented_signature(fn)}: ..."


def _specs(module: ModuleType) -> dict[str, object]:
    return {name: fn for name, fn in vars(module).items() if inspect.isfunction(fn) and hasattr(fn, SPEC_MARKER)}


def declared_modules() -> dict[str, ModuleType]:
    """``{plugin key: hookspec module}`` of every installed plugin that declares hooks for others."""
    registry = PluginRegistry(build_plugin_manager())
    return {key: module for key, module in registry.results_by_plugin("surety_plugin_hookspecs").items() if module}


def every_hook() -> dict[str, object]:
    hooks = dict(_specs(hookspecs))
    for key, module in declared_modules().items():
        for name, fn in _specs(module).items():
            assert name.startswith(f"{key}_"), f"hook {name} declared by {key!r} is not prefixed with its key"
            assert name not in hooks, f"hook {name} declared twice"
            hooks[name] = fn
    return hooks


HOOKS = every_hook()


def _reference(text: str) -> str:
    match = re.search(r"^## Hook reference\n(.*?)(?=^## |\Z)", text, flags=re.DOTALL | re.MULTILINE)
    assert match, "docs/plugins.md has no '## Hook reference' section"
    return match.group(1)


def _python_blocks(text: str) -> str:
    return "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL))


def _plain(text: str) -> str:
    return " ".join(text.replace("``", "`").split())


@pytest.fixture(scope="module")
def reference() -> str:
    return _reference(DOC.read_text(encoding="utf-8"))


def test_core_and_plugins_declare_hooks():
    assert {"surety_manifest", "surety_graphql", "surety_plugin_hookspecs"} <= set(HOOKS)
    modules = declared_modules()
    assert {"customers", "guarantee"} <= set(modules)
    assert all(_specs(m) for m in modules.values())


def test_rendering_follows_the_source():
    @hookspecs.hookspec(firstresult=True)
    def sample(session: "Session", n: int = 3, *, tag: str = "x") -> "list[str] | None":  # noqa: F821, UP037
        """A sample."""

    assert rendered(sample) == (
        '@hookspec(firstresult=True)\ndef sample(session: Session, n: int = 3, *, tag: str = "x") -> '
        "list[str] | None: ...")


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_every_hook_is_in_the_reference_with_its_exact_signature(reference, name):
    assert re.search(rf"^### `{name}`$", reference, flags=re.MULTILINE), f"no '### `{name}`' in the Hook reference"
    assert rendered(HOOKS[name]) in _python_blocks(reference), (
        f"the Hook reference must show, in a python block:\n{rendered(HOOKS[name])}")


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_every_hook_is_described_by_its_docstring(reference, name):
    first = re.split(r"(?<=\.)\s", _plain(inspect.getdoc(HOOKS[name]) or ""), maxsplit=1)[0]
    assert first, f"hook {name} has no docstring"
    assert first in _plain(reference), f"the Hook reference must quote the first sentence of {name}: {first}"


def test_every_hook_heading_names_a_declared_hook(reference):
    headings = set(re.findall(r"^### `([a-z0-9_]+)`$", reference, flags=re.MULTILINE))
    assert headings - set(HOOKS) == set()
