"""Statements a request spends on bookkeeping rather than on its own work: the tenant's enabled plugins come from
the request context (no read of the tenant row for event dispatch) and the RLS tenant is set once per transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import event, update

from surety.core.identity import principal_cache
from surety.core.identity.models import User
from surety.core.testing import TEST_PASSWORD
from surety.plugins.customers.testing import make_id
from surety.tenants import registry

CREATE = """mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id name } errors { code message field } } }"""


def test_a_mutation_raising_events_does_not_read_the_tenant_row(api, db, make_tenant):
    tenant = make_tenant(plugins=["customers"], admin_password=TEST_PASSWORD)
    token = api.login(tenant.slug)
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    api("{ me { username } }", token=token)  # warm: token check and plugin cache
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        body = api(CREATE, {"input": {"kind": "individual", "name": "测试客户", "idNumber": make_id(7),
                                      "phone": "13900000007"}}, token=token)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert body["data"]["customerCreate"]["errors"] == [], body
    assert any("INSERT INTO event_outbox" in s for s in seen)  # the mutation did raise an event
    assert not [s for s in seen if "FROM tenants" in s]
    if db.dialect == "postgresql":
        assert len([s for s in seen if "set_config" in s]) == 1


class Checkouts:
    """Pool connections checked out and returned, and the statements run, while counting (the request path's
    transactions)."""

    def __init__(self, engine):
        self.engine, self.out, self.back = engine, 0, 0
        self.statements: list[str] = []

    def _out(self, *_):
        self.out += 1

    def _back(self, *_):
        self.back += 1

    def _statement(self, conn, cursor, statement, *_):
        self.statements.append(" ".join(statement.split()))

    def __enter__(self):
        event.listen(self.engine, "checkout", self._out)
        event.listen(self.engine, "checkin", self._back)
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "checkout", self._out)
        event.remove(self.engine, "checkin", self._back)
        event.remove(self.engine, "before_cursor_execute", self._statement)


def _cold_token(api, make_tenant):
    """A tenant user's token, the plugin cache warm and the checked-token cache cold."""
    tenant = make_tenant(plugins=["customers"], admin_password=TEST_PASSWORD)
    token = api.login(tenant.slug)
    assert "errors" not in api("{ me { user { username } } }", token=token)
    principal_cache.forget()
    return tenant, token


def test_a_token_the_cache_does_not_know_is_checked_in_the_requests_own_transaction(api, db, make_tenant):
    _, token = _cold_token(api, make_tenant)
    with Checkouts(db.engine) as pool:
        body = api("{ me { user { username } } customers(first: 1) { totalCount } }", token=token)
    seen = pool.statements
    assert body["data"]["me"]["user"]["username"] == "admin", body
    assert any("FROM users JOIN tenants" in s for s in seen)  # the token was checked, not taken from the cache
    assert (pool.out, pool.back) == (1, 1)  # the check and the operation: one connection, one transaction
    if db.dialect == "postgresql":
        assert len([s for s in seen if "set_config" in s]) == 1


def test_a_refused_token_leaves_nothing_of_its_check_open(api, db, make_tenant):
    tenant, token = _cold_token(api, make_tenant)
    with db.tenant_session(tenant.id) as s:
        s.execute(update(User).where(User.username == "admin").values(status="disabled"))
    principal_cache.forget()
    with Checkouts(db.engine) as pool:
        body = api("{ me { user { username } } }", token=token)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
    assert pool.out >= 1 and pool.back == pool.out


def test_a_request_refused_before_any_operation_returns_the_connection_its_check_took(api, db, make_tenant):
    _, token = _cold_token(api, make_tenant)
    with Checkouts(db.engine) as pool:
        response = api.client.post("/graphql", content=b"{not json", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert (pool.out, pool.back) == (1, 1)  # the token was checked in the request's session, which was closed


@pytest.mark.parametrize("token_cached", [True, False], ids=["token-cached", "token-not-cached"])
def test_enabled_plugins_the_cache_does_not_hold_are_read_in_the_requests_own_transaction(api, db, make_tenant,
                                                                                          token_cached):
    tenant = make_tenant(plugins=["customers"], admin_password=TEST_PASSWORD)
    token = api.login(tenant.slug)
    assert "errors" not in api("{ me { user { username } } }", token=token)
    registry.forget(tenant.id)
    if not token_cached:
        principal_cache.forget()
    with Checkouts(db.engine) as pool:
        body = api("{ customers(first: 1) { totalCount } }", token=token)
    assert body["data"]["customers"]["totalCount"] >= 0, body  # the customers plugin was found enabled
    assert any("FROM tenants" in s and "JOIN" not in s for s in pool.statements)  # the plugins were read, not cached
    assert (pool.out, pool.back) == (1, 1)
