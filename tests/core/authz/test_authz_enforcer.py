"""The per-tenant enforcer: decisions, tenant isolation, cache, invalidation and its bounds."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, select

from surety.core.authz import enforcer
from surety.core.authz.catalog import permission_catalog
from surety.core.authz.enforcer import get_enforcer, invalidate
from surety.core.authz.matrix import set_grant
from surety.core.authz.models import AuthzState, CasbinRule
from surety.core.authz.provision import assign_roles
from surety.core.errors import TenantNotBound
from surety.core.hookspecs import Permission


def _subject(db, tenant, roles) -> str:
    subject = f"user:{uuid.uuid4()}"
    with db.tenant_session(tenant) as s:
        assign_roles(s, subject, roles)
    return subject


def test_enforce_allows_granted_and_denies_the_rest(db, tenant):
    auditor = _subject(db, tenant, ["auditor"])
    nobody = f"user:{uuid.uuid4()}"
    with db.tenant_session(tenant) as s:
        e = get_enforcer(s)
        assert e.enforce(auditor, "core:audit", "export")
        assert e.enforce(auditor, "core:user", "read")
        assert not e.enforce(auditor, "core:user", "create")
        assert not e.enforce(auditor, "core:audit", "exp")
        assert not e.enforce(nobody, "core:user", "read")
        assert not e.enforce("role:auditor", "core:role", "manage")
        assert e.roles_for(auditor) == ["auditor"]


def test_rules_of_one_tenant_never_apply_in_another(db, new_tenant):
    a, b = new_tenant(), new_tenant()
    subject = f"user:{uuid.uuid4()}"
    with db.tenant_session(a) as s:
        assign_roles(s, subject, ["admin"])
    with db.tenant_session(b) as s:
        assign_roles(s, subject, ["read_only"])
    with db.tenant_session(a) as s:
        assert get_enforcer(s).enforce(subject, "core:role", "manage")
    with db.tenant_session(b) as s:
        e = get_enforcer(s)
        assert e.tenant_id == b
        assert not e.enforce(subject, "core:role", "manage")  # same role names, other domain
        assert e.enforce(subject, "core:org_unit", "read")
        assert {p[1] for p in e.casbin.get_policy()} == {str(b)}
        assert {g[2] for g in e.casbin.get_grouping_policy()} == {str(b)}
    with db.tenant_session(a) as s:
        set_grant(s, "read_only", "core:role:manage", True)
    with db.tenant_session(b) as s:
        assert not get_enforcer(s).enforce(subject, "core:role", "manage")


def test_a_forged_rule_carrying_another_domain_is_not_loaded(db, new_tenant):
    a, b = new_tenant(), new_tenant()
    subject = f"user:{uuid.uuid4()}"
    with db.tenant_session(b) as s:  # a row of tenant b that names tenant a's domain
        s.add(CasbinRule(ptype="g", v0=subject, v1="role:admin", v2=str(a)))
        s.add(CasbinRule(ptype="p", v0=subject, v1=str(a), v2="core:role", v3="manage"))
    for t in (a, b):
        with db.tenant_session(t) as s:
            assert not get_enforcer(s).enforce(subject, "core:role", "manage")


def test_set_grant_invalidates_the_cache(db, tenant):
    subject = _subject(db, tenant, ["finance"])
    with db.tenant_session(tenant) as s:
        first = get_enforcer(s)
        assert not first.enforce(subject, "core:audit", "read")
        set_grant(s, "finance", "core:audit:read", True)
        assert get_enforcer(s) is not first
        assert get_enforcer(s).enforce(subject, "core:audit", "read")  # same transaction sees it
    with db.tenant_session(tenant) as s:
        assert get_enforcer(s).enforce(subject, "core:audit", "read")
        set_grant(s, "finance", "core:audit:read", False)
        assert not get_enforcer(s).enforce(subject, "core:audit", "read")
    with db.tenant_session(tenant) as s:
        assert not get_enforcer(s).enforce(subject, "core:audit", "read")


def test_assign_roles_invalidates_the_cache(db, tenant):
    subject = _subject(db, tenant, ["read_only"])
    with db.tenant_session(tenant) as s:
        assert not get_enforcer(s).enforce(subject, "core:user", "read")
    with db.tenant_session(tenant) as s:
        assign_roles(s, subject, ["finance"])
    with db.tenant_session(tenant) as s:
        assert get_enforcer(s).enforce(subject, "core:user", "read")


def test_a_rolled_back_change_does_not_stay_cached(db, tenant):
    subject = _subject(db, tenant, ["finance"])
    with pytest.raises(RuntimeError), db.tenant_session(tenant) as s:
        set_grant(s, "finance", "core:audit:read", True)
        assert get_enforcer(s).enforce(subject, "core:audit", "read")  # loaded from uncommitted rules
        raise RuntimeError("request failed")
    with db.tenant_session(tenant) as s:
        assert not get_enforcer(s).enforce(subject, "core:audit", "read")


def _count_statements(db):
    seen = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", listener)


def test_a_cached_check_runs_no_sql_and_no_casbin(db, tenant, monkeypatch):
    subject = _subject(db, tenant, ["auditor"])
    with db.tenant_session(tenant) as s:
        e = get_enforcer(s)
        assert e.enforce(subject, "core:audit", "read")
        calls = []
        for name in ("enforce", "get_implicit_permissions_for_user"):
            real = getattr(e.casbin, name)
            monkeypatch.setattr(e.casbin, name, lambda *a, _real=real: calls.append(a) or _real(*a))
        seen, stop = _count_statements(db)
        try:
            for _ in range(3):
                assert get_enforcer(s) is e
                assert e.enforce(subject, "core:audit", "read")
                assert not e.enforce(subject, "core:audit", "delete")
        finally:
            stop()
        assert seen == [] and calls == []
    with db.tenant_session(tenant) as s:  # a new request within the recheck interval: still no SQL
        seen, stop = _count_statements(db)
        try:
            assert get_enforcer(s) is e
        finally:
            stop()
        assert seen == []


def test_memoised_decisions_equal_casbins_own(db, tenant):
    """The per-subject memo answers exactly what ``casbin.enforce`` answers, for every subject and permission."""

    subjects = [_subject(db, tenant, roles) for roles in
                (["admin"], ["auditor", "finance"], ["read_only"], [], ["department_head", "legal"])]
    with db.tenant_session(tenant) as s:
        set_grant(s, "legal", "core:pii:reveal", True)
        s.add(CasbinRule(ptype="p", v0=subjects[3], v1=str(tenant), v2="core:tenant", v3="read"))  # a direct rule
    with db.tenant_session(tenant) as s:
        e = get_enforcer(s)
        answers = set()
        for subject in subjects + ["role:finance", f"user:{uuid.uuid4()}"]:
            for perm in permission_catalog() + [Permission("core:user", "fly")]:
                expected = e.casbin.enforce(subject, str(tenant), perm.obj, perm.act)
                assert e.enforce(subject, perm.obj, perm.act) is expected, (subject, perm.key)
                answers.add(expected)
        assert answers == {True, False}
        assert e.enforce(subjects[3], "core:tenant", "read")

def _change_elsewhere(db, tenant, subject):
    """What another process does: write a rule and bump the version, without touching this process's cache."""
    with db.tenant_session(tenant) as s:
        s.add(CasbinRule(ptype="g", v0=subject, v1="role:auditor", v2=str(tenant)))
        state = s.scalar(select(AuthzState))
        state.policy_version = AuthzState.policy_version + 1


def test_other_processes_changes_are_seen_once_per_request(db, tenant):
    enforcer.configure(recheck_seconds=0)
    subject = f"user:{uuid.uuid4()}"
    with db.tenant_session(tenant) as s:
        assert not get_enforcer(s).enforce(subject, "core:audit", "read")
        _change_elsewhere(db, tenant, subject)
        assert not get_enforcer(s).enforce(subject, "core:audit", "read")  # checked once in this request
    with db.tenant_session(tenant) as s:
        assert get_enforcer(s).enforce(subject, "core:audit", "read")


def test_within_the_recheck_interval_the_cached_version_is_trusted(db, tenant, fresh_cache):
    assert fresh_cache.recheck_seconds == 3600
    subject = f"user:{uuid.uuid4()}"
    with db.tenant_session(tenant) as s:
        assert not get_enforcer(s).enforce(subject, "core:audit", "read")
    _change_elsewhere(db, tenant, subject)
    with db.tenant_session(tenant) as s:
        assert not get_enforcer(s).enforce(subject, "core:audit", "read")
    invalidate(tenant)
    with db.tenant_session(tenant) as s:
        assert get_enforcer(s).enforce(subject, "core:audit", "read")


def test_the_cache_is_a_bounded_lru(db, new_tenant):
    cache = enforcer.configure(max_tenants=2)
    a, b, c = new_tenant(), new_tenant(), new_tenant()
    for t in (a, b, a, c):
        with db.tenant_session(t) as s:
            get_enforcer(s)
    assert len(cache) == 2
    assert a in cache and c in cache and b not in cache  # b was least recently used
    loads = cache.loads
    with db.tenant_session(a) as s:
        get_enforcer(s)
    assert cache.loads == loads


def test_the_subject_memo_is_bounded(db, tenant, monkeypatch):
    monkeypatch.setattr(enforcer, "MAX_SUBJECTS", 3)
    auditor = _subject(db, tenant, ["auditor"])
    with db.tenant_session(tenant) as s:
        e = get_enforcer(s)
        for n in range(7):
            assert not e.enforce(f"user:{n}", "core:user", "read")
            assert len(e._subjects) <= 3
        assert e.enforce(auditor, "core:audit", "read")


def test_a_platform_session_cannot_get_an_enforcer(db):
    with db.platform_session() as s, pytest.raises(TenantNotBound):
        get_enforcer(s)
