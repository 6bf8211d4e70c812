"""Schemathesis fuzzes the whole GraphQL schema in-process (the suite's ASGI app), as the admin of a tenant with the
customers and guarantee modules, with real ids seeded (customers, a product, a bank, a draft application, a user,
another tenant's customer and project, ids of nothing) so that mutations get past "not found". It generates valid
operations with odd values (NUL bytes, huge and malformed numbers, impossible dates, long strings) and, one case in
four, operations that break the schema's types. No answer may be a 5xx or carry the masked "Unexpected error."
(an exception nobody expected).

``SURETY_FUZZ_CASES`` sets how many cases run (default 300, about a minute on SQLite); ``SURETY_FUZZ_SEED`` fixes
Hypothesis' seed to replay a run. The figures are printed (``-s`` shows them)."""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from graphql.language import NameNode, ObjectFieldNode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode
from schemathesis.graphql import nodes
from strawberry import relay

CASES = int(os.environ.get("SURETY_FUZZ_CASES", "300"))
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
    accepted: int = 0
    masked: list[tuple[str, str]] = field(default_factory=list)
    server_errors: list[tuple[int, str]] = field(default_factory=list)
    reseeded: int = 0

    def summary(self, seconds: float) -> str:
        return (f"fuzz: {self.cases} cases, {len(self.operations)} operations, {seconds:.0f} s; statuses "
                f"{dict(sorted(self.statuses.items()))}; masked errors {len(self.masked)}; 5xx "
                f"{len(self.server_errors)}; answered without error {self.accepted}; error codes "
                f"{dict(self.codes.most_common())}; tenants re-seeded {self.reseeded}")


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
    """Strategies for the schema's own scalars (schemathesis knows Date and DateTime): Decimal as text or a number,
    plain, huge or malformed; JSON as small objects; ID mostly one of the pool's global ids."""
    plain = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9).map(str)
    odd = st.sampled_from(["1e28", "-1e30", "NaN", "Infinity", "1e-40", "12,5", "", "abc", "99999999999999.99",
                           "0", "-0.01", "1E+2", "0.123456789012345"])
    schemathesis.graphql.scalar("Decimal", st.one_of(
        plain.map(nodes.String), odd.map(nodes.String), st.integers(-2**31, 2**31 - 1).map(nodes.Int)))
    leaf = st.one_of(st.none().map(lambda _: nodes.Null), st.booleans().map(nodes.Boolean),
                     st.integers(-10**6, 10**6).map(nodes.Int), st.text(max_size=20).map(nodes.String))
    schemathesis.graphql.scalar("JSON", st.dictionaries(st.from_regex(r"\A[a-z_]{1,10}\Z"), leaf, max_size=4).map(
        lambda d: nodes.Object([ObjectFieldNode(name=NameNode(value=k), value=v) for k, v in d.items()])))
    schemathesis.graphql.scalar("ID", st.one_of(
        st.integers(0, 10**6).map(lambda i: pool[i % len(pool)]), st.text(max_size=40)).map(nodes.String))


@pytest.mark.slow
def test_fuzzing_the_schema_gives_no_masked_error_and_no_5xx(app, seed):
    from starlette.testclient import TestClient

    target = Target(seed)
    _register_scalars(target.pool)
    schema = schemathesis.graphql.from_asgi("/graphql", app, headers=target.headers())
    positive = schema.as_strategy(GenerationMode.POSITIVE)
    cases = st.one_of(positive, positive, positive, schema.as_strategy(GenerationMode.NEGATIVE))
    tally = Tally()

    with TestClient(app, raise_server_exceptions=False) as client:
        def admin_ok() -> bool:
            r = client.post("/graphql", json={"query": "{ me { roles } }"}, headers=target.headers())
            return r.status_code == 200 and "admin" in ((r.json().get("data") or {}).get("me") or {}).get("roles", [])

        @settings(max_examples=CASES, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=cases)
        def run(case) -> None:
            if tally.cases and tally.cases % HEALTH_EVERY == 0 and not admin_ok():
                target.reset()
                tally.reseeded += 1
            tally.cases += 1
            tally.operations[case.operation.label] += 1
            r = client.post("/graphql", json={"query": case.body}, headers=target.headers())
            tally.statuses[r.status_code] += 1
            if r.status_code >= 500:
                tally.server_errors.append((r.status_code, case.body))
                return
            try:
                errors = r.json().get("errors") or []
            except ValueError:
                errors = []
            tally.codes.update((e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict))
            tally.accepted += not errors
            if any(isinstance(e, dict) and e.get("message") == MASKED for e in errors):
                tally.masked.append((case.operation.label, case.body))

        if SEED:
            run = hypothesis_seed(int(SEED))(run)
        started = time.perf_counter()
        run()
        print("\n" + tally.summary(time.perf_counter() - started))

    by_operation = Counter(label for label, _ in tally.masked)
    shown = "\n\n".join(f"{label}:\n{body}" for label, body in tally.masked[:10])
    assert not tally.masked, f"{len(tally.masked)} masked errors {dict(by_operation)}, e.g.:\n{shown}"
    assert not tally.server_errors, tally.server_errors[:5]
    assert tally.cases >= CASES * 0.9
