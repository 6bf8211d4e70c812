"""The schema's execution context: plain leaf fields resolved without graphql-core's per-field machinery.

A page of 50 guarantee projects resolves some 850 fields, two thirds of them plain attributes (``projectNo``,
``amount``, ``status``) of an object a list resolver already built. For each, graphql-core builds a resolve info
object, checks for arguments, calls Strawberry's default-resolver wrapper and dispatches ``complete_value`` on the
return type before it coerces the value: about as much Python as the rest of the request per row.

:class:`SuretyExecutionContext` takes a shorter path for a field that Strawberry itself marks as *basic* (no
resolver, no field extension, no permission class: it only reads the attribute) and whose type is a scalar or an
enum, nullable or not: it reads the attribute with Strawberry's default resolver and coerces it with the type's
own ``coerce_output_value``, as ``complete_leaf_value`` would. Anything else (a null on a non-null field, a value
the scalar refuses, an exception, an awaitable, a field with arguments or a resolver, middleware) goes the normal
way, so errors, their paths and null propagation are graphql-core's. The answer is the same either way, which
tests/graphql/test_execution.py checks field by field against the stock executor.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import GraphQLField, GraphQLLeafType, get_nullable_type, is_leaf_type, is_non_null_type
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class _LeafPlan(NamedTuple):
    read: Any  # Strawberry's default resolver: (source, python_name) -> value
    name: str
    leaf: GraphQLLeafType
    nullable: bool


#: The attribute of a schema field (``GraphQLField``) holding its plan (None: the normal path), set on first use: the
#: plan lives and dies with its schema.
_PLAN_ATTR = "_surety_leaf_plan"
_UNSET = object()


def leaf_plan(field_def: GraphQLField) -> _LeafPlan | None:
    """The fast path's plan for a schema field, or None when it is not a basic leaf field."""
    plan = field_def.__dict__.get(_PLAN_ATTR, _UNSET)
    if plan is not _UNSET:
        return plan
    plan = None
    definition = (field_def.extensions or {}).get("strawberry-definition")
    resolve = field_def.resolve
    if (definition is not None and resolve is not None and getattr(resolve, "_is_default", False)
            and definition.is_basic_field and not field_def.args and is_leaf_type(get_nullable_type(field_def.type))):
        plan = _LeafPlan(read=definition.default_resolver, name=definition.python_name,
                         leaf=get_nullable_type(field_def.type), nullable=not is_non_null_type(field_def.type))
    setattr(field_def, _PLAN_ATTR, plan)
    return plan


class SuretyExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the basic-leaf fast path (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Strawberry passes a manager on every request; it wraps resolvers only when an extension implements resolve
        manager = self.middleware_manager
        self._plain = manager is None or not manager.middlewares

    def execute_field(self, parent_type, source, field_details_list, path, position_context):
        node = field_details_list[0].node
        if self._plain and not node.arguments:
            field_def = self.schema.get_field(parent_type, node.name.value)
            plan = leaf_plan(field_def) if field_def is not None else None
            if plan is not None:
                try:
                    value = plan.read(source, plan.name)
                    if value is None:
                        if plan.nullable:
                            return None
                    elif not isinstance(value, Exception):
                        coerced = plan.leaf.coerce_output_value(value)
                        if coerced is not Undefined and coerced is not None:
                            return coerced
                except Exception:  # noqa: BLE001, S110 - the normal path below reports it, located
                    pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
