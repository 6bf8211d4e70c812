"""Appending to the audit chain: content, context, hash links, redaction, tenant binding."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import uuid
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import event, select

from surety.core import settings as settings_module
from surety.core.audit.canonical import ZERO_HASH, canonical_json, hash_content, jsonable, record_hash
from surety.core.audit.keys import AuditKeyUnavailable, record_key
from surety.core.audit.log import audit
from surety.core.audit.models import AuditChainHead, AuditRecord
from surety.core.audit.redact import REDACTED, sensitive_keys
from surety.core.audit.verify import verify_chain
from surety.core.context import ACTOR_USER, Actor, acting
from surety.core.errors import TenantNotBound
from surety.core.hookspecs import PluginManifest
from surety.core.plugins import PluginRegistry, build_plugin_manager, get_registry, hookimpl, reset_registry
from surety.core.settings import get_settings
from surety.tenants.models import Tenant


def _all(db, tenant_id):
    with db.tenant_session(tenant_id) as s:
        return list(s.scalars(select(AuditRecord).order_by(AuditRecord.seq)))


def test_records_carry_context_and_link_into_a_chain(db, bare_tenant):
    user = Actor(type=ACTOR_USER, id="u-1", tenant_id=bare_tenant.id)
    entity = uuid.uuid4()
    with acting(user, request_id="req-1", client_addr="10.0.0.7"), db.tenant_session(bare_tenant.id) as s:
        audit(s, "loan.created", entity_type="loan", entity_id=entity, after={"amount": Decimal("1000.50")})
        audit(s, "loan.approved", entity_type="loan", entity_id=entity, before={"status": "new"},
              after={"status": "approved"})
    first, second = _all(db, bare_tenant.id)
    assert (first.seq, second.seq) == (1, 2)
    assert first.tenant_id == bare_tenant.id
    assert (first.actor_type, first.actor_id, first.request_id, first.client_addr) == (
        "user", "u-1", "req-1", "10.0.0.7")
    assert first.entity_id == str(entity) and first.entity_type == "loan"
    assert first.after == {"amount": "1000.50"}
    assert first.occurred_at.tzinfo is not None and first.occurred_at.utcoffset() == dt.timedelta(0)
    assert first.prev_hash == ZERO_HASH
    assert second.prev_hash == first.hash
    key = record_key(first.key_id, bare_tenant.id)
    assert first.hash == record_hash(first, key) and second.hash == record_hash(second, key)
    with db.tenant_session(bare_tenant.id) as s:
        head = s.scalars(select(AuditChainHead)).one()
    assert (head.last_seq, head.last_hash) == (2, second.hash)


def test_explicit_actor_overrides_the_context_but_keeps_request_data(db, bare_tenant):
    with acting(Actor(type=ACTOR_USER, id="ctx-user"), request_id="req-9"), db.tenant_session(bare_tenant.id) as s:
        audit(s, "job.ran", actor=Actor(type="system", id="nightly"))
    (rec,) = _all(db, bare_tenant.id)
    assert (rec.actor_type, rec.actor_id, rec.request_id) == ("system", "nightly", "req-9")


def test_default_actor_is_system(db, bare_tenant):
    with db.tenant_session(bare_tenant.id) as s:
        audit(s, "tenant.touched")
    (rec,) = _all(db, bare_tenant.id)
    assert (rec.actor_type, rec.actor_id, rec.request_id, rec.client_addr) == ("system", None, None, None)


def test_over_long_request_data_is_cut_not_refused(db, bare_tenant):
    with acting(request_id="r" * 300, client_addr="c" * 300), db.tenant_session(bare_tenant.id) as s:
        audit(s, "x.y")
    (rec,) = _all(db, bare_tenant.id)
    assert rec.request_id == "r" * 64 and rec.client_addr == "c" * 64


def test_over_long_action_is_refused(db, bare_tenant):
    with pytest.raises(ValueError, match="action"), db.tenant_session(bare_tenant.id) as s:
        audit(s, "a" * 101)


def test_hash_is_hmac_sha256_with_the_tenant_record_key_of_canonical_json(db, bare_tenant):
    with db.tenant_session(bare_tenant.id) as s:
        rec = audit(s, "c.d", entity_type="客户", after={"名称": "张三", "b": 1, "a": [1.5, None]})
    settings = get_settings()
    doc = {
        "tenant_id": str(rec.tenant_id), "id": str(rec.id),
        "occurred_at": rec.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_type": "system", "actor_id": None, "action": "c.d", "entity_type": "客户", "entity_id": None,
        "before": None, "after": {"a": [1.5, None], "b": 1, "名称": "张三"}, "request_id": None,
        "client_addr": None, "prev_hash": ZERO_HASH, "key_id": settings.audit_key_id,
    }
    expected = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert '"entity_type":"客户"' in expected  # UTF-8, not \u escapes
    # The tenant's record key: HKDF-SHA256 of the audit key, labelled with the purpose and the tenant id.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"surety/audit/record/v1|" + bare_tenant.id.bytes).derive(settings.audit_key)
    assert rec.key_id == settings.audit_key_id
    assert rec.hash == hmac.new(key, expected.encode("utf-8"), hashlib.sha256).hexdigest()
    (stored,) = _all(db, bare_tenant.id)
    assert stored.hash == rec.hash == record_hash(stored, key)
    assert rec.hash != record_hash(stored)  # not the unkeyed SHA-256 of legacy records


def test_legacy_hash_is_sha256_of_canonical_json_without_key_id():
    fields = {"tenant_id": uuid.UUID(int=1), "id": uuid.UUID(int=2),
              "occurred_at": dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC), "actor_type": "system",
              "actor_id": None, "action": "c.d", "entity_type": None, "entity_id": None, "before": None,
              "after": {"a": 1}, "request_id": None, "client_addr": None, "prev_hash": ZERO_HASH, "key_id": ""}
    doc = {k: v for k, v in fields.items() if k != "key_id"}
    doc.update(tenant_id=str(uuid.UUID(int=1)), id=str(uuid.UUID(int=2)), occurred_at="2026-01-02T03:04:05.000006Z")
    expected = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hash_content(fields) == hashlib.sha256(expected.encode("utf-8")).hexdigest()


def test_append_without_the_audit_key_fails_before_the_chain_moves(db, bare_tenant, monkeypatch):
    with db.tenant_session(bare_tenant.id) as s:
        audit(s, "a.one")
    unkeyed = dataclasses.replace(get_settings(), audit_key=b"")
    monkeypatch.setattr(settings_module, "get_settings", lambda: unkeyed)
    with pytest.raises(AuditKeyUnavailable, match="not configured"), db.tenant_session(bare_tenant.id) as s:
        audit(s, "a.two")
    monkeypatch.undo()
    with db.tenant_session(bare_tenant.id) as s:
        assert s.scalars(select(AuditChainHead.last_seq)).one() == 1


def test_jsonable_converts_decimal_uuid_dates_and_sets():
    u = uuid.UUID(int=5)
    value = {
        "m": Decimal("12.30"), "u": u, "d": dt.date(2026, 1, 2),
        "t": dt.datetime(2026, 1, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        "s": {3, 1}, 7: (1, 2), "nan": float("nan"), "b": b"\x00\x01",
    }
    assert jsonable(value) == {
        "m": "12.30", "u": str(u), "d": "2026-01-02", "t": "2026-01-02T00:00:00.000000Z", "s": [1, 3],
        "7": [1, 2], "nan": "nan", "b": "AAE=",
    }
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_sensitive_values_are_redacted_at_any_depth(db, bare_tenant):
    before = {"name": "Li", "password": "old-secret", "contacts": [{"phone": "13800000000", "kind": "home"}],
              "profile": {"ID_NUMBER": "110101199001011234", "bank_account": None}}
    with db.tenant_session(bare_tenant.id) as s:
        audit(s, "customer.updated", before=before, after={"password": "new-secret", "token": {"deep": "x"}})
    (rec,) = _all(db, bare_tenant.id)
    assert rec.before == {"name": "Li", "password": REDACTED, "contacts": [{"phone": REDACTED, "kind": "home"}],
                          "profile": {"ID_NUMBER": REDACTED, "bank_account": None}}
    assert rec.after == {"password": REDACTED, "token": REDACTED}
    raw = json.dumps([rec.before, rec.after])
    for secret in ("old-secret", "13800000000", "110101199001011234", "new-secret"):
        assert secret not in raw
    assert before["password"] == "old-secret"  # the caller's dict is not modified


class _SecretNotePlugin:
    @hookimpl
    def surety_manifest(self):
        return PluginManifest(key="secret_note", version="0")

    @hookimpl
    def surety_sensitive_keys(self):
        return ["guarantor_note"]


def test_keys_declared_by_plugins_are_redacted(db, bare_tenant):
    previous = get_registry()
    assert "guarantor_note" not in sensitive_keys()
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("secret_note", _SecretNotePlugin())])))
    try:
        assert {"guarantor_note", "password"} <= sensitive_keys()
        with db.tenant_session(bare_tenant.id) as s:
            audit(s, "guarantee.noted", after={"guarantor_note": "private", "amount": "1"})
    finally:
        reset_registry(previous)
    assert "guarantor_note" not in sensitive_keys()
    (rec,) = _all(db, bare_tenant.id)
    assert rec.after == {"guarantor_note": REDACTED, "amount": "1"}


def test_audit_needs_a_tenant_session(db):
    with pytest.raises(TenantNotBound), db.platform_session() as s:
        audit(s, "x.y")


def test_rolled_back_append_leaves_the_chain_unchanged(db, bare_tenant):
    with db.tenant_session(bare_tenant.id) as s:
        audit(s, "a.one")
    with pytest.raises(RuntimeError), db.tenant_session(bare_tenant.id) as s:
        audit(s, "a.two")
        raise RuntimeError("business rule failed")
    with db.tenant_session(bare_tenant.id) as s:
        audit(s, "a.three")
    assert [(r.seq, r.action) for r in _all(db, bare_tenant.id)] == [(1, "a.one"), (2, "a.three")]


def test_each_tenant_has_its_own_chain(db, bare_tenant):
    with db.platform_session() as s:
        other = Tenant(id=uuid.uuid4(), slug=f"other-{uuid.uuid4().hex[:8]}", name="Other", enabled_plugins=["core"])
        s.add(other)
    for tenant_id in (bare_tenant.id, other.id, bare_tenant.id):
        with db.tenant_session(tenant_id) as s:
            audit(s, "t.x")
    mine, theirs = _all(db, bare_tenant.id), _all(db, other.id)
    assert [r.seq for r in mine] == [1, 2] and [r.seq for r in theirs] == [1]
    assert theirs[0].prev_hash == ZERO_HASH and {r.tenant_id for r in mine} == {bare_tenant.id}


class _Statements:
    """The statements run on ``engine`` while inside (``with``)."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._add)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._add)

    def _add(self, conn, cursor, statement, *args):
        self.seen.append(" ".join(statement.split()))


def test_later_appends_of_a_transaction_use_the_head_it_holds(db, bare_tenant):
    """The first append locks and reads the head; the next ones of the same transaction take seq and previous hash
    from it (one statement on PostgreSQL, two on SQLite, instead of two and three), and the chain stays whole."""
    with db.tenant_session(bare_tenant.id) as s:
        audit(s, "h.one")
        with _Statements(db.engine) as later:
            audit(s, "h.two")
            audit(s, "h.three")
    assert not [q for q in later.seen if "RETURNING" in q]  # the head was not locked and read again
    assert len(later.seen) == (2 if db.dialect == "postgresql" else 4)
    with db.tenant_session(bare_tenant.id) as s:
        audit(s, "h.four")  # a new transaction locks and reads the head again
    records = _all(db, bare_tenant.id)
    assert [(r.seq, r.action) for r in records] == [(1, "h.one"), (2, "h.two"), (3, "h.three"), (4, "h.four")]
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    with db.tenant_session(bare_tenant.id) as s:
        head = s.scalars(select(AuditChainHead)).one()
    assert (head.last_seq, head.last_hash) == (4, records[-1].hash)
    assert verify_chain(db, bare_tenant.id).ok


def test_a_rolled_back_savepoint_forgets_the_held_head(db, bare_tenant):
    """Appends in a savepoint that rolls back are undone with it: the next append reads the head again, so its seq
    and previous hash follow the last record kept (not the undone one)."""
    with db.tenant_session(bare_tenant.id) as s:
        audit(s, "r.kept")
        with pytest.raises(RuntimeError), s.begin_nested():
            audit(s, "r.undone")
            raise RuntimeError("the step failed")
        audit(s, "r.next")
        with s.begin_nested():  # a released savepoint keeps what it appended
            audit(s, "r.released")
        audit(s, "r.last")
    records = _all(db, bare_tenant.id)
    assert [(r.seq, r.action) for r in records] == [(1, "r.kept"), (2, "r.next"), (3, "r.released"), (4, "r.last")]
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    assert verify_chain(db, bare_tenant.id).ok
