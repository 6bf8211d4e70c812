"""The condition language of workflow transitions: what it computes, and everything it refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from surety.core.errors import ValidationFailed
from surety.core.workflow.expressions import (
    MAX_DEPTH,
    MAX_LENGTH,
    Expression,
    ExpressionError,
    compile_expression,
    validate_names,
)

BIG_B = {"amount": Decimal("3000000"), "customer": {"grade": "B"}, "outcome": "pass", "renewal": False,
         "term_months": 12}
BIG_A = {"amount": Decimal("8000000"), "customer": {"grade": "A"}, "outcome": "fail", "renewal": True,
         "term_months": 24}
SMALL_A = {"amount": 100, "customer": {"grade": "A"}, "outcome": "pass", "renewal": False, "term_months": 13}


# ---------------------------------------------------------------- evaluation ----------------------------------------


@pytest.mark.parametrize(
    ("source", "subject", "expected"),
    [
        ('amount > 5000000 or customer.grade in ["B", "C"]', BIG_B, True),
        ('amount > 5000000 or customer.grade in ["B", "C"]', BIG_A, True),
        ('amount > 5000000 or customer.grade in ["B", "C"]', SMALL_A, False),
        ('outcome == "pass"', BIG_B, True),
        ('outcome == "pass"', BIG_A, False),
        ("not renewal and term_months <= 12", BIG_B, True),
        ("not renewal and term_months <= 12", BIG_A, False),
        ("not renewal and term_months <= 12", SMALL_A, False),
        ('customer.grade not in ("B", "C")', SMALL_A, True),
        ("amount != 100", SMALL_A, False),
        ("0 < term_months < 13", BIG_B, True),
        ("0 < term_months < 13", SMALL_A, False),
        ("amount * 2 >= 200 and amount - 1 == 99 and amount / 4 == 25", SMALL_A, True),
        ("-amount < 0", SMALL_A, True),
        ("amount + -100 == 0", SMALL_A, True),
        ("renewal == True", BIG_A, True),
        ("renewal == 1", BIG_A, False),  # a flag is not a number
        ("guarantor == None", BIG_A, True),  # a missing field is None
        ('customer.grade == "甲级"', {"customer": {"grade": "甲级"}}, True),
        ('"VIP" in customer.tags', {"customer": {"tags": ["VIP", "export"]}}, True),
        ('"VIP" in customer.tags', {"customer": {}}, False),
        ('region in ["北京", "上海"]', {"region": "上海"}, True),
        ('"京" in region', {"region": "北京"}, True),
        ("amount >= 1_000_000", {"amount": 1000000}, True),
        ("rate > .05", {"rate": "0.06"}, True),
        ('due < "2025-01-01"', {"due": dt.date(2024, 12, 31)}, True),
        ('due >= "2025-01-01"', {"due": dt.date(2024, 12, 31)}, False),
    ],
)
def test_examples(source, subject, expected):
    assert compile_expression(source).test(subject) is expected


def test_decimal_exactness():
    expr = compile_expression("amount > 5000000.005")
    assert expr.test({"amount": Decimal("5000000.01")})
    assert not expr.test({"amount": Decimal("5000000.005")})
    assert not expr.test({"amount": Decimal("5000000.004")})


def test_numbers_are_decimals_never_floats():
    # 0.1 + 0.2 == 0.3 is false in floats, true here: literals and float/int/text fields all become Decimals.
    assert compile_expression("0.1 + 0.2 == 0.3").test({})
    assert compile_expression("a + b == 0.3").test({"a": 0.1, "b": 0.2})
    assert compile_expression("a + b == 0.3").test({"a": "0.1", "b": Decimal("0.2")})
    value = compile_expression("amount * 1.5").evaluate({"amount": 3})
    assert isinstance(value, Decimal) and value == Decimal("4.5")
    assert compile_expression("amount == 5000000").test({"amount": "5000000.00"})
    assert isinstance(compile_expression("1").evaluate({}), Decimal)


def test_text_that_is_not_a_number_stays_text():
    assert compile_expression('code == "001"').test({"code": "001"})
    assert not compile_expression('code == "1"').test({"code": "001"})
    assert not compile_expression("code == 1").test({"code": "abc"})


@pytest.mark.parametrize(
    ("source", "subject"),
    [("amount > 5", {}), ("amount >= 5", {"amount": None}), ("amount < 5", {}), ("5 <= amount", {}),
     ('due < "2025-01-01"', {})],
)
def test_ordering_with_missing_field_is_false(source, subject):
    assert compile_expression(source).evaluate(subject) is False


def test_missing_paths_are_none():
    expr = compile_expression("customer.grade")
    assert expr.evaluate({}) is None
    assert expr.evaluate({"customer": None}) is None
    assert expr.evaluate({"customer": "not a mapping"}) is None
    assert compile_expression("a.b.c").evaluate({"a": {"b": {"c": 7}}}) == 7


def test_object_attributes_are_not_read():
    class Customer:
        grade = "A"

    assert compile_expression("customer.grade").evaluate({"customer": Customer()}) is None


@pytest.mark.parametrize(
    ("source", "subject", "message"),
    [
        ("amount + 1 > 5", {}, "needs numbers, got a missing value"),
        ("-amount", {}, "Cannot negate a missing value"),
        ("amount / count", {"amount": 1, "count": 0}, "Division by zero"),
        ("amount / 0", {"amount": 0}, "Division by zero"),
        ('amount * "x"', {"amount": 1}, "needs numbers, got text"),
        ('amount > "abc"', {"amount": 1}, "Cannot order a number against text"),
        ("flag in 5", {"flag": True}, "'in' needs a list"),
    ],
)
def test_evaluation_errors(source, subject, message):
    expr = compile_expression(source)
    with pytest.raises(ExpressionError, match=message) as info:
        expr.evaluate(subject)
    assert info.value.code == "INVALID_CONDITION"
    assert info.value.position is not None


def test_boolean_operators_short_circuit():
    # The right side would fail (arithmetic on a missing field) but is never evaluated.
    assert compile_expression("amount > 0 or missing + 1 > 0").test({"amount": 1})
    assert not compile_expression("amount > 5 and missing + 1 > 0").test({"amount": 1})


def test_names_and_source():
    expr = compile_expression('amount > 5000000 or customer.grade in ["B", "C"] or customer.grade == "A"')
    assert isinstance(expr, Expression)
    assert expr.names == frozenset({"amount", "customer.grade"})
    assert expr.source.startswith("amount > 5000000")
    assert compile_expression("1 == 1").names == frozenset()


def test_compiled_expressions_are_cached():
    assert compile_expression("term_months <= 12") is compile_expression("term_months <= 12")


def test_validate_names():
    expr = compile_expression('amount > 5 and customer.grade == "A"')
    validate_names(expr, None)
    validate_names(expr, ["amount", "customer"])
    validate_names(expr, {"amount", "customer.grade"})
    with pytest.raises(ExpressionError, match="Unknown field: customer.grade"):
        validate_names(expr, ["amount"])


def test_error_is_a_validation_failure():
    with pytest.raises(ValidationFailed) as info:
        compile_expression("open('f')")
    assert info.value.code == "INVALID_CONDITION"
    assert info.value.extensions == {"code": "INVALID_CONDITION"}


# ---------------------------------------------------------------- refusals ------------------------------------------


@pytest.mark.parametrize(
    ("source", "message", "position"),
    [
        ("__import__('os').system('x')", "A function call", 0),
        ("().__class__.__bases__", "'__class__' starts with '_'", 3),
        ("open('f')", "A function call", 0),
        ("[x for x in y]", "A comprehension", 0),
        ("{x for x in y}", "A comprehension", 0),
        ("(x for x in y)", "A generator expression", 0),
        ("lambda: 1", "A lambda", 0),
        ("a[0]", "Indexing or slicing", 0),
        ('"甲乙" == a[0]', "Indexing or slicing", 8),  # positions count characters, not UTF-8 bytes
        ("a if b else c", "A conditional expression", 0),
        ("(a := 1)", r"An assignment expression \(:=\)", 1),
        ('f"{a}"', "An f-string", 0),
        ("a.__dict__", "'__dict__' starts with '_'", 2),
        ("_secret == 1", "'_secret' starts with '_'", 0),
        ("amount > 1 and customer._grade", "'_grade' starts with '_'", 24),
        ("[*a]", "A starred expression", 1),
        ('{"a": 1}', "A dictionary literal", 0),
        ("{1, 2}", "A set literal", 0),
        ("a ** 2", "The operator '\\*\\*'", 0),
        ("a % 2", "The operator '%'", 0),
        ("a // 2", "The operator '//'", 0),
        ("a | b", "The operator '|'", 0),
        ("~a", "The operator '~'", 0),
        ("a is None", "The comparison 'is'", 5),
        ("a is not None", "The comparison 'is not'", 9),
        ("a == 1e6", "The number '1e6'", 5),
        ("a == 0x1F", "The number '0x1F'", 5),
        ("a == 1j", "A complex number", 5),
        ("a == b'x'", "A bytes literal", 5),
        ("a in [b, 1]", "A list may only hold constants", 6),
        ("a in [1 + 1]", "A list may only hold constants", 6),
        ("a.b().c", "A function call", 0),
        ('"x".upper', "Attribute access is only allowed on field names", 0),
        ("a == ...", "This constant", 5),
    ],
)
def test_hostile_or_unsupported_input_is_refused(source, message, position):
    with pytest.raises(ExpressionError, match=message) as info:
        compile_expression(source)
    assert info.value.position == position
    assert f"(at column {position})" in info.value.message


def test_too_long():
    source = " or ".join(f"amount > {i}" for i in range(600))
    assert len(source) > 5000 - 1000
    source = source[:5000]
    with pytest.raises(ExpressionError, match=f"longer than {MAX_LENGTH} characters"):
        compile_expression(source)
    assert len("a" * MAX_LENGTH) == MAX_LENGTH
    compile_expression("a" * MAX_LENGTH)  # exactly at the limit is fine


def test_too_many_nodes():
    source = " or ".join(f"a == {i}" for i in range(80))  # 80 comparisons of 2 nodes, + 1: over 200
    assert len(source) <= MAX_LENGTH
    with pytest.raises(ExpressionError, match="more than 200 parts"):
        compile_expression(source)


@pytest.mark.parametrize(
    "source",
    [
        "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1),
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        "(" * 300 + "a" + ")" * 300,  # beyond the parser's own limit too
    ],
)
def test_deep_brackets_refused(source):
    with pytest.raises(ExpressionError, match="nested more than 30 levels") as info:
        compile_expression(source)
    assert info.value.position == MAX_DEPTH


@pytest.mark.parametrize(
    "source",
    ["+".join(["a"] * (MAX_DEPTH + 2)), "not " * (MAX_DEPTH + 1) + "a", "-" * (MAX_DEPTH + 1) + "a"],
)
def test_deep_trees_refused(source):
    with pytest.raises(ExpressionError, match="nested more than 30 levels"):
        compile_expression(source)


def test_nesting_within_limits_is_fine():
    assert compile_expression("(" * 20 + "a" + ")" * 20).evaluate({"a": 1}) == 1
    assert compile_expression("+".join(["a"] * 20)).evaluate({"a": 1}) == 20


@pytest.mark.parametrize(
    ("source", "position"),
    [("a +", 3), ("a ==", 4), ("a == = 1", 5), ("a b", 2), ("(a == 1", 0), ('"x', 0), ("a.1", 1),
     ("", 0), ("   ", 0)],
)
def test_syntax_errors_carry_a_position(source, position):
    with pytest.raises(ExpressionError) as info:
        compile_expression(source)
    assert info.value.position == position


def test_not_text():
    with pytest.raises(ExpressionError, match="must be text"):
        compile_expression(123)  # type: ignore[arg-type]


def test_evaluate_needs_a_mapping():
    with pytest.raises(ExpressionError, match="mapping"):
        compile_expression("a").evaluate(["a"])  # type: ignore[arg-type]
