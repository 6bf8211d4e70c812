"""Code lists (core/codes.py): codes with zh-CN and English labels, gathered from every plugin through the hook
``surety_code_lists``; ``label`` in a locale and ``parse`` of a code or either label, refusing anything else with a
ValidationFailed naming the field and listing the choices."""

from __future__ import annotations

import types

import pytest

from surety.core import codes
from surety.core.codes import CodeList
from surety.core.errors import ValidationFailed
from surety.core.hookspecs import PluginManifest
from surety.core.plugins import PluginRegistry, build_plugin_manager, hookimpl
from surety.plugins.customers import codes as customers_codes
from surety.plugins.customers import plugin as customers_plugin
from surety.plugins.guarantee import plugin as guarantee_plugin

KIND = CodeList("demo.kind", {"mortgage": ("抵押", "Mortgage"), "third_party": ("保证", "Third-party guarantee")})


def _plugin(key: str, lists) -> types.SimpleNamespace:
    """A plugin object implementing surety_manifest and surety_code_lists."""
    ns = types.SimpleNamespace()

    @hookimpl
    def surety_manifest():
        return PluginManifest(key=key, version="1")

    @hookimpl
    def surety_code_lists():
        return lists

    ns.surety_manifest, ns.surety_code_lists = surety_manifest, surety_code_lists
    return ns


def _registry(*plugins: tuple[str, object]) -> PluginRegistry:
    return PluginRegistry(build_plugin_manager(extra=plugins, entry_points=False))


def test_parse_takes_the_code_the_zh_label_and_the_english_label_in_any_case():
    assert KIND.parse("mortgage", "kind") == "mortgage"
    assert KIND.parse("抵押", "kind") == "mortgage"
    assert KIND.parse(" 保证 ", "kind") == "third_party"
    assert KIND.parse("THIRD-PARTY GUARANTEE", "kind") == "third_party"
    assert codes.parse(KIND, "Mortgage", "kind") == "mortgage"


@pytest.mark.parametrize("value", ["房产", "", None, 3, "mortgag"])
def test_parse_refuses_anything_else_naming_the_field_and_listing_the_choices(value):
    with pytest.raises(ValidationFailed) as err:
        KIND.parse(value, "kind")
    assert err.value.field == "kind"
    assert "抵押 (mortgage), 保证 (third_party)" in err.value.message
    assert "kind" in err.value.message


def test_label_in_each_locale_and_an_unknown_code_shows_itself():
    assert KIND.label("mortgage", "zh_CN") == "抵押"
    assert KIND.label("mortgage", "en") == "Mortgage"
    assert KIND.label("mortgage", "en-US") == "Mortgage"
    assert KIND.label("mortgage") == "抵押"  # default: zh-CN
    assert KIND.label("retired_kind", "en") == "retired_kind"


def test_a_list_whose_labels_name_two_codes_or_lack_a_label_is_refused():
    with pytest.raises(ValueError, match="names both"):
        CodeList("demo.bad", {"a": ("甲", "A"), "b": ("甲", "B")})
    with pytest.raises(ValueError, match="names both"):
        CodeList("demo.bad", {"a": ("甲", "Same"), "b": ("乙", "same")})
    with pytest.raises(ValueError, match="needs"):
        CodeList("demo.bad", {"a": ("甲", "")})


def test_the_hook_gathers_core_and_plugin_lists_by_key():
    registry = _registry(("demo", _plugin("demo", [KIND])))
    lists = codes.collect(registry)
    assert lists["demo.kind"] is KIND
    assert {"core.user_status", "core.workflow_instance_status", "core.workflow_task_status"} <= set(lists)
    assert list(lists)[0].startswith("core.")  # core's first
    assert registry.hook.surety_code_lists()  # the hook answers for core and the plugin
    assert codes.label("core.user_status", "disabled", "zh_CN") == "停用"
    assert codes.parse("core.workflow_instance_status", "审批中", "status") == "running"


def test_the_installed_plugins_lists_come_through_the_plugin_manager():
    registry = _registry(("guarantee_lists", _plugin("guarantee_lists", [])))
    assert "core.user_status" in codes.code_lists(registry)
    with pytest.raises(LookupError):
        codes.get("nobody.kind", registry)


def test_a_list_outside_its_plugins_prefix_or_declared_twice_is_a_programming_error():
    with pytest.raises(ValueError, match="must start with 'demo.'"):
        codes.collect(_registry(("demo", _plugin("demo", [CodeList("other.kind", {"a": ("甲", "A")})]))))
    with pytest.raises(ValueError, match="declared twice"):
        codes.collect(_registry(("demo", _plugin("demo", [KIND, KIND]))))


GUARANTEE_LISTS = tuple(guarantee_plugin.surety_code_lists())
CUSTOMERS_LISTS = tuple(customers_plugin.surety_code_lists())


@pytest.mark.parametrize("plugin_lists, plugin_key", [(GUARANTEE_LISTS, "guarantee"), (CUSTOMERS_LISTS, "customers")])
def test_guarantee_and_customers_lists_go_through_the_hook(plugin_lists, plugin_key):
    """Each plugin's lists, as its plugin.py contributes them (``surety_code_lists``)."""
    registry = _registry((plugin_key, _plugin(plugin_key, plugin_lists)))
    lists = codes.collect(registry)
    assert {c.key for c in plugin_lists} <= set(lists)
    assert all(len(c.items) for c in plugin_lists)
    assert set(customers_codes.LISTS) <= set(CUSTOMERS_LISTS)


@pytest.mark.parametrize("code_list", GUARANTEE_LISTS + CUSTOMERS_LISTS, ids=lambda c: c.key)
def test_every_plugin_code_has_its_own_labels(code_list):
    """No code falls back to showing itself: a code added to a plugin's constants needs its labels here."""
    for code, (zh, en) in code_list.items.items():
        assert zh != code and en != code, (code_list.key, code)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) or zh.isupper(), (code_list.key, code, zh)
