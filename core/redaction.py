"""Which keys hold personal data or secrets (every plugin's ``surety_sensitive_keys``), and redacting them.

Shared by the log processor (core/logging.py) and the audit images (core/audit/redact.py); ``redact_text`` masks
the values embedded in free text (error and exception messages) for the logs.
"""

from __future__ import annotations

import re
from typing import Any

from surety.core.plugins import get_registry

REDACTED = "[REDACTED]"

_cache: tuple[object, frozenset[str]] | None = None


def sensitive_keys() -> frozenset[str]:
    """Lower-cased key names whose values are redacted. Recomputed when the plugin registry is replaced."""
    global _cache

    registry = get_registry()
    cached = _cache
    if cached is not None and cached[0] is registry:
        return cached[1]
    keys = frozenset(
        str(key).lower() for result in registry.hook.surety_sensitive_keys() if result for key in result
    )
    _cache = (registry, keys)
    return keys


def redact(value: Any, keys: frozenset[str] | None = None) -> Any:
    """A copy of ``value`` (structure and value types kept) with sensitive keys' values replaced, at any depth."""
    keys = sensitive_keys() if keys is None else keys
    if isinstance(value, dict):
        return {k: (REDACTED if str(k).lower() in keys and v is not None else redact(v, keys))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v, keys) for v in value]
    return value


# ----------------------------------------------------------------------------------------------- free text -----
# Error and exception messages are free text, and some embed what a client sent: graphql-core prints the offending
# variable or literal ("String cannot represent a non string value: 110101199003077777"), drivers print row values
# (PostgreSQL's "DETAIL:  Key (id_number)=(...)", SQLAlchemy's "[parameters: ...]"), code interpolates with !r.
# ``redact_text`` keeps the words and the names (fields, types, constraints) and masks the values.

MASK = "***"

_SQL_OBJECT_WORDS = ("constraint", "relation", "column", "table", "index", "type", "function", "schema",
                     "sequence", "database", "role", "trigger", "view", "operator", "extension")
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_SINGLE_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'")
#: a GraphQL name, a ``$variable``, a dotted Python name (``'surety.core.x'``), a type reference such as
#: ``[String!]!``, or a lone punctuator (``'{'``)
_KEPT_SINGLE = re.compile(r"^(?:\$?[_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*)*"
                          r"|[\[\]_A-Za-z0-9!]*[_A-Za-z][\[\]_A-Za-z0-9!]*|[^\w\s])$")
_IDENTIFIER = re.compile(r"^[_A-Za-z][_0-9A-Za-z.$]*$")
_EMAIL = re.compile(r"[^\s'\"<>()\[\]{},;:]+@[^\s'\"<>()\[\]{},;:]+")
#: four or more digits, possibly grouped by single spaces, dashes, dots or slashes (phones, ID and account
#: numbers, dates, amounts)
_DIGITS = re.compile(r"\d(?:[ \-./]?\d){3,}")


def _double(match: re.Match, text: str) -> str:
    quoted = match.group(0)
    before = text[max(0, match.start() - 12):match.start()].rstrip().rsplit(None, 1)
    if before and before[-1].lower() in _SQL_OBJECT_WORDS and _IDENTIFIER.match(quoted[1:-1]):
        return quoted  # an SQL object's name in a driver message: `unique constraint "uq_x"`
    return f'"{MASK}"'


def redact_text(text: object, *, first_line: bool = False) -> str:
    """``text`` with the values a client may have sent masked: double-quoted strings (except the names of SQL
    objects), single-quoted strings that are not GraphQL names or type references, e-mail addresses, and runs of
    four or more digits. With ``first_line``, everything after the first line is dropped (driver messages put row
    values and statement parameters on the following lines)."""
    text = str(text)
    if first_line:
        text = text.split("\n", 1)[0]
    text = _DOUBLE_QUOTED.sub(lambda m: _double(m, text), text)
    text = _SINGLE_QUOTED.sub(lambda m: m.group(0) if _KEPT_SINGLE.match(m.group(0)[1:-1]) else f"'{MASK}'", text)
    text = _EMAIL.sub(MASK, text)
    return _DIGITS.sub(MASK, text)


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PERSONAL_SEGMENT = re.compile(r"\d{6}|@|%[89A-Fa-f][0-9A-Fa-f]|[^\x00-\x7f]")


def redact_path(path: object) -> str:
    """A request path fit for the logs: our routes' segments stay (names, UUIDs, global ids), a segment that looks
    like a value (six digits in a row, an ``@``, non-ASCII text raw or percent-encoded) is masked. A client can put
    anything in a path, e.g. ``GET /customers/110101199003077777``, which no route matches but the access log
    records."""
    return "/".join(segment if _UUID.match(segment) or not _PERSONAL_SEGMENT.search(segment) else MASK
                    for segment in str(path).split("/"))
