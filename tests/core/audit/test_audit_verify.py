"""verify_chain: an intact chain passes; an edited, deleted, reordered or truncated record is named."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, insert, update

from surety.core.audit.canonical import CONTENT_FIELDS, hash_content
from surety.core.audit.keys import record_key
from surety.core.audit.log import audit
from surety.core.audit.models import AuditChainHead, AuditRecord
from surety.core.audit.verify import (
    HASH_MISMATCH,
    HEAD_MISMATCH,
    PREV_HASH_MISMATCH,
    SEQ_GAP,
    VerifyResult,
    verify_chain,
)
from surety.tenants.models import Tenant

AUDIT_LOG = AuditRecord.__table__


def _append(db, tenant_id, n: int) -> list[AuditRecord]:
    out = []
    with db.tenant_session(tenant_id) as s:
        for i in range(n):
            out.append(audit(s, f"step.{i + 1}", entity_type="thing", entity_id=str(i + 1), after={"i": i + 1}))
    return out


def _where(tenant_id, seq):
    return (AUDIT_LOG.c.tenant_id == tenant_id) & (AUDIT_LOG.c.seq == seq)


def test_intact_chain_verifies_with_progress(db, bare_tenant):
    recs = _append(db, bare_tenant.id, 7)
    calls = []
    result = verify_chain(db, bare_tenant.id, progress=lambda done, total: calls.append((done, total)),
                          batch_size=3)
    assert result == VerifyResult(True, 7, message="All 7 records are intact.", last_hash=recs[-1].hash)
    assert not result.anchored  # no checkpoint yet
    assert bool(result) is True
    assert calls == [(3, 7), (6, 7), (7, 7)]


def test_empty_chain_is_ok(db, bare_tenant):
    result = verify_chain(db, bare_tenant.id)
    assert result.ok and result.checked == 0


def test_edited_record_is_named(db, bare_tenant, tamper):
    recs = _append(db, bare_tenant.id, 5)
    tamper(bare_tenant.id, update(AUDIT_LOG).where(_where(bare_tenant.id, 3)).values(after={"i": 999}))
    result = verify_chain(db, bare_tenant.id, batch_size=2)
    assert not result.ok
    assert (result.problem, result.broken_seq, result.broken_id, result.checked) == (HASH_MISMATCH, 3, recs[2].id, 2)
    assert "edited" in result.message
    assert (result.seq, result.record_id) == (3, recs[2].id)  # the CLI's short names
    assert result.reason == f"hash_mismatch: {result.message}"


def _fields(rec: AuditRecord, **changes) -> dict:
    out = {name: getattr(rec, name) for name in (*CONTENT_FIELDS, "prev_hash", "key_id")}
    out.update(changes)
    return out


def _rehash(fields: dict) -> str:
    """The hash an insider holding the audit key computes for forged content."""
    return hash_content(fields, record_key(fields["key_id"], fields["tenant_id"]))


def test_edited_and_rehashed_record_breaks_the_next_link(db, bare_tenant, tamper):
    recs = _append(db, bare_tenant.id, 4)
    forged = _fields(recs[1], action="step.forged")
    tamper(bare_tenant.id, update(AUDIT_LOG).where(_where(bare_tenant.id, 2))
           .values(action="step.forged", hash=_rehash(forged)))
    result = verify_chain(db, bare_tenant.id)
    assert (result.problem, result.broken_seq, result.broken_id) == (PREV_HASH_MISMATCH, 3, recs[2].id)


def test_deleted_record_is_named(db, bare_tenant, tamper):
    recs = _append(db, bare_tenant.id, 5)
    tamper(bare_tenant.id, delete(AUDIT_LOG).where(_where(bare_tenant.id, 2)))
    result = verify_chain(db, bare_tenant.id)
    assert (result.problem, result.broken_seq, result.broken_id) == (SEQ_GAP, 3, recs[2].id)
    assert "record(s) 2 were deleted" in result.message


def test_deleted_first_record_is_detected(db, bare_tenant, tamper):
    recs = _append(db, bare_tenant.id, 3)
    tamper(bare_tenant.id, delete(AUDIT_LOG).where(_where(bare_tenant.id, 1)))
    result = verify_chain(db, bare_tenant.id)
    assert (result.problem, result.broken_seq, result.broken_id) == (SEQ_GAP, 2, recs[1].id)


def test_reordered_records_are_named(db, bare_tenant, tamper):
    recs = _append(db, bare_tenant.id, 5)
    t = bare_tenant.id
    tamper(t,
           update(AUDIT_LOG).where(_where(t, 2)).values(seq=-2),
           update(AUDIT_LOG).where(_where(t, 3)).values(seq=2),
           update(AUDIT_LOG).where(_where(t, -2)).values(seq=3))
    result = verify_chain(db, t)
    # position 2 now holds the old third record: intact by itself, but it links to the old second one
    assert (result.problem, result.broken_seq, result.broken_id) == (PREV_HASH_MISMATCH, 2, recs[2].id)
    assert "reordered" in result.message


def test_truncated_end_is_detected(db, bare_tenant, tamper):
    _append(db, bare_tenant.id, 4)
    tamper(bare_tenant.id, delete(AUDIT_LOG).where(AUDIT_LOG.c.tenant_id == bare_tenant.id, AUDIT_LOG.c.seq >= 3))
    result = verify_chain(db, bare_tenant.id)
    assert (result.problem, result.broken_seq, result.broken_id, result.checked) == (HEAD_MISMATCH, 3, None, 2)
    assert "removed from the end" in result.message


def test_edited_and_rehashed_last_record_is_caught_by_the_head(db, bare_tenant, tamper):
    recs = _append(db, bare_tenant.id, 3)
    forged = _fields(recs[2], action="step.forged")
    tamper(bare_tenant.id, update(AUDIT_LOG).where(_where(bare_tenant.id, 3))
           .values(action="step.forged", hash=_rehash(forged)))
    result = verify_chain(db, bare_tenant.id)
    assert (result.problem, result.broken_seq, result.broken_id, result.checked) == (HEAD_MISMATCH, 3, recs[2].id, 2)


def test_record_appended_past_the_head_is_named(db, bare_tenant, tamper):
    recs = _append(db, bare_tenant.id, 2)
    extra = _fields(recs[1], id=uuid.uuid4(), action="step.smuggled", prev_hash=recs[1].hash)
    tamper(bare_tenant.id, insert(AUDIT_LOG).values(**extra, seq=3, hash=_rehash(extra)))
    result = verify_chain(db, bare_tenant.id)
    assert (result.problem, result.broken_seq, result.broken_id) == (HEAD_MISMATCH, 3, extra["id"])
    assert "past the chain head" in result.message


def test_missing_head_is_reported(db, bare_tenant, tamper):
    _append(db, bare_tenant.id, 2)
    heads = AuditChainHead.__table__
    tamper(bare_tenant.id, delete(heads).where(heads.c.tenant_id == bare_tenant.id))
    result = verify_chain(db, bare_tenant.id)
    assert (result.ok, result.problem, result.broken_seq, result.checked) == (False, HEAD_MISMATCH, None, 2)
    assert "head is missing" in result.message


def test_fully_emptied_chain_is_detected(db, bare_tenant, tamper):
    _append(db, bare_tenant.id, 2)
    tamper(bare_tenant.id, delete(AUDIT_LOG).where(AUDIT_LOG.c.tenant_id == bare_tenant.id))
    result = verify_chain(db, bare_tenant.id)
    assert (result.ok, result.problem, result.broken_seq) == (False, HEAD_MISMATCH, 1)


def test_other_tenants_tampering_does_not_affect_this_chain(db, bare_tenant, tamper):
    with db.platform_session() as s:
        other = Tenant(id=uuid.uuid4(), slug=f"o-{uuid.uuid4().hex[:8]}", name="O", enabled_plugins=["core"])
        s.add(other)
    _append(db, bare_tenant.id, 2)
    _append(db, other.id, 2)
    tamper(other.id, update(AUDIT_LOG).where(_where(other.id, 1)).values(action="forged"))
    assert verify_chain(db, bare_tenant.id).ok
    assert verify_chain(db, other.id).problem == HASH_MISMATCH


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_verify_is_independent_of_batch_size(db, bare_tenant, tamper, batch_size):
    recs = _append(db, bare_tenant.id, 4)
    tamper(bare_tenant.id, update(AUDIT_LOG).where(_where(bare_tenant.id, 4)).values(actor_id="mallory"))
    result = verify_chain(db, bare_tenant.id, batch_size=batch_size)
    assert (result.problem, result.broken_seq, result.broken_id) == (HASH_MISMATCH, 4, recs[3].id)
