"""Every hook has a test: each hookspec of core (core/hookspecs.py) and of every installed plugin (the module its
``surety_plugin_hookspecs`` returns) is named in at least one test file under tests/ other than this one.

A new hook without a test fails here. The exemptions below are few, each with its reason; remove one as soon as a
test names the hook.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import pytest

from surety.core import hookspecs as core_hookspecs
from surety.core.plugins import get_registry

TESTS = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve()

#: hook name -> why no test names it: each is exercised through the service that calls it, by the test named.
#: Keep it short; a test that names the hook retires its line.
EXEMPT: dict[str, str] = {
    "surety_attachment_guards": "core's workflow guard via attachments' entity guards (tests/core/attachments)",
    "surety_cli": "plugins' commands on the surety CLI (tests/plugins/customers/test_import_export.py)",
    "surety_demo_data": "`surety demo` / add_demo_data (tests/plugins/guarantee/test_demo.py)",
    "surety_role_templates": "role provisioning (tests/core/authz/test_authz_provision.py)",
    "surety_scheduled_jobs": "batch.day_end_jobs (tests/core/test_cli.py, the day-end batch)",
    "surety_tenant_provisioned": "tenants.service.create_tenant / enable_plugin (tests/core/test_plugin_sdk.py)",
}


def hookspec_names(module: ModuleType) -> list[str]:
    """The hooks ``module`` declares: its functions carrying pluggy's ``surety_spec`` marker."""
    marker = f"{core_hookspecs.PROJECT}_spec"
    return sorted(name for name, value in vars(module).items() if callable(value) and hasattr(value, marker))


def hookspec_modules() -> list[ModuleType]:
    """core's hookspecs and the module of hooks each installed plugin declares for the others."""
    modules = [core_hookspecs]
    for _name, plugin in get_registry().pm.list_name_plugin():
        declare = getattr(plugin, "surety_plugin_hookspecs", None)
        module = declare() if declare is not None else None
        if module is not None and module not in modules:
            modules.append(module)
    return modules


def untested_hooks(names: Iterable[str], texts: Iterable[str], exempt: Iterable[str] = ()) -> list[str]:
    """The names in ``names`` that no text names as a whole word, less the exempt ones."""
    corpus = "\n".join(texts)
    skip = set(exempt)
    return sorted(n for n in names if n not in skip and not re.search(rf"\b{re.escape(n)}\b", corpus))


def module_texts(root: Path = TESTS, exclude: Path = THIS) -> list[str]:
    """The text of every test module under ``root`` except ``exclude``."""
    return [p.read_text(encoding="utf-8") for p in sorted(root.rglob("test_*.py")) if p.resolve() != exclude]


def all_hooks() -> dict[str, str]:
    """hook name -> the module declaring it."""
    return {name: module.__name__ for module in hookspec_modules() for name in hookspec_names(module)}


def test_every_hook_is_named_in_a_test():
    hooks = all_hooks()
    missing = untested_hooks(hooks, module_texts(), EXEMPT)
    assert not missing, "hooks no test names (write a test that calls or implements each, or exempt it with a " \
                        "reason in EXEMPT): " + ", ".join(f"{n} ({hooks[n]})" for n in missing)


def test_the_hooks_found_include_core_and_each_plugins_declared_ones():
    hooks = all_hooks()
    assert {"surety_manifest", "surety_models", "surety_graphql", "surety_handle_event"} <= set(hooks)
    declared = {module for module in hooks.values() if module != core_hookspecs.__name__}
    assert {"surety.plugins.customers.hookspecs", "surety.plugins.guarantee.hookspecs"} <= declared


def test_exemptions_name_real_hooks_and_give_a_reason():
    hooks = all_hooks()
    for name, reason in EXEMPT.items():
        assert name in hooks, f"{name} is exempt but no longer a hook: remove it from EXEMPT"
        assert reason.strip(), f"{name} is exempt without a reason"


# ------------------------------------------------------------- the check itself ---------------------------------------


def test_a_new_hook_without_a_test_is_reported(tmp_path):
    """A synthetic hookspec module and test tree: the check names the hook no test mentions, and only that one."""
    module = ModuleType("synthetic_hookspecs")
    exec(  # a fixed snippet: a hookspec module as a plugin would write it
        "import pluggy\n"
        f"hookspec = pluggy.HookspecMarker({core_hookspecs.PROJECT!r})\n"
        "@hookspec\n"
        "def synthetic_tested(session): ...\n"
        "@hookspec\n"
        "def synthetic_brand_new(session): ...\n"
        "def not_a_hook(): ...\n",
        module.__dict__,
    )
    assert hookspec_names(module) == ["synthetic_brand_new", "synthetic_tested"]

    (tmp_path / "test_synthetic.py").write_text("def test_it():\n    hook.synthetic_tested(session=None)\n")
    (tmp_path / "helper.py").write_text("synthetic_brand_new  # not a test module: does not count\n")
    this = tmp_path / "test_hooks_have_tests.py"
    this.write_text("synthetic_brand_new  # the checking test itself does not count\n")
    texts = module_texts(tmp_path, exclude=this.resolve())

    assert untested_hooks(hookspec_names(module), texts) == ["synthetic_brand_new"]
    assert untested_hooks(hookspec_names(module), texts, exempt=["synthetic_brand_new"]) == []
    # a longer name that merely contains the hook's name does not count as naming it
    assert untested_hooks(["synthetic"], ["synthetic_tested()"]) == ["synthetic"]


@pytest.mark.parametrize("text", ["pm.hook.synthetic_brand_new(x=1)", "def synthetic_brand_new(session):"])
def test_a_call_or_an_implementation_counts(text):
    assert untested_hooks(["synthetic_brand_new"], [text]) == []
