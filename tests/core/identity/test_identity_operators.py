import datetime as dt
import secrets

import jwt
import pytest
from sqlalchemy import select, update

from surety.core.db.types import utcnow
from surety.core.errors import Conflict, Unauthenticated
from surety.core.identity.operators import (
    INVALID_OPERATOR_LOGIN,
    create_operator,
    decode_platform_token,
    login_operator,
    resolve_platform,
)
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


def test_lockout_and_expiry(db, operator, password):
    for _ in range(get_settings().lockout_threshold):
        with pytest.raises(Unauthenticated):
            login_operator(db, operator.username, "Wrong-Password-1")
    with pytest.raises(Unauthenticated):
        login_operator(db, operator.username, password)
    with db.platform_session() as s:
        s.execute(update(PlatformOperator).where(PlatformOperator.id == operator.id)
                  .values(locked_until=utcnow() - dt.timedelta(seconds=1)))
    login_operator(db, operator.username, password)
    assert _row(db, operator).failed_logins == 0


def test_tenant_access_token_is_not_a_platform_token(db, bare_tenant, new_user, password):
    from surety.core.identity.auth import login

    new_user()
    with pytest.raises(Unauthenticated):
        resolve_platform(db, login(db, bare_tenant.slug, "alice", password).access_token)
