"""Statements a request spends on bookkeeping rather than on its own work: the tenant's enabled plugins come from
the request context (no read of the tenant row for event dispatch) and the RLS tenant is set once per transaction."""

from __future__ import annotations

from sqlalchemy import event

from surety.core.testing import TEST_PASSWORD
from surety.plugins.customers.testing import make_id

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
