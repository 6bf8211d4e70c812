import datetime as dt
import uuid

import pytest
from sqlalchemy import select, update

from surety.core.db.types import utcnow
from surety.core.errors import TenantSuspended, Unauthenticated
from surety.core.identity.auth import login, logout, refresh
from surety.core.identity.models import RefreshToken, User
from surety.core.identity.tokens import decode_access_token, hash_token


@pytest.fixture
def pair(db, bare_tenant, new_user, password):
    new_user()
    return login(db, bare_tenant.slug, "alice", password)


def _rows(db, tenant):
    with db.tenant_session(tenant.id) as s:
        return {r.token_hash: r for r in s.scalars(select(RefreshToken))}


def test_only_the_hash_is_stored(db, bare_tenant, pair):
    rows = _rows(db, bare_tenant)
    assert list(rows) == [hash_token(pair.refresh_token)]
    assert pair.refresh_token.split(".", 1)[1] not in list(rows)[0]


def test_refresh_rotates(db, bare_tenant, pair):
    new = refresh(db, pair.refresh_token)
    assert new.refresh_token != pair.refresh_token and new.access_token != pair.access_token
    assert decode_access_token(new.access_token).tenant_id == bare_tenant.id
    rows = _rows(db, bare_tenant)
    assert rows[hash_token(pair.refresh_token)].revoked_at is not None
    assert rows[hash_token(new.refresh_token)].revoked_at is None
    refresh(db, new.refresh_token)  # the new one works


def test_reuse_of_a_rotated_token_revokes_the_whole_family(db, bare_tenant, pair, audit_actions):
    new = refresh(db, pair.refresh_token)
    with pytest.raises(Unauthenticated):
        refresh(db, pair.refresh_token)
    assert all(r.revoked_at is not None for r in _rows(db, bare_tenant).values())
    with pytest.raises(Unauthenticated):
        refresh(db, new.refresh_token)
    assert "auth.refresh_reuse_detected" in audit_actions(bare_tenant)


def test_logout_revokes(db, bare_tenant, pair, audit_actions):
    logout(db, pair.refresh_token)
    with pytest.raises(Unauthenticated):
        refresh(db, pair.refresh_token)
    assert "auth.logout" in audit_actions(bare_tenant)
    logout(db, pair.refresh_token)  # idempotent


def test_expired_refresh_token_refused(db, bare_tenant, pair):
    with db.tenant_session(bare_tenant.id) as s:
        s.execute(update(RefreshToken).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    with pytest.raises(Unauthenticated):
        refresh(db, pair.refresh_token)


@pytest.mark.parametrize("token", ["", "nodot", "not-a-uuid.secret", f"{uuid.uuid4()}.", f"{uuid.uuid4()}.abc"])
def test_malformed_or_unknown_refused(db, token):
    with pytest.raises(Unauthenticated):
        refresh(db, token)
    with pytest.raises(Unauthenticated):
        logout(db, token)


def test_token_presented_under_another_tenant_is_unknown(db, bare_tenant, other_tenant, pair):
    secret = pair.refresh_token.split(".", 1)[1]
    with pytest.raises(Unauthenticated):
        refresh(db, f"{other_tenant.id}.{secret}")


def test_refresh_refused_for_disabled_user(db, bare_tenant, pair):
    with db.tenant_session(bare_tenant.id) as s:  # status only: disable_user would also revoke the token
        s.execute(update(User).values(status="disabled"))
    with pytest.raises(Unauthenticated):
        refresh(db, pair.refresh_token)
    assert _rows(db, bare_tenant)[hash_token(pair.refresh_token)].revoked_at is None


def test_refresh_refused_for_suspended_tenant(db, bare_tenant, pair, set_tenant_status):
    set_tenant_status(bare_tenant, "suspended")
    with pytest.raises(TenantSuspended):
        refresh(db, pair.refresh_token)


def test_a_token_hash_is_unique_per_tenant_and_the_token_names_its_tenant(db, bare_tenant, other_tenant, new_user,
                                                                          pair):
    # Citus: the unique index is (tenant_id, token_hash); a row with the same hash in another tenant is not the one
    # the token names, and stays untouched.
    bob = new_user("bob", tenant=other_tenant)
    with db.tenant_session(other_tenant.id) as s:
        s.add(RefreshToken(user_id=bob.id, token_hash=hash_token(pair.refresh_token),
                           expires_at=utcnow() + dt.timedelta(days=1)))
    assert decode_access_token(refresh(db, pair.refresh_token).access_token).tenant_id == bare_tenant.id
    assert [r.revoked_at for r in _rows(db, other_tenant).values()] == [None]
