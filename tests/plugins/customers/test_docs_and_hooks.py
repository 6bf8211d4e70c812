"""docs/customers.md shows every hook the plugin declares with its exact signature; the hooks are registered; the
plugin's sensitive keys reach the redaction list."""

from __future__ import annotations

import inspect
from pathlib import Path

from surety.plugins.customers import hookspecs

DOC = Path(__file__).resolve().parents[3] / "docs" / "customers.md"


def declared():
    return {n: f for n, f in vars(hookspecs).items() if inspect.isfunction(f) and hasattr(f, "surety_spec")}


def test_every_declared_hook_is_documented_with_its_signature():
    text = DOC.read_text()
    hooks = declared()
    assert set(hooks) == {"customers_exposure", "customers_screen", "customers_summaries", "customers_latest_ratios",
                          "customers_related", "customers_related_many", "customers_get", "customers_columns", "customers_demo_corporates"}
    for name, fn in hooks.items():
        assert name.startswith("customers_")
        sig = f"def {name}{inspect.signature(fn)}".replace("'", "")
        spec = "@hookspec(firstresult=True)" if fn.surety_spec.get("firstresult") else "@hookspec"
        assert f"{spec}\n{sig}: ..." in text, sig


def test_hooks_are_registered_and_keys_redacted():
    from surety.core.plugins import get_registry
    from surety.core.redaction import redact

    hook = get_registry().hook
    assert hasattr(hook, "customers_exposure") and hasattr(hook, "customers_screen")
    image = redact({"customer_name": "张三", "id_number": "x", "address": "y", "kind": "individual"})
    assert image == {"customer_name": "[REDACTED]", "id_number": "[REDACTED]", "address": "[REDACTED]",
                     "kind": "individual"}
