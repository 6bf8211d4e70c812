"""Code lists: the named lists of codes (statuses, kinds, classes) the API shows and accepts, each code with its
zh-CN and English label.

Services store and compare codes (``mortgage``, ``normal``); people read and type labels (抵押, 正常). A plugin
contributes its lists through the hook ``surety_code_lists`` (keys prefixed with the plugin key:
``guarantee.counter_guarantee_kind``); core contributes its own (:data:`CORE_LISTS`). :func:`label` gives a code's
label in a locale (default: the request's), :func:`parse` turns what a person typed (the code, its zh-CN label or
its English label, English case-insensitive) into the code and refuses anything else naming the field and listing
the choices. GraphQL reads the lists through ``codeLists`` (graphql/codes.py). docs/graphql.md, "Labels and units".
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

from surety.core.errors import ValidationFailed
from surety.core.i18n import current_locale
from surety.core.plugins import CORE_KEY, PluginRegistry, get_registry

#: The default locale (tenants' staff read Chinese) and the one other locale labels exist in.
ZH, EN = "zh_CN", "en"


@dataclass(frozen=True, eq=False)
class CodeList:
    """A named list of codes: ``items`` maps each code to its ``(zh-CN label, English label)``, in display order."""

    key: str
    items: Mapping[str, tuple[str, str]]
    description: str = ""
    _lookup: Mapping[str, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        items = MappingProxyType(dict(self.items))
        object.__setattr__(self, "items", items)
        lookup: dict[str, str] = {}
        for code, labels in items.items():
            if not isinstance(labels, tuple) or len(labels) != 2 or not all(labels):
                raise ValueError(f"code list {self.key!r}: {code!r} needs (zh-CN label, English label)")
            for word in (code, labels[0], labels[1].casefold()):
                if lookup.setdefault(word, code) != code:
                    raise ValueError(f"code list {self.key!r}: {word!r} names both {lookup[word]!r} and {code!r}")
        object.__setattr__(self, "_lookup", MappingProxyType(lookup))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.items)

    def label(self, code: str, locale: str | None = None) -> str:
        """The label of ``code`` in ``locale`` (``en``/``en_US``...: English; otherwise zh-CN); a code the list does
        not know is its own label (rows written before a code was listed keep showing something)."""
        labels = self.items.get(code)
        if labels is None:
            return code
        return labels[1] if _english(locale or current_locale()) else labels[0]

    def find(self, value: Any) -> str | None:
        """The code ``value`` names (the code, its zh-CN label or its English label in any case), or None."""
        if not isinstance(value, str):
            return None
        word = value.strip()
        return self._lookup.get(word) or self._lookup.get(word.casefold())

    def parse(self, value: Any, field: str) -> str:
        """The code ``value`` names; ValidationFailed naming ``field`` and the allowed labels otherwise."""
        code = self.find(value)
        if code is None:
            raise ValidationFailed("{value} is not an allowed value of {name}; give one of: {allowed}.", field=field,
                                   name=field, value=value.strip()[:40] if isinstance(value, str) else repr(value),
                                   allowed=self.choices())
        return code

    def choices(self) -> str:
        """The allowed values for messages: ``抵押 (mortgage), 质押 (pledge), ...`` (a label or its code is taken)."""
        return ", ".join(f"{zh} ({code})" for code, (zh, _en) in self.items.items())


def _english(locale: str) -> bool:
    return locale.replace("-", "_").split("_")[0].lower() == "en"


# ---------------------------------------------------------------- core's own lists ----------------------------------

#: core's lists (core/builtin.py contributes them through ``surety_code_lists``).
CORE_LISTS: tuple[CodeList, ...] = (
    CodeList("core.user_status", {"active": ("启用", "Active"), "disabled": ("停用", "Disabled")},
             "A user account's status."),
    CodeList("core.tenant_status", {"active": ("正常", "Active"), "suspended": ("已暂停", "Suspended")},
             "A tenant's status."),
    CodeList("core.org_unit_kind", {"head_office": ("总部", "Head office"), "branch": ("分支机构", "Branch"),
                                    "department": ("部门", "Department")}, "The kind of an organisation unit."),
    CodeList("core.data_scope", {"own": ("本人", "Own records"), "org_unit": ("本部门", "Own unit"),
                                 "org_subtree": ("本部门及下级", "Own unit and below"),
                                 "tenant": ("全公司", "Whole company")}, "The records a role sees."),
    CodeList("core.workflow_definition_status", {"draft": ("草稿", "Draft"), "published": ("已发布", "Published"),
                                                 "retired": ("已停用", "Retired")},
             "A process definition version's status."),
    CodeList("core.workflow_instance_status", {"running": ("审批中", "Running"), "approved": ("已通过", "Approved"),
                                               "rejected": ("已否决", "Rejected"),
                                               "withdrawn": ("已撤回", "Withdrawn")},
             "A workflow instance's status."),
    CodeList("core.workflow_step_status", {"open": ("进行中", "Open"), "approved": ("已通过", "Approved"),
                                           "rejected": ("已否决", "Rejected"), "cancelled": ("已取消", "Cancelled"),
                                           "returned": ("已退回", "Returned")}, "A workflow step run's status."),
    CodeList("core.workflow_task_status", {"open": ("待办", "Open"), "done": ("已办", "Done"),
                                           "cancelled": ("已取消", "Cancelled")}, "A workflow task's status."),
    CodeList("core.notification_delivery_status", {"pending": ("待发送", "Pending"), "sent": ("已发送", "Sent"),
                                                   "failed": ("发送失败", "Failed")},
             "A notification delivery's status."),
    CodeList("core.definition_format", {"json": ("JSON", "JSON"), "yaml": ("YAML", "YAML")},
             "The text format of a process definition document."),
    CodeList("core.amount_unit", {"yuan": ("元", "Yuan"), "wan": ("万元", "10,000 yuan")},
             "The unit of an amount (core/units.py; GraphQL AmountUnit)."),
    CodeList("core.rate_unit", {"fraction": ("小数", "Fraction"), "percent": ("百分比", "Percent")},
             "The unit of a rate (core/units.py; GraphQL RateUnit)."),
)


# ---------------------------------------------------------------- the registry --------------------------------------


def collect(registry: PluginRegistry | None = None) -> dict[str, CodeList]:
    """Every installed plugin's code lists by key (core's first), each key prefixed with its plugin's key; a list
    declared twice or under another plugin's prefix is a programming error (ValueError)."""
    registry = registry or get_registry()
    found: dict[str, CodeList] = {}
    results = registry.results_by_plugin("surety_code_lists")
    for key in sorted(results, key=lambda k: (k != CORE_KEY, k)):
        contributed = cast(Iterable[Any], results[key] or ())
        for code_list in contributed:
            if not isinstance(code_list, CodeList):
                raise ValueError(f"plugin {key!r} returned {code_list!r} from surety_code_lists, not a CodeList")
            if not code_list.key.startswith(f"{key}."):
                raise ValueError(f"code list {code_list.key!r} of plugin {key!r} must start with {key + '.'!r}")
            if code_list.key in found:
                raise ValueError(f"code list {code_list.key!r} declared twice")
            found[code_list.key] = code_list
    return found


_cache: weakref.WeakKeyDictionary[Any, dict[str, CodeList]] = weakref.WeakKeyDictionary()


def code_lists(registry: PluginRegistry | None = None) -> dict[str, CodeList]:
    """:func:`collect`, once per registry (the plugins are fixed for a process's life)."""
    registry = registry or get_registry()
    lists = _cache.get(registry.pm)
    if lists is None:
        lists = _cache[registry.pm] = collect(registry)
    return lists


def get(list_key: str | CodeList, registry: PluginRegistry | None = None) -> CodeList:
    """The code list ``list_key`` (a CodeList is itself); LookupError for a key no installed plugin declares."""
    if isinstance(list_key, CodeList):
        return list_key
    try:
        return code_lists(registry)[list_key]
    except KeyError:
        raise LookupError(f"no code list {list_key!r}") from None


def label(list_key: str | CodeList, code: str, locale: str | None = None) -> str:
    """The label of ``code`` in list ``list_key``, in ``locale`` (default: the request's)."""
    return get(list_key).label(code, locale)


def parse(list_key: str | CodeList, value: Any, field: str) -> str:
    """The code of list ``list_key`` that ``value`` names (code, zh-CN label or English label, English
    case-insensitive); ValidationFailed naming ``field`` and listing the choices otherwise."""
    return get(list_key).parse(value, field)
