"""A safe expression language for workflow transition conditions (docs/workflow-expressions.md).

``amount > 5000000 or customer.grade in ["B", "C"]`` — read with Python's own parser (``ast.parse(mode="eval")``),
then checked against a short whitelist of constructs and turned into a small tree of our own, which we walk to
evaluate. Nothing is ever handed to ``eval``/``exec``/``compile``. Numbers are ``Decimal`` throughout (never float);
a missing field is ``None``; field paths look into nested mappings only (never object attributes).
"""

from __future__ import annotations

import ast
import decimal
import io
import re
import tokenize
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from surety.core.errors import ValidationFailed

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "Expression",
    "ExpressionError",
    "compile_expression",
    "validate_names",
]

#: Longest accepted source, in characters.
MAX_LENGTH = 1000
#: Most expression nodes (names, constants, operators applied) in one expression.
MAX_NODES = 200
#: Deepest nesting, both of the expression tree and of brackets in the source.
MAX_DEPTH = 30

# Exact arithmetic: 28 significant digits (more than any amount in fen needs); errors are trapped, never silent.
_CTX = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_NUMBER_LITERAL = re.compile(r"^(?:\d[\d_]*)?(?:\.\d[\d_]*|\d[\d_]*\.?)$")
_NUMBER_TEXT = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$")


class ExpressionError(ValidationFailed):
    """A condition that cannot be compiled, or failed while being evaluated. ``position`` is the 0-based character
    offset in the source of the offending part (the column, for a one-line condition), or ``None``."""

    code = "INVALID_CONDITION"

    def __init__(self, message: str, *, position: int | None = None, **kw: Any):
        message = message.rstrip(".")
        message = f"{message} (at column {position})." if position is not None else f"{message}."
        super().__init__(message, **kw)
        self.position = position


# ---------------------------------------------------------------- positions -----------------------------------------


class _Source:
    """Maps the parser's (line, UTF-8 byte column) positions to character offsets in the source."""

    def __init__(self, text: str):
        self.text = text
        self.lines = re.split(r"(?<=\r\n)|(?<=\r)(?!\n)|(?<=\n)", text)
        self.starts = []
        at = 0
        for line in self.lines:
            self.starts.append(at)
            at += len(line)

    def char_offset(self, lineno: int | None, col: int | None, *, in_bytes: bool) -> int | None:
        if lineno is None or col is None or not (1 <= lineno <= len(self.lines)):
            return None
        line = self.lines[lineno - 1]
        if in_bytes:
            col = len(line.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        return self.starts[lineno - 1] + max(col, 0)

    def of(self, node: ast.AST) -> int | None:
        return self.char_offset(getattr(node, "lineno", None), getattr(node, "col_offset", None), in_bytes=True)

    def segment(self, node: ast.AST) -> str | None:
        return ast.get_source_segment(self.text, node)


# ---------------------------------------------------------------- values --------------------------------------------


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _to_decimal(v: Any) -> Decimal | None:
    """``v`` as a finite Decimal (int, float, Decimal or text of a plain number), else ``None``."""
    if isinstance(v, bool):
        return None
    if isinstance(v, Decimal):
        return v if v.is_finite() else None
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        d = Decimal(repr(v))  # the shortest decimal that round-trips, not the binary expansion
        return d if d.is_finite() else None
    if isinstance(v, str) and len(v) <= 100 and _NUMBER_TEXT.match(v):
        return Decimal(v.strip())
    return None


def _describe(v: Any) -> str:
    if v is None:
        return "a missing value (None)"
    if isinstance(v, bool):
        return "a true/false value"
    if _is_number(v):
        return "a number"
    if isinstance(v, str):
        return "text"
    if isinstance(v, (list, tuple, set, frozenset)):
        return "a list"
    if isinstance(v, Mapping):
        return "a group of fields"
    return f"a {type(v).__name__} value"


def _equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) or _is_number(b):
        da, db = _to_decimal(a), _to_decimal(b)
        return da is not None and db is not None and da == db
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an exotic value: simply not equal
        return False


def _as_date(v: Any, like: date) -> date | None:
    if isinstance(v, str):
        try:
            return (datetime if isinstance(like, datetime) else date).fromisoformat(v.strip())
        except ValueError:
            return None
    return None


_ORDER = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


def _order(op: type, a: Any, b: Any, pos: int | None) -> bool:
    if a is None or b is None:
        return False
    if _is_number(a) or _is_number(b):
        da, db = _to_decimal(a), _to_decimal(b)
        if da is None or db is None:
            raise ExpressionError("Cannot order {left} against {right}.", position=pos, left=_describe(a),
                                  right=_describe(b))
        return _ORDER[op](da, db)
    if isinstance(a, str) and isinstance(b, str):
        return _ORDER[op](a, b)
    if isinstance(a, date) or isinstance(b, date):
        if isinstance(a, date) and not isinstance(b, date):
            b = _as_date(b, a)
        elif isinstance(b, date) and not isinstance(a, date):
            a = _as_date(a, b)
        if isinstance(a, date) and isinstance(b, date) and isinstance(a, datetime) == isinstance(b, datetime):
            try:
                return _ORDER[op](a, b)
            except TypeError:  # naive against aware datetimes
                pass
    raise ExpressionError("Cannot order {left} against {right}.", position=pos, left=_describe(a), right=_describe(b))


def _contains(item: Any, container: Any, pos: int | None) -> bool:
    if container is None:
        return False
    if isinstance(container, (list, tuple, set, frozenset)):
        return any(_equal(item, x) for x in container)
    if isinstance(container, str):
        if item is None:
            return False
        if isinstance(item, str):
            return item in container
    raise ExpressionError("'in' needs a list (or text in text), not {value}.", position=pos,
                          value=_describe(container))


# ---------------------------------------------------------------- compiled tree -------------------------------------


class _Node:
    __slots__ = ("pos",)

    def eval(self, subject: Mapping[str, Any]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


class _Const(_Node):
    __slots__ = ("value",)

    def __init__(self, value: Any, pos: int | None):
        self.value, self.pos = value, pos

    def eval(self, subject):
        return self.value


class _Field(_Node):
    __slots__ = ("path",)

    def __init__(self, path: tuple[str, ...], pos: int | None):
        self.path, self.pos = path, pos

    def eval(self, subject):
        value: Any = subject
        for part in self.path:
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value


class _Not(_Node):
    __slots__ = ("operand",)

    def __init__(self, operand: _Node, pos):
        self.operand, self.pos = operand, pos

    def eval(self, subject):
        return not self.operand.eval(subject)


class _Neg(_Node):
    __slots__ = ("operand",)

    def __init__(self, operand: _Node, pos):
        self.operand, self.pos = operand, pos

    def eval(self, subject):
        v = self.operand.eval(subject)
        d = _to_decimal(v)
        if d is None:
            raise ExpressionError("Cannot negate {value}.", position=self.pos, value=_describe(v))
        return _CTX.minus(d)


class _BoolOp(_Node):
    __slots__ = ("is_and", "values")

    def __init__(self, is_and: bool, values: tuple[_Node, ...], pos):
        self.is_and, self.values, self.pos = is_and, values, pos

    def eval(self, subject):
        result: Any = None
        for node in self.values:
            result = node.eval(subject)
            if bool(result) != self.is_and:  # `and` stops at the first falsy value, `or` at the first truthy one
                return result
        return result


_ARITH = {ast.Add: ("+", _CTX.add), ast.Sub: ("-", _CTX.subtract), ast.Mult: ("*", _CTX.multiply),
          ast.Div: ("/", _CTX.divide)}


class _BinOp(_Node):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: type, left: _Node, right: _Node, pos):
        self.op, self.left, self.right, self.pos = op, left, right, pos

    def eval(self, subject):
        a, b = self.left.eval(subject), self.right.eval(subject)
        symbol, fn = _ARITH[self.op]
        da, db = _to_decimal(a), _to_decimal(b)
        if da is None or db is None:
            bad = a if da is None else b
            raise ExpressionError("Arithmetic '{symbol}' needs numbers, got {value}.", position=self.pos,
                                  symbol=symbol, value=_describe(bad))
        if self.op is ast.Div and db.is_zero():
            raise ExpressionError("Division by zero.", position=self.pos)
        try:
            return fn(da, db)
        except decimal.DecimalException as exc:
            raise ExpressionError("Arithmetic '{symbol}' failed: {name}.", position=self.pos, symbol=symbol,
                                  name=type(exc).__name__) from None


class _Compare(_Node):
    __slots__ = ("left", "ops", "rights")

    def __init__(self, left: _Node, ops: tuple[tuple[type, int | None], ...], rights: tuple[_Node, ...], pos):
        self.left, self.ops, self.rights, self.pos = left, ops, rights, pos

    def eval(self, subject):
        a = self.left.eval(subject)
        for (op, pos), node in zip(self.ops, self.rights, strict=True):
            b = node.eval(subject)
            if op is ast.Eq:
                ok = _equal(a, b)
            elif op is ast.NotEq:
                ok = not _equal(a, b)
            elif op is ast.In:
                ok = _contains(a, b, pos)
            elif op is ast.NotIn:
                ok = not _contains(a, b, pos)
            else:
                ok = _order(op, a, b, pos)
            if not ok:
                return False
            a = b
        return True


# ---------------------------------------------------------------- compiler ------------------------------------------

_REFUSED_NAMES: dict[type, str] = {
    ast.Call: "A function call",
    ast.Subscript: "Indexing or slicing (a[...])",
    ast.Slice: "A slice",
    ast.Lambda: "A lambda",
    ast.ListComp: "A comprehension",
    ast.SetComp: "A comprehension",
    ast.DictComp: "A comprehension",
    ast.GeneratorExp: "A generator expression",
    ast.IfExp: "A conditional expression (x if c else y)",
    ast.NamedExpr: "An assignment expression (:=)",
    ast.JoinedStr: "An f-string",
    ast.FormattedValue: "An f-string",
    ast.Starred: "A starred expression (*x)",
    ast.Dict: "A dictionary literal",
    ast.Set: "A set literal",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}
_OPERATOR_NAMES = {
    ast.Mod: "%", ast.Pow: "**", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Invert: "~", ast.UAdd: "unary +",
    ast.Is: "is", ast.IsNot: "is not",
}
_COMPARE_OPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)


class _Compiler:
    def __init__(self, source: _Source):
        self.src = source
        self.names: set[str] = set()

    def refuse(self, what: str, node: ast.AST, pos: int | None = None) -> ExpressionError:
        return ExpressionError("{what} is not allowed in a condition", position=self.src.of(node) if pos is None
                               else pos, what=what)

    def build(self, node: ast.AST, depth: int) -> _Node:
        if depth > MAX_DEPTH:
            raise ExpressionError("The condition is nested more than {max_depth} levels deep",
                                  position=self.src.of(node), max_depth=MAX_DEPTH)
        pos = self.src.of(node)
        if isinstance(node, ast.BoolOp):
            values = tuple(self.build(v, depth + 1) for v in node.values)
            return _BoolOp(isinstance(node.op, ast.And), values, pos)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return _Not(self.build(node.operand, depth + 1), pos)
            if isinstance(node.op, ast.USub):
                inner = self.build(node.operand, depth + 1)
                if isinstance(inner, _Const) and isinstance(inner.value, Decimal):
                    return _Const(_CTX.minus(inner.value), pos)
                return _Neg(inner, pos)
            raise self.refuse(f"The operator {_OPERATOR_NAMES.get(type(node.op), type(node.op).__name__)!r}", node)
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _ARITH:
                raise self.refuse(f"The operator {_OPERATOR_NAMES.get(type(node.op), type(node.op).__name__)!r}",
                                  node)
            left = self.build(node.left, depth + 1)
            right = self.build(node.right, depth + 1)
            return _BinOp(type(node.op), left, right, pos)
        if isinstance(node, ast.Compare):
            left = self.build(node.left, depth + 1)
            ops = []
            for op, right in zip(node.ops, node.comparators, strict=True):
                if not isinstance(op, _COMPARE_OPS):
                    raise self.refuse(f"The comparison {_OPERATOR_NAMES.get(type(op), type(op).__name__)!r}", right)
                ops.append((type(op), self.src.of(right)))
            rights = tuple(self.build(c, depth + 1) for c in node.comparators)
            return _Compare(left, tuple(ops), rights, pos)
        if isinstance(node, (ast.Name, ast.Attribute)):
            path = self.field_path(node)
            self.names.add(".".join(path))
            return _Field(path, pos)
        if isinstance(node, ast.Constant):
            return _Const(self.constant(node), pos)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    raise self.refuse(_REFUSED_NAMES[ast.Starred], elt)
                built = self.build(elt, depth + 1)
                if not isinstance(built, _Const):
                    raise ExpressionError("A list may only hold constants (text, numbers, true/false, None)",
                                          position=self.src.of(elt))
                items.append(built.value)
            return _Const(tuple(items), pos)
        what = _REFUSED_NAMES.get(type(node), f"The construct {type(node).__name__!r}")
        raise self.refuse(what, node)

    def field_path(self, node: ast.AST) -> tuple[str, ...]:
        parts: list[tuple[str, int | None]] = []
        cur = node
        while isinstance(cur, ast.Attribute):
            end = self.src.char_offset(cur.end_lineno, cur.end_col_offset, in_bytes=True)
            parts.append((cur.attr, None if end is None else end - len(cur.attr)))
            cur = cur.value
        if isinstance(cur, ast.Name):
            parts.append((cur.id, self.src.of(cur)))
        parts.reverse()
        for name, at in parts:  # in source order, so the first offending part is reported
            if name.startswith("_"):
                raise ExpressionError("The name {name!r} starts with '_' and is not allowed in a condition",
                                      position=at, name=name)
        if not isinstance(cur, ast.Name):
            what = _REFUSED_NAMES.get(type(cur))
            if what is not None:
                raise self.refuse(what, cur)
            raise ExpressionError("Attribute access is only allowed on field names (customer.grade)",
                                  position=self.src.of(node))
        return tuple(name for name, _ in parts)

    def constant(self, node: ast.Constant) -> Any:
        value = node.value
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float)):
            text = (self.src.segment(node) or "").strip()
            if not _NUMBER_LITERAL.match(text):
                raise ExpressionError(
                    "The number {value!r} is not allowed: write plain integers or decimals (1234.56)",
                    position=self.src.of(node), value=text or value)
            return Decimal(text.replace("_", ""))
        kind = {bytes: "A bytes literal", complex: "A complex number"}.get(type(value), "This constant")
        raise self.refuse(kind, node)


def _check_brackets(source: str, src: _Source) -> None:
    """Refuse bracket nesting deeper than MAX_DEPTH before the parser sees it (parentheses leave no trace in the
    tree, and the parser's own limit is much higher)."""
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.OP:
                if tok.string in "([{":
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise ExpressionError("Brackets are nested more than {max_depth} levels deep",
                                              position=src.char_offset(tok.start[0], tok.start[1], in_bytes=False),
                                              max_depth=MAX_DEPTH)
                elif tok.string in ")]}":
                    depth -= 1
    except (tokenize.TokenError, SyntaxError):
        return  # the parser reports it, with a better message


class Expression:
    """A compiled condition. Immutable and shareable between threads."""

    __slots__ = ("_source", "_names", "_root")

    def __init__(self, source: str, names: frozenset[str], root: _Node):
        self._source, self._names, self._root = source, names, root

    @property
    def source(self) -> str:
        return self._source

    @property
    def names(self) -> frozenset[str]:
        """The field paths the condition reads, dotted (``{"amount", "customer.grade"}``)."""
        return self._names

    def evaluate(self, subject: Mapping[str, Any]) -> Any:
        """The value of the expression for ``subject`` (raises ExpressionError on e.g. arithmetic on a missing
        field or a division by zero)."""
        if not isinstance(subject, Mapping):
            raise ExpressionError("A condition is evaluated against a mapping of fields.")
        return self._root.eval(subject)

    def test(self, subject: Mapping[str, Any]) -> bool:
        """Whether the condition holds for ``subject``."""
        return bool(self.evaluate(subject))

    def __repr__(self) -> str:
        return f"Expression({self._source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other._source == self._source

    def __hash__(self) -> int:
        return hash(self._source)


@lru_cache(maxsize=1024)
def compile_expression(source: str) -> Expression:
    """Parse and check ``source``; raises ExpressionError (with ``position``) for anything outside the language."""
    if not isinstance(source, str):
        raise ExpressionError("A condition must be text.")
    if len(source) > MAX_LENGTH:
        raise ExpressionError("The condition is longer than {max_length} characters ({length}).",
                              position=MAX_LENGTH, max_length=MAX_LENGTH, length=len(source))
    if not source.strip():
        raise ExpressionError("The condition is empty.", position=0)
    src = _Source(source)
    _check_brackets(source, src)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        if exc.lineno is None or not exc.offset or exc.offset < 1:
            pos = len(source)  # no position given: the input ended too early
        else:
            pos = src.char_offset(exc.lineno, exc.offset - 1, in_bytes=False)
        raise ExpressionError("Syntax error: {msg}", position=pos, msg=exc.msg) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError("The condition cannot be read: {name}.", name=type(exc).__name__) from None
    count = sum(1 for n in ast.walk(tree) if isinstance(n, ast.expr))
    if count > MAX_NODES:
        raise ExpressionError("The condition has more than {max_nodes} parts ({count}).", position=0,
                              max_nodes=MAX_NODES, count=count)
    compiler = _Compiler(src)
    root = compiler.build(tree.body, 1)
    return Expression(source, frozenset(compiler.names), root)


def validate_names(expr: Expression | str, allowed: Iterable[str] | None) -> None:
    """Refuse a condition reading a field outside ``allowed`` (``None``: anything goes). A dotted path is allowed
    when it, or one of its prefixes, is listed (``customer`` allows ``customer.grade``)."""
    if allowed is None:
        return
    if isinstance(expr, str):
        expr = compile_expression(expr)
    allowed_set = set(allowed)
    unknown = []
    for name in sorted(expr.names):
        parts = name.split(".")
        if not any(".".join(parts[:i]) in allowed_set for i in range(1, len(parts) + 1)):
            unknown.append(name)
    if unknown:
        raise ExpressionError("Unknown field: {names}." if len(unknown) == 1 else "Unknown fields: {names}.",
                              unknown=unknown, names=", ".join(unknown))
