"""GraphQL of the code lists (core/codes.py): ``codeLists(keys)`` gives each list's codes with their label in the
request's locale and both labels, for clients that build pickers and show statuses (docs/graphql.md, "Labels and
units"). The lists are core's and those of the plugins enabled for the caller's tenant."""

from __future__ import annotations

import strawberry

from surety.core import codes
from surety.core.errors import NotFound
from surety.core.plugins import CORE_KEY
from surety.graphql.auth import actor


@strawberry.type(name="CodeItem", description="One code with its labels.")
class CodeItem:
    code: str = strawberry.field(description="What the API stores and returns (e.g. mortgage)")
    label: str = strawberry.field(description="The label in the request's locale (Accept-Language; zh-CN default)")
    label_zh: str = strawberry.field(description="The zh-CN label (e.g. 抵押)")
    label_en: str = strawberry.field(description="The English label (e.g. Mortgage)")


@strawberry.type(name="CodeList", description="A named list of codes (statuses, kinds, classes); inputs that take "
                                              "one of its codes also take its zh-CN or English label.")
class CodeListType:
    key: str = strawberry.field(description="e.g. guarantee.counter_guarantee_kind")
    description: str
    items: list[CodeItem]

    @classmethod
    def of(cls, code_list: codes.CodeList) -> CodeListType:
        return cls(key=code_list.key, description=code_list.description,
                   items=[CodeItem(code=c, label=code_list.label(c), label_zh=zh, label_en=en)
                          for c, (zh, en) in code_list.items.items()])


def visible(enabled: tuple[str, ...] | list[str]) -> dict[str, codes.CodeList]:
    """The code lists of core and of the ``enabled`` plugins, by key."""
    allowed = {CORE_KEY, *enabled}
    return {k: v for k, v in codes.code_lists().items() if k.split(".", 1)[0] in allowed}


@strawberry.type
class CodesQuery:
    @strawberry.field(description="Code lists by key (all of core's and the enabled plugins' when keys is not "
                                  "given), with labels in the request's locale.")
    def code_lists(self, info: strawberry.Info, keys: list[str] | None = None) -> list[CodeListType]:
        actor(info)
        lists = visible(info.context.enabled_plugins)
        if keys is None:
            return [CodeListType.of(v) for v in lists.values()]
        missing = [k for k in keys if k not in lists]
        if missing:
            raise NotFound("No code list {key}.", field="keys", key=missing[0])
        return [CodeListType.of(lists[k]) for k in dict.fromkeys(keys)]
