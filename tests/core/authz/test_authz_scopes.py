"""Data scopes: the widest scope among an actor's roles, applied as a bound-parameter WHERE clause."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, select

from surety.core.authz.models import Role
from surety.core.authz.provision import assign_roles
from surety.core.authz.scopes import apply_scope, data_scope
from surety.core.context import SYSTEM
from surety.core.identity.models import OrgUnit, User


@pytest.fixture
def org(db, tenant):
    """head office > branch > department, and a second branch; one user in each unit."""
    with db.tenant_session(tenant) as s:
        head = OrgUnit(code="HQ", name="Head office", kind="head_office")
        s.add(head)
        s.flush()
        head.path = f"/{head.id}/"
        units = {"head": head}
        for name, parent in (("branch", "head"), ("dept", "branch"), ("other", "head")):
            unit = OrgUnit(code=name, name=name, parent_id=units[parent].id)
            s.add(unit)
            s.flush()
            unit.path = f"{units[parent].path}{unit.id}/"
            units[name] = unit
        users = {}
        for name, unit in units.items():
            user = User(username=f"u-{name}", password_hash="x", org_unit_id=unit.id)
            s.add(user)
            s.flush()
            users[name] = user
        return {"units": {k: v.id for k, v in units.items()}, "users": {k: v.id for k, v in users.items()}}


def _visible(db, tenant, actor, **kw) -> set[str]:
    with db.tenant_session(tenant) as s:
        stmt = apply_scope(select(User.username), User, s, actor, owner_column="id", **kw)
        return set(s.scalars(stmt))


def _as(db, tenant, org, user_actor, who, roles):
    actor = user_actor(tenant, org_unit_id=org["units"][who], id=org["users"][who])
    with db.tenant_session(tenant) as s:
        assign_roles(s, actor.subject, roles)
    return actor


def test_the_widest_scope_among_the_roles_wins(db, tenant, org, user_actor):
    cases = [([], "own"), (["customer_manager"], "own"), (["customer_manager", "read_only"], "org_unit"),
             (["read_only", "risk_officer"], "org_subtree"), (["risk_officer", "legal", "read_only"], "tenant")]
    for roles, scope in cases:
        actor = _as(db, tenant, org, user_actor, "branch", roles)
        with db.tenant_session(tenant) as s:
            assert data_scope(s, actor) == scope, roles
    with db.tenant_session(tenant) as s:
        assert data_scope(s, SYSTEM) == "own"


def test_own_scope_sees_own_rows(db, tenant, org, user_actor):
    actor = _as(db, tenant, org, user_actor, "branch", ["customer_manager"])
    assert _visible(db, tenant, actor) == {"u-branch"}


def test_org_unit_scope_sees_the_unit(db, tenant, org, user_actor):
    actor = _as(db, tenant, org, user_actor, "branch", ["read_only"])
    with db.tenant_session(tenant) as s:  # a second user in the same unit
        s.add(User(username="u-branch-2", password_hash="x", org_unit_id=org["units"]["branch"]))
    assert _visible(db, tenant, actor) == {"u-branch", "u-branch-2"}


def test_org_subtree_scope_sees_the_unit_and_below(db, tenant, org, user_actor):
    branch = _as(db, tenant, org, user_actor, "branch", ["risk_officer"])
    assert _visible(db, tenant, branch) == {"u-branch", "u-dept"}
    head = _as(db, tenant, org, user_actor, "head", ["department_head"])
    assert _visible(db, tenant, head) == {"u-head", "u-branch", "u-dept", "u-other"}
    dept = _as(db, tenant, org, user_actor, "dept", ["department_head"])
    assert _visible(db, tenant, dept) == {"u-dept"}


def test_tenant_scope_sees_everything_of_the_tenant_only(db, tenant, new_tenant, org, user_actor):
    other = new_tenant()
    with db.tenant_session(other) as s:
        s.add(User(username="u-elsewhere", password_hash="x"))
    actor = _as(db, tenant, org, user_actor, "dept", ["auditor"])
    assert _visible(db, tenant, actor) == {"u-head", "u-branch", "u-dept", "u-other"}


def test_a_scope_needing_an_org_unit_sees_nothing_without_one(db, tenant, org, user_actor):
    for roles in (["read_only"], ["risk_officer"]):
        actor = user_actor(tenant, org_unit_id=None, id=org["users"]["branch"])
        with db.tenant_session(tenant) as s:
            assign_roles(s, actor.subject, roles)
        assert _visible(db, tenant, actor) == set()
    assert _visible(db, tenant, SYSTEM) == set()


def test_subtree_paths_are_matched_literally_and_bound(db, tenant, user_actor):
    """A LIKE wildcard inside a path is escaped, and the values travel as bound parameters."""
    with db.tenant_session(tenant) as s:
        a = OrgUnit(code="A", name="A", path="/a_/")
        b = OrgUnit(code="B", name="B", path="/ab/")
        s.add_all([a, b])
        s.flush()
        s.add_all([User(username="in-a", password_hash="x", org_unit_id=a.id),
                   User(username="in-b", password_hash="x", org_unit_id=b.id)])
        s.add(Role(key="subtree", name="Subtree", data_scope="org_subtree", description=""))
        s.flush()
        actor = user_actor(tenant, org_unit_id=a.id)
        assign_roles(s, actor.subject, ["subtree"])
    with db.tenant_session(tenant) as s:
        stmt = apply_scope(select(User.username), User, s, actor, owner_column="id")
        assert set(s.scalars(stmt)) == {"in-a"}
        sql = str(stmt.compile(dialect=s.get_bind().dialect))
        assert "/a_/" not in sql and str(a.id) not in sql and a.id.hex not in sql


def test_owner_column_with_string_ids(db, tenant, user_actor):
    """Owner columns holding ids as text are compared as text."""
    with db.tenant_session(tenant) as s:
        actor = user_actor(tenant)
        assign_roles(s, actor.subject, ["customer_manager"])
        s.add(User(username=actor.id, password_hash="x"))
        s.add(User(username=str(uuid.uuid4()), password_hash="x"))
    with db.tenant_session(tenant) as s:
        stmt = apply_scope(select(User.username), User, s, actor, owner_column="username")
        assert list(s.scalars(stmt)) == [actor.id]


def test_the_roles_scopes_are_read_once_per_policy_version(db, tenant, org, user_actor):
    """The roles' scopes are read from the database once per tenant policy version and set of roles (memoised on the
    tenant's enforcer), not on every call nor on every request; a change of the user's roles is seen at once."""
    actor = _as(db, tenant, org, user_actor, "branch", ["read_only"])
    reads: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if "roles.data_scope" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(3):  # three requests, asking three times each
            with db.tenant_session(tenant) as s:
                assert [data_scope(s, actor) for _ in range(3)] == ["org_unit"] * 3
        assert len(reads) == 1
        with db.tenant_session(tenant) as s:
            assign_roles(s, actor.subject, ["read_only", "risk_officer"])  # other roles: read again
            assert data_scope(s, actor) == "org_subtree"
        with db.tenant_session(tenant) as s:
            assert data_scope(s, actor) == "org_subtree"
        after_change = len(reads)
        with db.tenant_session(tenant) as s:
            assert data_scope(s, actor) == "org_subtree"
        assert len(reads) == after_change  # memoised again for the new version
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
