"""The load test's arithmetic and bookkeeping (tests/load/stats.py, workload.py): percentiles, the knee, error
classification, and that no draft or task is handed out twice. The load run itself is ``make load``, not a test."""

from __future__ import annotations

import importlib.util
import math
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest

import surety.plugins.guarantee.demo  # noqa: F401 - the modules the demo runs
import surety.tenants.demo

HERE = Path(__file__).resolve().parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"surety_load_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


stats = _load("stats")
wl = _load("workload")


def test_percentile_nearest_rank():
    samples = [float(n) for n in range(100, 0, -1)]  # 1..100, unsorted
    assert stats.percentile(samples, 50) == 50
    assert stats.percentile(samples, 95) == 95
    assert stats.percentile(samples, 99) == 99
    assert stats.percentile(samples, 100) == 100
    assert stats.percentile(samples, 0) == 1
    assert stats.percentile([7.0], 99) == 7.0
    assert stats.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert stats.percentile([1.0, 2.0, 3.0, 4.0], 99) == 4.0  # a single slow request shows at p99 of few
    assert math.isnan(stats.percentile([], 50))


def _step(rate: float, p99: float, errors: int = 0, sent: int = 100) -> stats.Step:
    s = stats.Step(side="graphql", rate=rate, seconds=1.0, sent=sent, wall=1.0)
    s.latencies_ms = [1.0] * 98 + [p99, p99]
    s.errors = Counter({"timeout": errors}) if errors else Counter()
    return s


def test_knee_is_the_highest_passing_rate_with_every_lower_rate_passing():
    steps = [_step(25, 40), _step(50, 90), _step(75, 149.9), _step(100, 150.0), _step(150, 60)]
    assert stats.knee(steps) == 75  # 100 fails at p99 == 150 (strictly under is required); 150 does not count
    assert stats.knee(list(reversed(steps))) == 75  # order of the steps does not matter


def test_knee_needs_no_errors_and_some_requests():
    assert stats.knee([_step(25, 10), _step(50, 10, errors=1)]) == 25
    assert stats.knee([_step(25, 10, errors=1), _step(50, 10)]) is None
    assert stats.knee([_step(25, 10, sent=0)]) is None
    assert stats.knee([]) is None


def test_step_throughput_counts_good_answers_over_wall_time():
    s = _step(100, 10, errors=20)
    s.wall = 2.0
    assert s.ok == 80 and s.error_count == 20
    assert s.throughput == 40.0


def _tenant(drafts=0, tasks=0, baseline_tasks=0) -> wl.Tenant:
    t = wl.Tenant(slug="t", tenant_id=uuid.uuid4(), tokens={"manager": "m", "approver": "a", "executive": "e"})
    t.drafts.extend(uuid.uuid4() for _ in range(drafts))
    t.tasks.extend(uuid.uuid4() for _ in range(tasks))
    t.baseline_tasks.extend(uuid.uuid4() for _ in range(baseline_tasks))
    return t


def test_workload_mix_and_tokens():
    w = wl.Workload([_tenant(drafts=10_000, tasks=10_000)], seed=1)
    kinds = Counter(w.next("graphql", i).kind for i in range(10_000))
    for kind, (weight, _user) in wl.MIX.items():
        assert abs(kinds[kind] / 10_000 - weight / 100) < 0.02, (kind, kinds)
    assert sum(kinds[k] for k in wl.READS) / 10_000 == pytest.approx(0.7, abs=0.02)
    r = next(r for r in (w.next("graphql", i) for i in range(100)) if r.kind == "task_approve")
    assert r.token == "a" and r.payload == "workflowTaskApprove"


def test_drafts_and_tasks_are_never_handed_out_twice():
    t = _tenant(drafts=30, tasks=30, baseline_tasks=30)
    w = wl.Workload([t], seed=3)
    taken = []
    for i in range(3000):
        r = w.next("graphql" if i % 2 else "baseline", i)
        if r.kind == "application_submit":
            taken.append(r.body["id"])
        elif r.kind == "task_approve":
            taken.append(r.body["id"])
    assert len(taken) == len(set(taken)) == 90  # every draft and task once, then the pools were dry
    assert w.short["application_submit"] > 0 and w.short["task_approve"] > 0
    # A refill from the database does not bring back what was taken.
    w.refill({t.tenant_id: [uuid.UUID(x) for x in taken]}, {}, {})
    assert not t.drafts


def test_surety_side_approves_only_tasks_of_the_real_approval():
    t = _tenant(tasks=0, baseline_tasks=50)
    w = wl.Workload([t], seed=5)
    kinds = Counter(w.next("graphql", i).kind for i in range(300))
    assert kinds["task_approve"] == 0 and len(t.baseline_tasks) == 50


def test_classify():
    req = wl.Request("customer_create", "tok", wl.CUSTOMER_CREATE, {}, "/customers/create", {},
                     payload="customerCreate")
    assert wl.classify("graphql", req, 200, {"data": {"customerCreate": {"errors": []}}}) is None
    assert wl.classify("graphql", req, 200, {"data": {"customerCreate": {"errors": [{"code": "X"}]}}}) == "payload"
    assert wl.classify("graphql", req, 200, {"errors": [{"message": "boom"}], "data": None}) == "graphql"
    assert wl.classify("graphql", req, 503, None) == "http 503"
    assert wl.classify("baseline", req, 200, {"error": "no open task"}) == "baseline"
    assert wl.classify("baseline", req, 200, {"id": "x"}) is None
    assert wl.classify("baseline", req, 200, None) == "not json"


def test_the_seed_gives_the_demo_staff_the_known_password_wherever_the_demo_reads_it():
    """Every demo draws the staff password through ``tenants.demo.password()`` (the module, not a name bound at
    import), so the seed's one patch reaches them all, or no load client could log in (a hoisted import once broke
    the patch)."""
    seed = _load("seed")
    readers = [m for name, m in list(sys.modules.items())
               if name.startswith("surety.") and vars(m).get("password") is surety.tenants.demo.password]
    assert readers == [surety.tenants.demo]
    with seed._quiet_demo("known-Password-1"):
        assert surety.tenants.demo.password() == "known-Password-1"


def test_kind_medians_compare_each_kind_on_both_sides():
    g, b = stats.Step(side="graphql", rate=25, seconds=1), stats.Step(side="baseline", rate=25, seconds=1)
    g.kind_ms = {"project_page": [10, 20, 30, 40, 50, 60], "inbox": [5.0] * 5, "dashboard": [9.0] * 4}
    b.kind_ms = {"project_page": [5, 5, 10, 10, 10], "inbox": [2.5] * 5, "dashboard": [3.0] * 9}
    line = stats.kind_medians(g, b)
    assert line == "project_page 30.0 / 10.0 ms (3.0x), inbox 5.0 / 2.5 ms (2.0x)"  # dashboard: too few answers
    assert stats.kind_medians(g, None) == ""


def test_cpu_used_counts_each_process_growth_and_never_goes_negative():
    before = {1: 10.0, 2: 5.0, 3: 7.0}
    # 1 grew by 2 s, 2 exited (its seconds unknown), 4 is new (all its 1.5 s in the step)
    assert stats.cpu_used(before, {1: 12.0, 4: 1.5}) == pytest.approx(3.5)
    assert stats.cpu_used(before, {}) == 0.0
    assert stats.cpu_used(before, {1: 10.0, 3: 7.0}) == 0.0
