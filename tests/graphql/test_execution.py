"""The schema's execution context (graphql/execution.py): plain leaf fields take a short path, with the same answer,
the same errors and the same null propagation as Strawberry's own executor."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from surety.graphql import execution
from surety.graphql.execution import SuretyExecutionContext, leaf_plan
from surety.graphql.scalars import SCALAR_OVERRIDES
from surety.graphql.schema import build_schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Broken:
    def __get__(self, obj, owner):
        if obj is None:
            return self
        raise RuntimeError("unreadable")


@strawberry.type
class Row:
    name: str
    count: int
    amount: Decimal
    day: dt.date
    colour: Colour
    note: str | None
    required: str  # set to None on some rows: a null on a non-null field
    wrong: int  # set to a string on some rows: a value the scalar refuses
    flag: bool = False

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


@strawberry.type
class Holder:
    label: str


@strawberry.type
class Query:
    @strawberry.field
    def rows(self, bad: bool = False) -> list[Row]:
        good = [Row(name=f"r{i}", count=i, amount=Decimal("1.50") * i, day=dt.date(2026, 1, 1 + i),
                    colour=Colour.RED if i % 2 else Colour.BLUE, note=None if i % 2 else "n", required="x",
                    wrong=i, flag=bool(i % 2)) for i in range(3)]
        if bad:
            good[1].required = None
            good[2].wrong = "not a number"
        return good

    @strawberry.field
    def holder(self) -> Holder | None:
        holder = Holder(label="x")
        holder.__dict__["label"] = None  # a null on a non-null field inside a nullable object
        return holder


def _schemas():
    fast = strawberry.Schema(query=Query, scalar_overrides=SCALAR_OVERRIDES,
                             execution_context_class=SuretyExecutionContext)
    stock = strawberry.Schema(query=Query, scalar_overrides=SCALAR_OVERRIDES,
                              execution_context_class=StrawberryGraphQLCoreExecutionContext)
    return fast, stock


QUERIES = [
    "{ rows { name count amount day colour note required wrong flag shout } }",
    "{ rows { n: name name count c2: count shout(times: 2) note } }",
    "{ rows(bad: true) { name required } }",
    "{ rows(bad: true) { name wrong } }",
    "{ rows { name ... on Row { count } } }",
    "query($skip: Boolean!) { rows { name @skip(if: $skip) count @include(if: $skip) } }",
    "{ holder { label } }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_answer_and_errors_equal_strawberry_s_own_executor(query):
    fast, stock = _schemas()
    variables = {"skip": True}
    mine, theirs = fast.execute_sync(query, variable_values=variables), stock.execute_sync(query,
                                                                                         variable_values=variables)
    assert mine.data == theirs.data
    assert [(e.message, e.path) for e in mine.errors or []] == [(e.message, e.path) for e in theirs.errors or []]


def test_errors_keep_their_path_and_null_propagation():
    fast, _ = _schemas()
    result = fast.execute_sync("{ rows(bad: true) { name required } }")
    assert result.data is None  # a null in a non-null field of a non-null list item nulls the whole list
    assert result.errors[0].path == ["rows", 1, "required"]
    result = fast.execute_sync("{ holder { label } }")
    assert result.data == {"holder": None}
    assert result.errors[0].path == ["holder", "label"]


def test_plain_leaf_fields_skip_the_full_path(monkeypatch):
    fast, _ = _schemas()
    normal: list[str] = []
    full = StrawberryGraphQLCoreExecutionContext.execute_field

    def counted(self, parent_type, source, field_details_list, path, position_context):
        normal.append(field_details_list[0].node.name.value)
        return full(self, parent_type, source, field_details_list, path, position_context)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counted)
    result = fast.execute_sync("{ rows { name count amount day colour note flag shout } }")
    assert not result.errors
    assert result.data["rows"][1] == {"name": "r1", "count": 1, "amount": "1.50", "day": "2026-01-02",
                                      "colour": "RED", "note": None, "flag": True, "shout": "R1"}
    assert sorted(set(normal)) == ["rows", "shout"]  # the root field and the resolver field only


def test_which_fields_have_a_plan():
    fast, _ = _schemas()
    row = fast._schema.type_map["Row"].fields
    assert leaf_plan(row["name"]).name == "name"
    assert leaf_plan(row["note"]).nullable and not leaf_plan(row["count"]).nullable
    assert leaf_plan(row["shout"]) is None  # a resolver with arguments
    assert leaf_plan(fast._schema.type_map["Query"].fields["rows"]) is None
    assert getattr(row["name"], execution._PLAN_ATTR).name == "name"  # kept on the field, with its schema


def test_the_surety_schema_executes_with_it():
    assert build_schema().execution_context_class is SuretyExecutionContext
