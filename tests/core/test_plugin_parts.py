"""core.plugin_parts: a plugin's per-area permission and GraphQL modules joined for its hooks, in list order."""

from __future__ import annotations

import types

from surety.core import plugin_parts as parts
from surety.core.hookspecs import Permission, RoleTemplate


def _area(name, grants, templates=None, queries=(), mutations=(), kinds=()):
    area = types.SimpleNamespace(PERMISSIONS=(Permission(f"x:{name}", "read", name),), DEFAULT_GRANTS=grants,
                                 QUERIES=queries, MUTATIONS=mutations, TYPES=kinds)
    if templates is not None:
        area.ROLE_TEMPLATES = templates
    return area


def test_permissions_grants_templates_and_graphql_are_joined_in_module_order():
    collector = RoleTemplate("collector", "Collector", "org_subtree", "催收")
    one = _area("one", {"admin": ("x:one:read",), "finance": ("x:one:read",)}, queries=("Q1",), kinds=("T1",))
    two = _area("two", {"admin": ("x:two:read",), "auditor": ("x:two:read",)}, templates=(collector,),
                mutations=("M2",), queries=("Q2",))
    assert [p.obj for p in parts.permissions((one, two))] == ["x:one", "x:two"]
    assert parts.default_grants((one, two)) == {"admin": ["x:one:read", "x:two:read"], "finance": ["x:one:read"],
                                                "auditor": ["x:two:read"]}
    assert parts.role_templates((one, two)) == [collector]
    contribution = parts.graphql(iter((one, two)))
    assert (contribution.query, contribution.mutation, contribution.types) == (("Q1", "Q2"), ("M2",), ("T1",))
