"""The limit check's cost in an approval (docs/regulatory/limits.md, "Cost"): the same approval action (a risk
officer approves the first step of a process about a ``guarantee:project``) routed by a condition that does not
name the regulatory fields (``amount > 100000000``), and by one that does (``regulatory.breach and ...``, false
like the other so both take the same route): the engine then asks the regulatory plugin, which runs the limit check
(the whole book from the process cache after one version read, the finance stocks, the project's proposed exposure,
its customer's related parties and those customers' exposures, the rules on those customers). Target: <= 20 ms
added. The warm-up runs load the cache (nothing is written to the ledger while timing); the cold load is timed
apart (``limits.book.book_of`` after the cache is cleared) and reported as a note.

The book: ``bench_regulatory.seed`` (``guarantees`` effective projects with their ledger entries, one customer per
five), finance enabled; the subject: a draft project of 3,000,000 for a customer of its own. Each run starts a
fresh instance of each process (not timed) and times ``actions.act`` (approve) in its own session, committed,
alternating the two sides; medians.

Call (tests/bench/run.py, group "reports"): ``bench_regulatory_limits.run_limit_check(db, guarantees=10_000)``
(quick: 2,000); measured also at 100,000 (docs/regulatory/limits.md, "Cost").

Run alone: ``SURETY_BENCH_DATABASE_URL=postgresql+psycopg://... python tests/bench/bench_regulatory_limits.py [n]``.
"""

from __future__ import annotations

import gc
import time

import bench_regulatory
from bench_stats import Figure, median
from sqlalchemy import select

from surety.core.context import acting
from surety.core.db.session import Database
from surety.core.identity.auth import user_actor
from surety.core.identity.models import OrgUnit, User
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow import actions, definitions, engine
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowTask
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.guarantee.testing import make_project
from surety.plugins.regulatory.indicators.services import params_of
from surety.plugins.regulatory.limits import book, check
from surety.plugins.regulatory.settings import get_settings
from surety.tenants.service import enable_plugin

TARGET_MS = 20.0
SUBJECT = "guarantee:project"


def _process(key: str, when: str) -> dict:
    return {"key": key, "name": key, "subject_type": SUBJECT, "start": "review", "steps": [
        {"key": "review", "name": "审查", "kind": "task", "assignee": {"role": "risk_officer"},
         "transitions": [{"to": "committee", "when": when}, {"to": "approved"}]},
        {"key": "committee", "name": "评审会", "kind": "task", "assignee": {"role": "executive"},
         "transitions": [{"to": "approved"}]},
        {"key": "approved", "kind": "end", "result": "approved"}]}


#: Both conditions are false here (no project is over 1亿; ``known`` is a boolean), so both sides take the same route
#: and do the same work but for the check: the checked side asks the regulatory plugin, the plain one does not.
PLAIN = _process("bench.plain", "amount > 100000000")
CHECKED = _process("bench.checked", "regulatory.breach and regulatory.known == 'never'")


def _setup(db: Database, guarantees: int):
    tenant, counted, _written = bench_regulatory.seed(db, db.owner_url, guarantees=guarantees,
                                            customers=max(1, guarantees // 5))
    enable_plugin(db, tenant.slug, "finance")
    with db.tenant_session(tenant.id) as s:
        hq = s.scalar(select(OrgUnit).where(OrgUnit.code == "HQ"))
        risk = user_actor(create_user(s, username="risk", password=TEST_PASSWORD, display_name="Risk",
                                      org_unit_id=hq.id, roles=["risk_officer"]))
        admin = user_actor(s.scalar(select(User).where(User.username == "admin")))
    with acting(admin), db.tenant_session(tenant.id) as s:
        # the subject: a draft project of a customer of its own (the seeded customers are copies of one, sharing
        # every key value, so each is "related" to all others: not the approval a limit check usually sees)
        customer = create_customer(s, admin, "corporate", corporate(990_001)).id
        project = make_project(s, admin, customer, amount="3000000.00").id
        for doc in (PLAIN, CHECKED):
            draft = definitions.save_draft(s, admin, doc)
            definitions.publish(s, admin, draft.key, draft.version)
    return tenant, counted, admin, risk, str(project)


def _approve(db: Database, tenant_id, admin, risk, key: str, project: str) -> tuple[float, str]:
    """Start an instance of ``key`` (untimed), then time the risk officer's approval in its own session."""
    with acting(admin), db.tenant_session(tenant_id) as s:
        iid = engine.start(s, admin, definition_key=key, subject_type=SUBJECT, subject_id=project, title=key).id
    with db.tenant_session(tenant_id) as s:
        task = s.scalar(select(WorkflowTask.id).where(WorkflowTask.instance_id == iid, WorkflowTask.status == "open"))
    gc.collect()
    began = time.perf_counter()
    with acting(risk), db.tenant_session(tenant_id) as s:
        step = actions.act(s, risk, task, "approve").current_step
    return time.perf_counter() - began, step


def _cold_book(db: Database, tenant_id) -> float:
    """The whole book loaded with the cache empty (what the first check after a ledger entry pays), in ms."""
    book.get_cache().clear()
    with db.tenant_session(tenant_id) as s:
        params = params_of(get_settings(s))
        began = time.perf_counter()
        book.book_of(s, business_today(), params)
        return (time.perf_counter() - began) * 1000


def _check_alone(db: Database, tenant_id, project: str, runs: int = 15) -> float:
    """``check.limit_check`` alone in a session of its own, warm (the cache loaded): median ms."""
    took = []
    for _ in range(runs):
        with db.tenant_session(tenant_id) as s:
            s.connection()
            began = time.perf_counter()
            check.limit_check(s, SUBJECT, project)
            took.append(time.perf_counter() - began)
    return median(took) * 1000


def run_limit_check(db: Database, guarantees: int = 10_000, *, runs: int = 15, warmup: int = 3) -> list[Figure]:
    tenant, counted, admin, risk, project = _setup(db, guarantees)
    plain, checked, steps = [], [], set()
    for i in range(warmup + runs):
        for key in ((PLAIN, CHECKED) if i % 2 == 0 else (CHECKED, PLAIN)):
            seconds, step = _approve(db, tenant.id, admin, risk, key["key"], project)
            if i >= warmup:
                (plain if key is PLAIN else checked).append(seconds)
                steps.add((key["key"], step))
    p_ms, c_ms = median(plain) * 1000, median(checked) * 1000
    added = c_ms - p_ms
    loads = book.get_cache().loads  # the book loads of the warm-up and timed runs (1 book + 1 plugin part: warm)
    alone_ms = _check_alone(db, tenant.id, project)
    cold_ms = _cold_book(db, tenant.id)
    return [Figure(
        what=f"Limit check added to an approval over {guarantees:,} in-force guarantees (condition "
             f"regulatory.breach vs a plain one)",
        surety=c_ms, baseline=p_ms, unit="ms", target=f"<= {TARGET_MS:.0f} ms added", passed=added <= TARGET_MS,
        difference=added,
        notes=(
            ("surety: actions.act(approve) routed by a condition naming regulatory.breach (engine.extra_fields -> "
             "the regulatory plugin's limit_check: the cached book after its version read, finance stocks, the "
             "project's proposed exposure, related parties, those customers' exposures); baseline: the same "
             "action routed by 'amount > 100000000' (no check)"),
            f"the check alone, warm (limit_check in its own session, median of 15): {alone_ms:.1f} ms; the book "
            f"loaded cold (after a new ledger entry, once per version): {cold_ms:.0f} ms; cache loads during the "
            f"approvals: {loads}",
            (f"routes taken: {sorted(steps)}; {runs} runs each after {warmup} warm-up, alternating, medians; "
             f"{counted[0]:,} projects, {counted[1]:,} ledger entries"),
        ),
    )]


if __name__ == "__main__":  # python tests/bench/bench_regulatory_limits.py [guarantees]: this benchmark alone
    import os
    import sys

    from surety.core.db.session import set_database
    from surety.core.testing import fresh_database

    with fresh_database(os.environ["SURETY_BENCH_DATABASE_URL"]) as tdb:
        database = Database(tdb.app_url, owner_url=tdb.owner_url)
        set_database(database)
        try:
            for figure in run_limit_check(database, guarantees=int(sys.argv[1]) if len(sys.argv) > 1 else 10_000):
                print(f"{figure.what}: {figure.surety:.1f} {figure.unit} vs {figure.baseline:.1f} {figure.unit} "
                      f"(+{figure.difference:.1f} ms) target {figure.target}: {'met' if figure.passed else 'MISSED'}")
                for note in figure.notes:
                    print("   ", note)
        finally:
            set_database(None)
            database.dispose()
