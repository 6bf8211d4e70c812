"""The collector role (催收专员) comes with the plugin: provisioning creates it from the role template and grants it
what collection needs, so M2-stage cases have someone to go to."""

from __future__ import annotations

from sqlalchemy import select

from surety.core.authz.check import allowed
from surety.core.authz.models import Role
from surety.core.identity.auth import user_actor
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD


def test_a_tenant_enabling_microloan_has_the_collector_role_with_its_grants(mw):
    with mw.session() as s:
        role = s.scalar(select(Role).where(Role.key == "collector"))
        assert role is not None and role.data_scope == "org_subtree"
        user = create_user(s, username="cui", password=TEST_PASSWORD, display_name="Cui", roles=["collector"],
                           email="cui@example.com")
        who = user_actor(user)
        assert allowed(s, who, "microloan:collection", "read")
        assert allowed(s, who, "microloan:collection", "act")
        assert not allowed(s, who, "microloan:writeoff", "request")
