import secrets

import jwt
import pytest
from sqlalchemy import select

from surety.core.errors import Conflict, Unauthenticated
from surety.core.identity.auth import login
from surety.core.identity.operators import (
    INVALID_OPERATOR_LOGIN,
    create_operator,
    decode_platform_token,
    login_operator,
    resolve_platform,
)
from surety.core.identity.ratelimit import RateLimited
from surety.core.identity.tokens import decode_access_token
from surety.core.settings import get_settings
from surety.tenants.models import PlatformOperator


@pytest.fixture
def operator(db, password):
    return create_operator(db, f"ops-{secrets.token_hex(4)}", password)


def _row(db, op):
    with db.platform_session() as s:
        return s.scalar(select(PlatformOperator).where(PlatformOperator.id == op.id))


def test_login_issues_a_platform_token(db, operator, password):
    pair = login_operator(db, operator.username, password)
    assert pair.refresh_token is None
    assert decode_platform_token(pair.access_token).operator_id == operator.id
    assert "tid" not in jwt.decode(pair.access_token, options={"verify_signature": False})
    with pytest.raises(Unauthenticated):
        decode_access_token(pair.access_token)
    p = resolve_platform(db, pair.access_token)
    assert (p.type, p.id, p.tenant_id) == ("platform", operator.id, None)
    assert _row(db, operator).last_login_at is not None


def test_duplicate(db, operator, password):
    with pytest.raises(Conflict):
        create_operator(db, operator.username, password)


def test_bad_credentials_look_the_same(db, operator, password):
    messages = set()
    for username, pw in ((operator.username, "Wrong-Password-1"), ("no-such-operator", password)):
        with pytest.raises(Unauthenticated) as exc:
            login_operator(db, username, pw)
        messages.add(exc.value.message)
    assert messages == {INVALID_OPERATOR_LOGIN}


def test_lockout_is_per_address_and_spares_the_operator_elsewhere(db, operator, password):
    login_operator(db, operator.username, password, client_addr="198.51.100.7")
    for _ in range(50):
        with pytest.raises((Unauthenticated, RateLimited)):
            login_operator(db, operator.username, "Wrong-Password-1", client_addr="203.0.113.9")
    with pytest.raises(RateLimited) as exc:
        login_operator(db, operator.username, password, client_addr="203.0.113.9")
    assert 0 < exc.value.retry_after <= get_settings().lockout_minutes * 60
    login_operator(db, operator.username, password, client_addr="198.51.100.7")
    assert _row(db, operator).failed_logins == 0 and _row(db, operator).locked_until is None


def test_tenant_access_token_is_not_a_platform_token(db, bare_tenant, new_user, password):
    new_user()
    with pytest.raises(Unauthenticated):
        resolve_platform(db, login(db, bare_tenant.slug, "alice", password).access_token)
