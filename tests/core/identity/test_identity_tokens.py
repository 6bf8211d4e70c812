import base64
import datetime as dt
import json
import uuid

import jwt
import pytest
from sqlalchemy import event, update

from surety.core.db.types import utcnow
from surety.core.errors import TenantSuspended, Unauthenticated
from surety.core.identity.auth import login, resolve_access
from surety.core.identity.models import User
from surety.core.identity.service import disable_user
from surety.core.identity.tokens import (
    create_access_token,
    create_platform_token,
    decode_access_token,
    decode_platform_token,
)
from surety.core.settings import get_settings


def _b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def _payload(**over):
    now = int(utcnow().timestamp())
    claims = {"sub": str(uuid.uuid4()), "tid": str(uuid.uuid4()), "typ": "access", "iss": "surety",
              "aud": "surety-api", "iat": now, "exp": now + 600, "jti": "x"}
    claims.update(over)
    return claims


def test_round_trip_carries_user_and_tenant():
    uid, tid = uuid.uuid4(), uuid.uuid4()
    token, lifetime = create_access_token(uid, tid)
    claims = decode_access_token(token)
    assert (claims.user_id, claims.tenant_id) == (uid, tid)
    assert claims.expires_at - claims.issued_at == lifetime == get_settings().access_token_minutes * 60
    raw = jwt.decode(token, options={"verify_signature": False})
    assert raw["typ"] == "access" and raw["iss"] == "surety" and raw["aud"] == "surety-api" and raw["jti"]


def test_expired_token_refused():
    token, _ = create_access_token(uuid.uuid4(), uuid.uuid4(), now=utcnow() - dt.timedelta(hours=1))
    with pytest.raises(Unauthenticated):
        decode_access_token(token)


def test_forged_signature_refused():
    forged = jwt.encode(_payload(), "another-secret-that-is-long-enough-for-hs256!", algorithm="HS256")
    with pytest.raises(Unauthenticated):
        decode_access_token(forged)
    jwt.decode(jwt.encode(_payload(), get_settings().jwt_secret, algorithm="HS256"), get_settings().jwt_secret,
               algorithms=["HS256"], audience="surety-api")  # the same payload signed right is fine


def test_alg_none_refused():
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_payload())}."
    with pytest.raises(Unauthenticated):
        decode_access_token(unsigned)


@pytest.mark.parametrize("over", [{"typ": "refresh"}, {"aud": "someone-else"}, {"iss": "evil"}, {"tid": None}])
def test_wrong_claims_refused(over):
    payload = {k: v for k, v in _payload(**over).items() if v is not None}
    with pytest.raises(Unauthenticated):
        decode_access_token(jwt.encode(payload, get_settings().jwt_secret, algorithm="HS256"))


def test_garbage_refused():
    for token in ("", "abc", "a.b.c"):
        with pytest.raises(Unauthenticated):
            decode_access_token(token)


def test_platform_and_access_tokens_are_not_interchangeable():
    platform, _ = create_platform_token(uuid.uuid4())
    access, _ = create_access_token(uuid.uuid4(), uuid.uuid4())
    with pytest.raises(Unauthenticated):
        decode_access_token(platform)
    with pytest.raises(Unauthenticated):
        decode_platform_token(access)
    assert "tid" not in jwt.decode(platform, options={"verify_signature": False})


def test_token_of_tenant_a_carries_a(db, bare_tenant, other_tenant, new_user, password):
    new_user(tenant=bare_tenant)
    new_user(tenant=other_tenant)
    a = decode_access_token(login(db, bare_tenant.slug, "alice", password).access_token)
    b = decode_access_token(login(db, other_tenant.slug, "alice", password).access_token)
    assert (a.tenant_id, b.tenant_id) == (bare_tenant.id, other_tenant.id)
    assert a.user_id != b.user_id


def test_resolve_access_returns_the_user(db, bare_tenant, new_user, password):
    user = new_user(display_name="Alice Li")
    p = resolve_access(db, login(db, bare_tenant.slug, "alice", password).access_token)
    assert (p.type, p.id, p.tenant_id, p.username, p.display_name) == ("user", user.id, bare_tenant.id, "alice",
                                                                       "Alice Li")
    assert p.subject == f"user:{user.id}"
    assert p.actor().id == str(user.id) and p.actor().tenant_id == bare_tenant.id


def test_resolve_access_costs_one_query(db, bare_tenant, new_user, password):
    new_user()
    token = login(db, bare_tenant.slug, "alice", password).access_token
    selects = []

    def count(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "set_config" not in statement:
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        resolve_access(db, token)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(selects) == 1


def test_resolve_access_refuses_disabled_user(db, bare_tenant, new_user, password):
    user = new_user()
    token = login(db, bare_tenant.slug, "alice", password).access_token
    with db.tenant_session(bare_tenant.id) as s:
        disable_user(s, user.id)
    with pytest.raises(Unauthenticated):
        resolve_access(db, token)


def test_resolve_access_refuses_suspended_tenant(db, bare_tenant, new_user, password, set_tenant_status):
    new_user()
    token = login(db, bare_tenant.slug, "alice", password).access_token
    set_tenant_status(bare_tenant, "suspended")
    with pytest.raises(TenantSuspended):
        resolve_access(db, token)


def test_resolve_access_refuses_token_from_before_a_password_change(db, bare_tenant, new_user, password):
    new_user()
    token = login(db, bare_tenant.slug, "alice", password).access_token
    with db.tenant_session(bare_tenant.id) as s:
        s.execute(update(User).values(password_changed_at=utcnow() + dt.timedelta(seconds=5)))
    with pytest.raises(Unauthenticated):
        resolve_access(db, token)


def test_resolve_access_refuses_unknown_user(db, bare_tenant):
    token, _ = create_access_token(uuid.uuid4(), bare_tenant.id)
    with pytest.raises(Unauthenticated):
        resolve_access(db, token)
