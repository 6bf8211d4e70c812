"""Every connection of the schema costs the same number of SQL statements per request whatever its page size.

The queries are generated from the live strawberry schema: each field of ``Query`` returning a Connection type is
asked for a small and a big page, once for the nodes' own (leaf) fields and once for each object field of the node
(its leaves, its object fields' leaves: two levels deep, lists included). A connection or a nested field added later
is covered without touching this file; an argument the walk cannot fill must get an entry in ``ARGUMENTS`` (the test
fails naming it, it never skips it).

Statements are counted on the engine (``before_cursor_execute``) over a whole HTTP request, authentication included.
The seeded tenant is the demo company (``surety demo``: staff, products, banks with lines, a project at every stage,
meetings, fees, ledger entries, tasks) plus more customers (list entries, relations), projects (banks, lines,
counter-guarantees, running approvals) and workflow tasks of the admin, so every page has rows to differ by.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pytest
from graphql import (
    GraphQLField,
    GraphQLNonNull,
    Undefined,
    get_named_type,
    is_leaf_type,
    is_object_type,
    is_union_type,
)
from graphql import build_schema as build_sdl
from sqlalchemy import event, select, update

from surety.core.authz import enforcer
from surety.core.context import acting
from surety.core.custom_fields import service as custom_fields
from surety.core.identity import principal_cache
from surety.core.identity.models import User
from surety.core.workflow import actions, definitions, engine
from surety.core.workflow.models import WorkflowTask
from surety.graphql.schema import build_schema
from surety.plugins.customers.models import Customer, CustomerListEntry
from surety.plugins.customers.testing import actor_for
from surety.plugins.guarantee.documents.models import GuaranteeMeeting, GuaranteeMeetingItem, GuaranteeMeetingMember
from surety.plugins.guarantee.monitoring.models import GuaranteeInspectionPlan
from surety.plugins.guarantee.origination.applications import submit_application
from surety.plugins.guarantee.project.models import GuaranteeBank, GuaranteeProduct, GuaranteeProject
from surety.plugins.guarantee.testing import make_project
from surety.tenants import registry as plugin_registry
from surety.tenants.demo import add_demo_data

SMALL, BIG = 2, 10
#: Object fields are followed this many levels below a connection's node (leaves are read at every level).
DEPTH = 2

#: Arguments the walk cannot invent: ``(type name, field name) -> {argument: GraphQL literal}``. A field with a
#: required argument missing here fails the test (add the entry: a value the seeded tenant has data for).
ARGUMENTS: dict[tuple[str, str], dict[str, str]] = {
    # Plans due within a year: the seed's inspection plans, not only this week's.
    ("Query", "guaranteeInspectionsDue"): {"withinDays": "366"},
}


# ---------------------------------------------------------------- the walk -----------------------------------------


@dataclass
class Probe:
    connection: str  # the Query field
    part: str  # "leaves" or the node's object field followed
    query: str


class MissingArgument(AssertionError):
    pass


def _is_connection(t) -> bool:
    return is_object_type(t) and {"edges", "pageInfo"} <= set(t.fields)


def _args(type_name: str, name: str, field: GraphQLField) -> str:
    """The literal arguments of a field: the required ones from ``ARGUMENTS``; optional ones keep their default."""
    given = ARGUMENTS.get((type_name, name), {})
    required = [a for a, arg in field.args.items()
                if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined and a not in given
                and not (_is_connection(get_named_type(field.type)) and a == "first")]
    if required:
        raise MissingArgument(f"{type_name}.{name} needs the argument(s) {', '.join(required)}: add "
                              f"ARGUMENTS[({type_name!r}, {name!r})] with values the seeded tenant has data for")
    return "(" + ", ".join(f"{k}: {v}" for k, v in given.items()) + ")" if given else ""


def _selection(t, depth: int) -> str:
    """Leaves of ``t`` and, while ``depth`` allows, its object fields (unions and interfaces by fragments)."""
    if is_union_type(t):
        return "__typename " + " ".join(f"... on {m.name} {{ {_selection(m, depth)} }}" for m in t.types)
    parts = ["__typename"]
    for name, field in t.fields.items():
        inner = get_named_type(field.type)
        if is_leaf_type(inner):
            parts.append(name + _args(t.name, name, field))
        elif depth > 0:
            parts.append(f"{name}{_nested_args(t.name, name, field)} {{ {_selection(inner, depth - 1)} }}")
    return " ".join(parts)


def _nested_args(type_name: str, name: str, field: GraphQLField) -> str:
    if _is_connection(get_named_type(field.type)) and (type_name, name) not in ARGUMENTS:
        # A connection below a node: a fixed page (the outer page size is what varies).
        ARGUMENTS[(type_name, name)] = {"first": str(SMALL)}
    return _args(type_name, name, field)


def probes(schema) -> list[Probe]:
    """One probe per connection of ``Query`` for its nodes' leaves and one per object field of its node."""
    query = schema.query_type
    out, missing = [], []
    for name, field in query.fields.items():
        conn = get_named_type(field.type)
        if not _is_connection(conn):
            continue
        node = get_named_type(get_named_type(conn.fields["edges"].type).fields["node"].type)
        try:
            args = _args("Query", name, field)
        except MissingArgument as exc:
            missing.append(str(exc))
            continue
        args = args[:-1] + ", first: $first)" if args else "(first: $first)"
        head = f"query($first: Int) {{ {name}{args} {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ " \
               f"cursor node {{ __typename "
        parts: list[tuple[str, str]] = []
        try:
            leaves = [n + _args(node.name, n, f) for n, f in node.fields.items()
                      if is_leaf_type(get_named_type(f.type))]
            parts.append(("leaves", " ".join(leaves)))
            for n, f in node.fields.items():
                inner = get_named_type(f.type)
                if not is_leaf_type(inner):
                    parts.append((n, f"{n}{_nested_args(node.name, n, f)} {{ {_selection(inner, DEPTH - 1)} }}"))
        except MissingArgument as exc:
            missing.append(str(exc))
            continue
        out += [Probe(name, part, head + sel + " } } } }") for part, sel in parts]
    if missing:
        raise MissingArgument("\n".join(missing))
    return out


def test_the_walk_covers_every_connection_and_fails_on_unknown_required_arguments():
    """The walk finds the connections of the schema and refuses a field whose required argument it cannot fill."""

    sdl = build_sdl("""
        type PageInfo { hasNextPage: Boolean! endCursor: String }
        type Thing { id: ID! name: String! child: Thing peers(kind: String!): [Thing!]! }
        type ThingEdge { cursor: String! node: Thing! }
        type ThingConnection { edges: [ThingEdge!]! pageInfo: PageInfo! totalCount: Int }
        type Query { things(first: Int, after: String): ThingConnection! one: Thing }""")
    with pytest.raises(MissingArgument, match=r"Thing\.peers needs the argument\(s\) kind"):
        probes(sdl)
    ARGUMENTS[("Thing", "peers")] = {"kind": '"a"'}
    try:
        found = probes(sdl)
    finally:
        del ARGUMENTS[("Thing", "peers")]
    assert [(p.connection, p.part) for p in found] == [("things", "leaves"), ("things", "child"),
                                                       ("things", "peers")]
    assert 'peers(kind: "a") { __typename id name }' in found[2].query


# ---------------------------------------------------------------- counting -----------------------------------------


def _counting(db):
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        # The permission cache re-reads the policy version at most once a second (time-based, not per row).
        if "authz_state" not in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", listener)


def _run(api, db, token, probe: Probe, first: int) -> tuple[list[str], int]:
    statements, stop = _counting(db)
    try:
        body = api(probe.query, {"first": first}, token=token)
    finally:
        stop()
    assert "errors" not in body, (probe.connection, probe.part, body["errors"])
    return list(statements), len(body["data"][probe.connection]["edges"])


def _shape(statement: str) -> str:
    return re.sub(r"\s+", " ", statement)[:160]


# ---------------------------------------------------------------- seed ---------------------------------------------


#: A process of two steps, both the admin's, so the admin has open, completed, overdue and org-unit tasks.
TWO_STEPS = {
    "key": "stmt.review", "name": "语句计数审批", "subject_type": "stmt:thing", "start": "first",
    "steps": [
        {"key": "first", "name": "初审", "kind": "task", "assignee": {"user": "admin"},
         "timeout": {"working_days": 2}, "transitions": [{"to": "second"}]},
        {"key": "second", "name": "复核", "kind": "task", "assignee": {"user": "admin"},
         "timeout": {"working_days": 2}, "transitions": [{"to": "done"}]},
        {"key": "done", "kind": "end", "result": "approved"},
    ],
}
ROWS = 12


def seed(db, make_tenant):
    """The demo company plus: ``ROWS`` instances of :data:`TWO_STEPS` (first step approved, second open and
    overdue), list entries on customers, the admin as manager B of every project (their ledger entries await the
    admin), and copies of the demo's meetings."""

    tenant = make_tenant(slug=f"stmt-{secrets.token_hex(3)}",
                         plugins=["customers", "guarantee", "microloan", "finance", "reguarantee", "regulatory"])
    with db.tenant_session(tenant.id) as s:
        add_demo_data(s, tenant)
    with db.tenant_session(tenant.id) as s:
        admin = actor_for(s.scalar(select(User).where(User.username == "admin")))
        with acting(admin):
            version = definitions.save_draft(s, admin, TWO_STEPS)
            definitions.publish(s, admin, version.key, version.version)
            for n in range(ROWS):
                instance = engine.start(s, admin, definition_key="stmt.review", subject_type="stmt:thing",
                                        subject_id=f"thing-{n}", title=f"事项 {n}")
                task = s.scalar(select(WorkflowTask).where(WorkflowTask.instance_id == instance.id))
                actions.act(s, admin, task.id, "approve", comment="同意")
            s.execute(update(WorkflowTask).where(WorkflowTask.status == "open")
                      .values(due_date=dt.date.today() - dt.timedelta(days=3)))
        for n, customer in enumerate(s.scalars(select(Customer).order_by(Customer.id))):
            for list_type in ("blacklist", "watchlist")[: n % 3]:
                s.add(CustomerListEntry(customer_id=customer.id, list_type=list_type, reason="测试", source="seed",
                                        status="active"))
        s.execute(update(GuaranteeProject).values(manager_b_id=admin.id_uuid))
        # Custom fields on projects and customers: the nodes' customFields have definitions to read.
        for entity_type in ("guarantee_project", "customer_corporate", "customer_individual"):
            custom_fields.define_field(s, admin, entity_type, {"key": "note", "label_zh": "备注", "type": "text"})
        # The copies alternate the demo's meetings day by day after the originals (a held one, one to convene), so
        # every page, small or big, holds both shapes whatever weekday the demo's dates fall on.
        originals = list(s.scalars(select(GuaranteeMeeting).order_by(GuaranteeMeeting.title)))
        first_day = max(m.meeting_date for m in originals) + dt.timedelta(days=1)
        for n in range(ROWS):
            for k, meeting in enumerate(originals):
                copy = GuaranteeMeeting(title=f"copy {n} {meeting.title}", meeting_date=first_day
                                        + dt.timedelta(days=n * len(originals) + k), place=meeting.place,
                                        chair_id=meeting.chair_id,
                                        quorum_note=meeting.quorum_note, status=meeting.status,
                                        opened_at=meeting.opened_at)
                s.add(copy)
                s.flush()
                members = select(GuaranteeMeetingMember).where(GuaranteeMeetingMember.meeting_id == meeting.id)
                for m in s.scalars(members):
                    s.add(GuaranteeMeetingMember(meeting_id=copy.id, user_id=m.user_id, position=m.position))
                for i in s.scalars(select(GuaranteeMeetingItem).where(GuaranteeMeetingItem.meeting_id == meeting.id)):
                    s.add(GuaranteeMeetingItem(meeting_id=copy.id, project_id=i.project_id, position=i.position,
                                               workflow_instance_id=i.workflow_instance_id,
                                               step_run_id=i.step_run_id, convened_at=i.convened_at))
        manager = actor_for(s.scalar(select(User).where(User.username == "zhangwei")))
        bid = s.scalar(select(GuaranteeProduct).where(GuaranteeProduct.code == "DEMO-BID"))
        bank = s.scalar(select(GuaranteeBank).order_by(GuaranteeBank.code))
        customer = s.scalar(select(Customer).where(Customer.name == "北京恒通物流有限公司"))
        for _ in range(ROWS // 2):
            make_project(s, manager, customer.id, product=bid, bank=bank, status="effective",
                         effective_date=dt.date.today(), in_force_balance=Decimal("500000.00"))
        plan_of = set(s.scalars(select(GuaranteeInspectionPlan.project_id)))
        for project in s.scalars(select(GuaranteeProject).where(GuaranteeProject.status == "effective")):
            if project.id not in plan_of:
                s.add(GuaranteeInspectionPlan(project_id=project.id, first_due=dt.date.today(), interval_days=90,
                                              next_due=dt.date.today()))
        # The newest projects (the first page) wait in approval, so each page has current tasks to show.
        with acting(manager):
            for _ in range(3):
                draft = make_project(s, manager, customer.id, product=bid, bank=bank, amount="800000.00")
                draft.project_no = None
                submit_application(s, manager, draft.id)
    return tenant


def test_statements_per_request_are_constant_in_page_size(api, db, make_tenant, monkeypatch):
    # The caches that re-read on a timer (principal, enabled plugins, policy version) must not expire between the
    # two pages of a probe: a refresh would count as statements of the page (a timing artefact, not an N+1).
    monkeypatch.setattr(principal_cache, "TTL_SECONDS", 3600.0)
    monkeypatch.setattr(plugin_registry, "TTL_SECONDS", 3600.0)
    monkeypatch.setattr(enforcer.get_cache(), "recheck_seconds", 3600.0)
    all_probes = probes(build_schema()._schema)
    tenant = seed(db, make_tenant)
    token = api.login(tenant.slug)
    problems, report = [], []
    for probe in all_probes:
        _run(api, db, token, probe, BIG)  # warm the process-wide caches (permissions, parsed definitions)
        small, n_small = _run(api, db, token, probe, SMALL)
        big, n_big = _run(api, db, token, probe, BIG)
        report.append(f"{probe.connection}.{probe.part}: {len(small)} / {len(big)} statements, "
                      f"{n_small} / {n_big} rows")
        if len(small) != len(big):
            extra = sorted((Counter(map(_shape, big)) - Counter(map(_shape, small))).elements())
            problems.append(f"{probe.connection} {{ {probe.part} }}: {len(small)} statements for {n_small} rows, "
                            f"{len(big)} for {n_big}:\n    " + "\n    ".join(extra))
        if n_big <= n_small:
            problems.append(f"{probe.connection}: the seeded tenant gives {n_big} rows for first: {BIG}; seed more "
                            f"so the pages differ")
    print("\n".join(report))
    assert not problems, "\n".join(problems + ["", *report])
