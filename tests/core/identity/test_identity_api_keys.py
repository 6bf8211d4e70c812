import hashlib
import re

import pytest
from sqlalchemy import select

from surety.core.authz.provision import provision_roles, roles_of
from surety.core.errors import TenantSuspended, Unauthenticated, ValidationFailed
from surety.core.identity.api_keys import authenticate_api_key, create_api_key, revoke_api_key
from surety.core.identity.models import ApiKey, ApiKeyRoute


@pytest.fixture
def key(db, bare_tenant):
    with db.tenant_session(bare_tenant.id) as s:
        return create_api_key(s, "ERP bridge")


def test_secret_format_and_only_hash_stored(db, bare_tenant, key):
    row, secret = key
    assert re.fullmatch(rf"sk_{row.prefix}_[A-Za-z0-9_-]{{43}}", secret)
    with db.tenant_session(bare_tenant.id) as s:
        stored = s.scalar(select(ApiKey))
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.split("_", 2)[2] not in (stored.key_hash, stored.prefix, stored.name)


def test_authenticate_returns_apikey_principal_and_marks_use(db, bare_tenant, key):
    row, secret = key
    p = authenticate_api_key(db, secret)
    assert (p.type, p.id, p.tenant_id, p.display_name) == ("apikey", row.id, bare_tenant.id, "ERP bridge")
    assert p.subject == f"apikey:{row.id}"
    with db.tenant_session(bare_tenant.id) as s:
        assert s.scalar(select(ApiKey.last_used_at)) is not None


def test_wrong_secret_with_a_real_prefix_refused(db, key):
    _, secret = key
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    with pytest.raises(Unauthenticated):
        authenticate_api_key(db, tampered)


@pytest.mark.parametrize("secret", ["", "sk_", "Bearer abc", "sk_aaaaaaaaaaaa_" + "x" * 43])
def test_malformed_or_unknown_refused(db, secret):
    with pytest.raises(Unauthenticated):
        authenticate_api_key(db, secret)


def test_revoked_key_refused(db, bare_tenant, key, audit_actions):
    row, secret = key
    with db.tenant_session(bare_tenant.id) as s:
        revoke_api_key(s, row.id)
    with pytest.raises(Unauthenticated):
        authenticate_api_key(db, secret)
    assert audit_actions(bare_tenant, row.id) == ["api_key.created", "api_key.revoked"]


def test_suspended_tenant_refused(db, bare_tenant, key, set_tenant_status):
    set_tenant_status(bare_tenant, "suspended")
    with pytest.raises(TenantSuspended):
        authenticate_api_key(db, key[1])


def test_route_points_at_the_owning_tenant(db, bare_tenant, other_tenant, key):
    with db.tenant_session(other_tenant.id) as s:
        other, other_secret = create_api_key(s, "Other")
    assert authenticate_api_key(db, other_secret).tenant_id == other_tenant.id
    with db.platform_session() as s:
        routes = dict(s.execute(select(ApiKeyRoute.prefix, ApiKeyRoute.tenant_id)).all())
    assert routes[key[0].prefix] == bare_tenant.id and routes[other.prefix] == other_tenant.id


def test_key_needs_a_name(db, bare_tenant):
    with db.tenant_session(bare_tenant.id) as s, pytest.raises(ValidationFailed):
        create_api_key(s, "  ")


def test_roles_are_assigned_and_withdrawn_on_revoke(db, bare_tenant):
    with db.tenant_session(bare_tenant.id) as s:
        provision_roles(s)
        row, secret = create_api_key(s, "Reporting", roles=["read_only"])
        assert roles_of(s, f"apikey:{row.id}") == ["read_only"]
    assert authenticate_api_key(db, secret).roles == ("read_only",)
    with db.tenant_session(bare_tenant.id) as s:
        revoke_api_key(s, row.id)
        assert roles_of(s, f"apikey:{row.id}") == []


def test_a_prefix_is_unique_per_tenant_and_the_route_picks_the_tenant(db, bare_tenant, other_tenant, key):
    # Citus: the unique index is (tenant_id, prefix). Another tenant's row with the same prefix (which the global
    # route table prevents in practice) does not capture the key: authentication looks in the routed tenant only.
    row, secret = key
    with db.tenant_session(other_tenant.id) as s:
        s.add(ApiKey(name="twin", prefix=row.prefix, key_hash=row.key_hash, roles=[]))
    p = authenticate_api_key(db, secret)
    assert (p.id, p.tenant_id) == (row.id, bare_tenant.id)
