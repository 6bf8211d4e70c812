"""docs/guarantee/documents.md shows every hook the guarantee plugin declares with its exact signature, and the
hooks are registered with the plugin manager."""

from __future__ import annotations

import inspect
from pathlib import Path

from surety.core.plugins import get_registry
from surety.plugins.guarantee import hookspecs
from surety.plugins.guarantee.plugin import surety_plugin_hookspecs

DOC = Path(__file__).resolve().parents[4] / "docs" / "guarantee" / "documents.md"


def declared():
    return {n: f for n, f in vars(hookspecs).items() if inspect.isfunction(f) and hasattr(f, "surety_spec")}


def test_every_declared_hook_is_documented_with_its_signature():
    text = DOC.read_text()
    hooks = declared()
    assert "guarantee_esign_send" in hooks
    for name, fn in hooks.items():
        assert name.startswith("guarantee_")
        sig = f"def {name}{inspect.signature(fn)}".replace("'", "")
        spec = "@hookspec(firstresult=True)" if fn.surety_spec.get("firstresult") else "@hookspec"
        assert f"{spec}\n{sig}: ..." in text, sig


def test_hooks_are_registered():
    assert surety_plugin_hookspecs() is hookspecs
    assert all(hasattr(get_registry().hook, name) for name in declared())
