"""Every value a request carries is checked before any resolver runs, and a bad one is answered with a typed error
naming it (``extensions: {code: VALIDATION_FAILED, field}``), never a masked "Unexpected error.":

- :class:`InputLimits` (an extension, before execution) checks the operation's variables: no string holds a NUL
  character (PostgreSQL refuses it in text) or more than ``limits.MAX_TEXT_CHARS`` characters, and each variable
  is a valid value of its declared type (bad Decimal/Date/Int/enum, an unknown or a missing input field), with
  the path inside the variable as the field (``i.minAmount``);
- :class:`LiteralLimitsRule` (a validation rule) checks the strings written in the query text the same way, with
  the argument and input field as the field (``input.displayName``).

The Decimal, Date, DateTime and JSON scalars (graphql/scalars.py) refuse out-of-range values in both places.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    is_input_type,
    is_non_null_type,
)
from graphql.language import ArgumentNode, DocumentNode, ObjectFieldNode, StringValueNode
from graphql.pyutils import Undefined
from graphql.utilities import get_operation_ast, type_from_ast
from graphql.utilities.validate_input_value import validate_input_value
from graphql.validation import ValidationRule
from strawberry.extensions import SchemaExtension

from surety.core import limits
from surety.core.errors import DomainError, ValidationFailed
from surety.graphql.errors import InputError, domain_cause

CODE = ValidationFailed.code


def input_error(template: str, field: str, nodes=None, cause: DomainError | None = None, **params: Any) -> GraphQLError:
    """A GraphQL error about a value the client sent: code VALIDATION_FAILED and the field it names; its message
    shown in the request's locale (``graphql.errors.InputError``), ``cause`` the domain error quoted in it."""
    return InputError(template, params, nodes, extensions={"code": CODE, "field": field}, cause=cause)


def _dotted(path: list[str | int]) -> str:
    return ".".join(str(p) for p in path)


def variable_errors(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                    variables: dict[str, Any] | None, *, hide_suggestions: bool = False) -> list[GraphQLError]:
    """What is wrong with the values of the operation's variables (an empty list when nothing is)."""
    operation = get_operation_ast(document, operation_name)
    if not isinstance(operation, OperationDefinitionNode):
        return []  # graphql-core answers that itself
    variables = variables if isinstance(variables, dict) else {}
    errors: list[GraphQLError] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if type_ is None or not is_input_type(type_):
            continue  # validation refused the document already
        value = variables.get(name, Undefined)
        if value is Undefined:
            if is_non_null_type(type_) and definition.default_value is None:
                errors.append(input_error("Variable '${name}' of required type '{type}' was not provided.",
                                          name, definition, name=name, type=str(type_)))
            continue
        too_long = list(_text_errors(name, value, definition))
        if too_long:
            errors.extend(too_long)
            continue

        def on_error(error: GraphQLError, path: list[str | int], name: str = name, node=definition) -> None:
            if path:
                errors.append(input_error("Variable '${name}' has an invalid value at '{path}': {reason}",
                                          _dotted([name, *path]), node, domain_cause(error), name=name,
                                          path=_dotted(path), reason=error.message))
            else:
                errors.append(input_error("Variable '${name}' has an invalid value: {reason}", name, node,
                                          domain_cause(error), name=name, reason=error.message))

        validate_input_value(value, type_, on_error, hide_suggestions)
    return errors


def _text_errors(name: str, value: Any, node) -> Iterator[GraphQLError]:
    for where, text in limits.strings(value, name):
        try:
            limits.text(text, where)
        except ValidationFailed as exc:
            yield input_error("Variable '${name}': {reason}", where, node, name=name, reason=exc)
            return


class InputLimits(SchemaExtension):
    """Refuses an operation whose variables break a limit or their type, before execution, with typed errors."""

    def __init__(self, *, hide_suggestions: bool = False):
        self.hide_suggestions = hide_suggestions

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None and ctx.result is None:
            errors = variable_errors(ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables,
                                     hide_suggestions=self.hide_suggestions)
            if errors:
                ctx.result = ExecutionResult(data=None, errors=errors)  # execution is skipped
        yield


class LiteralLimitsRule(ValidationRule):
    """No string written in the query text holds a NUL or more than ``limits.MAX_TEXT_CHARS`` characters."""

    def __init__(self, context):
        super().__init__(context)
        self.path: list[str] = []

    def enter_argument(self, node: ArgumentNode, *_args) -> None:
        self.path.append(node.name.value)

    def leave_argument(self, *_args) -> None:
        self.path.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_args) -> None:
        self.path.append(node.name.value)

    def leave_object_field(self, *_args) -> None:
        self.path.pop()

    def enter_string_value(self, node: StringValueNode, *_args) -> None:
        field = _dotted(self.path) or "value"
        try:
            limits.text(node.value, field)
        except ValidationFailed as exc:
            self.report_error(InputError(exc.template, exc.params, node, extensions={"code": CODE, "field": field}))
