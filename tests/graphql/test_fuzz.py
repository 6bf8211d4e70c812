"""Schemathesis fuzzes the whole GraphQL schema in-process (the suite's ASGI app), as the admin of a tenant with the
customers and guarantee modules, with real ids seeded (customers, a product, a bank, a draft application, a user,
another tenant's customer and project, ids of nothing) so that mutations get past "not found". It generates valid
operations with odd values (NUL bytes, huge and malformed numbers, impossible dates, long strings) and, one case in
four, operations that break the schema's types. No answer may be a 5xx or carry the masked "Unexpected error."
(an exception nobody expected).

``SURETY_FUZZ_CASES`` sets how many cases run (default 1,000: about half a minute on SQLite and on
PostgreSQL); ``SURETY_FUZZ_SEED`` fixes Hypothesis' seed to replay a run. Half the cases send the root field's
arguments as variables (schemathesis writes them into the query text), so both ways in are fuzzed. The figures are
printed (``-s`` shows them)."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from graphql import parse, parse_type, print_ast
from graphql.language import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    NameNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
)
from graphql.utilities import value_from_ast_untyped
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode
from schemathesis.graphql import nodes
from starlette.testclient import TestClient
from strawberry import relay

from surety.graphql.errors import REQUEST_ERROR_CODE

CASES = int(os.environ.get("SURETY_FUZZ_CASES", "1000"))
SEED = os.environ.get("SURETY_FUZZ_SEED")
MASKED = "Unexpected error."
#: Every this many cases the admin's token is tried; when the fuzz has locked the admin out (disabled, stripped of
#: roles...), a freshly seeded tenant takes over.
HEALTH_EVERY = 100


@dataclass
class Tally:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    operations: Counter = field(default_factory=Counter)
    codes: Counter = field(default_factory=Counter)
    refusals: Counter = field(default_factory=Counter)
    accepted: int = 0
    masked: list[tuple[str, str]] = field(default_factory=list)
    server_errors: list[tuple[int, str]] = field(default_factory=list)
    reseeded: int = 0

    def summary(self, seconds: float) -> str:
        return (f"fuzz: {self.cases} cases, {len(self.operations)} operations, {seconds:.0f} s; statuses "
                f"{dict(sorted(self.statuses.items()))}; masked errors {len(self.masked)}; 5xx "
                f"{len(self.server_errors)}; answered without error {self.accepted}; error codes "
                f"{dict(self.codes.most_common())}; tenants re-seeded {self.reseeded}; most common request errors "
                f"{self.refusals.most_common(8)}")


class Target:
    """The seeded tenant the cases run against and the pool of ids the ID scalar draws from."""

    def __init__(self, seed):
        self.seed = seed
        self.foreign = seed()
        self.pool: list[str] = []
        self.reset()

    def reset(self) -> None:
        self.tenant = self.seed()
        unknown = [relay.to_base64(kind, str(uuid.uuid4()))
                   for kind in ("Customer", "GuaranteeProject", "GuaranteeProduct", "GuaranteeBank", "User")]
        self.pool[:] = [v for k, v in self.tenant.ids.items() if k != "admin"] + \
            [self.foreign.ids["customer"], self.foreign.ids["project"]] + unknown

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tenant.token}"}


def _register_scalars(pool: list[str]) -> None:
    """Strategies for the schema's scalars, mostly valid values and now and then odd ones: Decimal as text or a
    number (plain, huge, malformed), Date (impossible days, years 1 to 9999), JSON as small objects, ID mostly one of
    the pool's global ids."""
    plain = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9).map(str)
    odd = st.sampled_from(["1e28", "-1e30", "NaN", "Infinity", "1e-40", "12,5", "", "abc", "99999999999999.99",
                           "0", "-0.01", "1E+2", "0.123456789012345"])
    schemathesis.graphql.scalar("Decimal", st.one_of(
        plain.map(nodes.String), plain.map(nodes.String), plain.map(nodes.String), odd.map(nodes.String),
        st.integers(-2**31, 2**31 - 1).map(nodes.Int)))
    dates = st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31))
    odd_dates = st.one_of(st.dates(), st.sampled_from(["2025-02-30", "2025-13-01", "", "today"]).map(str))
    schemathesis.graphql.scalar("Date", st.one_of(dates, dates, dates, odd_dates).map(str).map(nodes.String))
    leaf = st.one_of(st.none().map(lambda _: nodes.Null), st.booleans().map(nodes.Boolean),
                     st.integers(-10**6, 10**6).map(nodes.Int), st.text(max_size=20).map(nodes.String))
    schemathesis.graphql.scalar("JSON", st.dictionaries(st.from_regex(r"\A[a-z_]{1,10}\Z"), leaf, max_size=4).map(
        lambda d: nodes.Object([ObjectFieldNode(name=NameNode(value=k), value=v) for k, v in d.items()])))
    schemathesis.graphql.scalar("ID", st.one_of(
        st.integers(0, 10**6).map(lambda i: pool[i % len(pool)]), st.text(max_size=40)).map(nodes.String))


def as_variables(query: str, schema) -> tuple[str, dict]:
    """``query`` with the root field's argument values moved into variables of the argument's type."""
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    root = schema.get_root_type(operation.operation)
    node = operation.selection_set.selections[0]
    arguments = root.fields[node.name.value].args
    variables, definitions, new_arguments = {}, [], []
    for argument in node.arguments or ():
        name = argument.name.value
        if name not in arguments:
            new_arguments.append(argument)
            continue
        variables[name] = value_from_ast_untyped(argument.value)
        definitions.append(VariableDefinitionNode(variable=VariableNode(name=NameNode(value=name)),
                                                  type=parse_type(str(arguments[name].type)), directives=()))
        new_arguments.append(ArgumentNode(name=argument.name, value=VariableNode(name=NameNode(value=name))))
    node = FieldNode(alias=node.alias, name=node.name, arguments=tuple(new_arguments), directives=node.directives,
                     selection_set=node.selection_set)
    operation = OperationDefinitionNode(operation=operation.operation, name=operation.name,
                                        variable_definitions=tuple(definitions), directives=operation.directives,
                                        selection_set=SelectionSetNode(selections=(node,)))
    return print_ast(DocumentNode(definitions=(operation,))), variables


@pytest.mark.slow
def test_fuzzing_the_schema_gives_no_masked_error_and_no_5xx(app, seed):
    target = Target(seed)
    _register_scalars(target.pool)
    schema = schemathesis.graphql.from_asgi("/graphql", app, headers=target.headers())
    operations = [result.ok() for result in schema.get_all_operations()]
    per_operation = max(1, round(CASES / len(operations)))
    tally = Tally()

    with TestClient(app, raise_server_exceptions=False) as client:
        def admin_ok() -> bool:
            r = client.post("/graphql", json={"query": "{ me { roles } }"}, headers=target.headers())
            return r.status_code == 200 and "admin" in ((r.json().get("data") or {}).get("me") or {}).get("roles", [])

        def send(case, with_variables: bool) -> None:
            if tally.cases and tally.cases % HEALTH_EVERY == 0 and not admin_ok():
                target.reset()
                tally.reseeded += 1
            tally.cases += 1
            tally.operations[case.operation.label] += 1
            request = {"query": case.body}
            if with_variables:
                try:
                    request["query"], request["variables"] = as_variables(case.body, schema.client_schema)
                except Exception:  # noqa: BLE001 - a document the conversion cannot handle goes as it is
                    pass
            r = client.post("/graphql", json=request, headers=target.headers())
            tally.statuses[r.status_code] += 1
            if r.status_code >= 500:
                tally.server_errors.append((r.status_code, str(request)))
                return
            try:
                errors = r.json().get("errors") or []
            except ValueError:
                errors = []
            tally.codes.update((e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict))
            tally.accepted += not errors
            tally.refusals.update(re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", e.get("message", ""))[:70] for e in errors
                                  if (e.get("extensions") or {}).get("code") == REQUEST_ERROR_CODE)
            if any(isinstance(e, dict) and e.get("message") == MASKED for e in errors):
                tally.masked.append((case.operation.label, str(request)))

        started = time.perf_counter()
        for operation in operations:  # each operation gets its share of the cases
            positive = operation.as_strategy(GenerationMode.POSITIVE)
            cases = st.one_of(positive, positive, positive, operation.as_strategy(GenerationMode.NEGATIVE))
            run = given(case=cases, with_variables=st.booleans())(send)
            run = settings(max_examples=per_operation, deadline=None, database=None, phases=[Phase.generate],
                           suppress_health_check=list(HealthCheck))(run)
            if SEED:
                run = hypothesis_seed(int(SEED))(run)
            run()
        print("\n" + tally.summary(time.perf_counter() - started))

    by_operation = Counter(label for label, _ in tally.masked)
    shown = "\n\n".join(f"{label}:\n{body}" for label, body in tally.masked[:10])
    assert not tally.masked, f"{len(tally.masked)} masked errors {dict(by_operation)}, e.g.:\n{shown}"
    assert not tally.server_errors, tally.server_errors[:5]
    assert len(tally.operations) == len(operations) and tally.cases >= len(operations) * per_operation * 0.9
