"""Logging GraphQL errors without what the client sent.

Strawberry's default (``Schema.process_errors`` -> ``StrawberryLogger``) logs ``str(error)``: the message, which
for a bad variable or literal embeds the value ("String cannot represent a non string value: 110101199003077777",
"... found: {'idNumber': ..., 'phone': ...}"), the offending line of the query text (inline literals included),
and a plain-text traceback. :func:`log_graphql_errors` logs one structured event per error instead:

- ``operation`` (the operation's name when it is a GraphQL name), ``operation_type``, ``document`` (a hash of the
  document with its literal values blanked, to group the same query shape; never the text itself, and not a hash
  of the text either, as the text may hold an inline ID number, which a hash would let anyone confirm by
  guessing), ``path``, ``locations``, ``code``;
- ``message`` with the values masked (:func:`safe_message`);
- for unexpected errors (anything but GraphQL's own request errors and our domain errors): ``exc_type`` and the
  traceback, rendered by core/logging.py with every exception message redacted and cut to its first line.

Never the variables.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import structlog
from graphql import FloatValueNode, GraphQLError, IntValueNode, StringValueNode, Visitor, print_ast, visit

from surety.core.errors import DomainError
from surety.core.redaction import MASK, redact_text

log = structlog.get_logger("surety.graphql.errors")

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")
#: graphql-core puts the offending value last, after "found"/"Found:" or "<Type> cannot represent ...: "
_VALUE_TAIL = re.compile(r"(\b[Ff]ound:?|\bcannot represent [^:;]{0,60}:)\s.*$", re.DOTALL)


def safe_message(message: str) -> str:
    """A GraphQL error message fit for the logs: the value graphql-core appends is cut (``found: {...}``,
    ``cannot represent a non string value: ...``), then :func:`redact_text` masks any other quoted string,
    number or address. Syntax errors keep their token descriptions (string and number tokens are masked)."""
    if not message.startswith("Syntax Error"):
        message = _VALUE_TAIL.sub(lambda m: f"{m.group(1)} {MASK}", message)
    return redact_text(message, first_line=True)


def _code(error: GraphQLError) -> str:
    original = error.original_error
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if isinstance(original, DomainError):
        return original.code
    if original is None:
        return "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else "GRAPHQL_VALIDATION_FAILED"
    if isinstance(original, GraphQLError):
        return "BAD_USER_INPUT"
    return "INTERNAL_ERROR"


def is_unexpected(error: GraphQLError) -> bool:
    """Neither a request error (syntax, validation, coercion of variables) nor one of our domain errors."""
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, DomainError))


class _BlankLiterals(Visitor):
    def enter_string_value(self, *_args):
        return StringValueNode(value="")

    def enter_int_value(self, *_args):
        return IntValueNode(value="0")

    def enter_float_value(self, *_args):
        return FloatValueNode(value="0")


def document_hash(document) -> str:
    """16 hex digits identifying a parsed document's shape: the same operations, fields and variables hash the same
    whatever the literal values in it (blanked before hashing, so the hash reveals none of them)."""
    shape = print_ast(visit(document, _BlankLiterals()))
    return hashlib.sha256(shape.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _operation(execution_context) -> dict:
    if execution_context is None:
        return {}
    fields: dict = {}
    try:
        name = execution_context.operation_name
    except Exception:  # noqa: BLE001 - a document that does not parse has no operation to name
        name = None
    if name is not None:
        fields["operation"] = name if _NAME.match(str(name)) else MASK
    try:
        fields["operation_type"] = execution_context.operation_type.value
    except Exception:  # noqa: BLE001
        pass
    document = getattr(execution_context, "graphql_document", None)
    if document is not None:  # none when the text did not parse
        fields["document"] = document_hash(document)
    return fields


def log_graphql_errors(errors: Iterable[GraphQLError], execution_context=None) -> None:
    """One ``graphql.error`` event per error: request and domain errors at info, unexpected ones at error with
    the traceback."""
    operation = _operation(execution_context)
    for error in errors:
        fields = dict(operation, code=_code(error), message=safe_message(error.message))
        if error.path:
            fields["path"] = [p if isinstance(p, int) or _NAME.match(p) else MASK for p in error.path]
        if error.locations:
            fields["locations"] = [[loc.line, loc.column] for loc in error.locations]
        original = error.original_error
        if original is not None:
            fields["exc_type"] = f"{type(original).__module__}.{type(original).__qualname__}"
        if is_unexpected(error):
            log.error("graphql.error", exc_info=original, **fields)
        else:
            log.info("graphql.error", **fields)
