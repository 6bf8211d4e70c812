"""core/hooks.py: a hook answers for the session's tenant only from core and the plugins that tenant enabled."""

from __future__ import annotations

import uuid

from surety.core.hooks import declared, tenant_hook, tenant_hook_each, tenant_plugins


def test_tenant_hook_reaches_only_the_tenants_plugins(db, make_tenant):
    with_customers = make_tenant(plugins=["customers"])
    without = make_tenant()
    unknown = uuid.uuid4()
    with db.tenant_session(with_customers.id) as s:
        assert set(tenant_plugins(s)) == {"core", "customers"}
        # customers_summaries is firstresult: the customers plugin answers ({} for an id it does not hold)
        assert tenant_hook(s, "customers_summaries")(session=s, customer_ids=[unknown]) == {}
        # core's own hooks answer in every tenant
        assert len(tenant_hook(s, "surety_notification_channels")()) == 1  # core's answer (its channel list)
    with db.tenant_session(without.id) as s:
        assert set(tenant_plugins(s)) <= {"core"}
        assert tenant_hook(s, "customers_summaries")(session=s, customer_ids=[unknown]) is None
        assert tenant_hook(s, "customers_screen")(session=s, customer_id=unknown, business="x") == []


def test_tenant_hook_each_calls_one_plugin_at_a_time(db, make_tenant):
    tenant = make_tenant(plugins=["customers", "guarantee"])
    with db.tenant_session(tenant.id) as s:
        each = list(tenant_hook_each(s, "customers_exposure"))
        assert [key for key, _ in each] == ["customers", "guarantee"]  # core left out
        answers = {key: caller(session=s, customer_ids=[uuid.uuid4()]) for key, caller in each}
        assert answers["customers"] == []  # customers does not implement its own exposure hook
        assert len(answers["guarantee"]) == 1 and not answers["guarantee"][0]


def test_declared_knows_core_and_plugin_hooks():
    assert declared("surety_handle_event")
    assert declared("customers_summaries")
    assert not declared("customers_no_such_hook")
