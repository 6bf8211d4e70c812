"""Signed checkpoints outside the database: truncation, a deleted log, rewrites and downgrades to unkeyed hashes are
detected; forged checkpoints are refused; legacy (pre-keyed) records still verify."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import uuid

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, insert, update

from surety.core.audit.canonical import ZERO_HASH, hash_content
from surety.core.audit.checkpoint import (
    AuditChainBroken,
    CheckpointInvalid,
    checkpoint_path,
    load_checkpoints,
    write_checkpoint,
)
from surety.core.audit.keys import record_key
from surety.core.audit.log import audit
from surety.core.audit.models import AuditChainHead, AuditRecord
from surety.core.audit.verify import (
    CHECKPOINT_INVALID,
    CHECKPOINT_MISMATCH,
    HASH_MISMATCH,
    TRUNCATED,
    UNKEYED_RECORD,
    verify_chain,
)
from surety.core.db.base import uuid7
from surety.core.db.types import utcnow
from surety.core.settings import get_settings

AUDIT_LOG = AuditRecord.__table__
HEADS = AuditChainHead.__table__
FIELDS = ("tenant_id", "id", "occurred_at", "actor_type", "actor_id", "action", "entity_type", "entity_id",
          "before", "after", "request_id", "client_addr", "prev_hash", "key_id")


@pytest.fixture
def anchors(tmp_path):
    """The checkpoint directory of the test (outside the database)."""
    return tmp_path / "anchors"


def _append(db, tenant_id, n: int, start: int = 1) -> list[AuditRecord]:
    with db.tenant_session(tenant_id) as s:
        return [audit(s, f"step.{i}", entity_type="thing", entity_id=str(i), after={"i": i})
                for i in range(start, start + n)]


def _where(tenant_id, seq):
    return (AUDIT_LOG.c.tenant_id == tenant_id) & (AUDIT_LOG.c.seq == seq)


def _fields(rec, **changes) -> dict:
    out = {name: getattr(rec, name) for name in FIELDS}
    out.update(changes)
    return out


def _rewrite(tamper, tenant_id, recs, first: int, hasher, **changes):
    """Rewrite records ``first``.. of ``recs`` (1-based seq) as an attacker would: change record ``first``, recompute
    every hash from there with ``hasher(fields) -> (key_id, hash)`` and move the head to the new last hash."""
    statements, prev = [], recs[first - 2].hash if first > 1 else ZERO_HASH
    for rec in recs[first - 1:]:
        fields = _fields(rec, prev_hash=prev, **(changes if rec.seq == first else {}))
        fields["key_id"], new_hash = hasher(fields)
        statements.append(update(AUDIT_LOG).where(_where(tenant_id, rec.seq))
                          .values(**{k: fields[k] for k in ("action", "prev_hash", "key_id")}, hash=new_hash))
        prev = new_hash
    statements.append(update(HEADS).where(HEADS.c.tenant_id == tenant_id).values(last_hash=prev))
    tamper(tenant_id, *statements)


def _plain_sha256(fields):
    return "", hash_content(fields)


def test_checkpoints_are_signed_json_lines_written_when_the_chain_moved(db, bare_tenant, anchors):
    t = bare_tenant.id
    recs = _append(db, t, 3)
    cp, written = write_checkpoint(db, t, directory=anchors)
    assert written and (cp.seq, cp.hash, cp.count, cp.key_id) == (3, recs[-1].hash, 3, get_settings().audit_key_id)
    path = checkpoint_path(t, anchors)
    assert path == anchors / f"{t}.jsonl"
    (line,) = path.read_text().splitlines()
    doc = json.loads(line)
    assert {k: doc[k] for k in ("v", "tenant_id", "seq", "hash", "count", "key_id")} == {
        "v": 1, "tenant_id": str(t), "seq": 3, "hash": recs[-1].hash, "count": 3, "key_id": cp.key_id}
    # The signature: HMAC-SHA256 of the canonical JSON of the other fields, with the tenant's checkpoint subkey.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"surety/audit/checkpoint/v1|" + t.bytes).derive(get_settings().audit_key)
    unsigned = json.dumps({k: v for k, v in doc.items() if k != "sig"}, sort_keys=True, separators=(",", ":"))
    assert doc["sig"] == hmac.new(key, unsigned.encode(), hashlib.sha256).hexdigest()

    assert write_checkpoint(db, t, directory=anchors) == (cp, False)  # unchanged chain: nothing written
    assert len(path.read_text().splitlines()) == 1
    more = _append(db, t, 2, start=4)
    cp2, written = write_checkpoint(db, t, directory=anchors)
    assert written and (cp2.seq, cp2.hash) == (5, more[-1].hash)
    assert [c.seq for c in load_checkpoints(t, anchors)] == [3, 5]
    result = verify_chain(db, t, checkpoint_dir=anchors)
    assert result.ok and result.anchored and result.checkpoints == 2 and result.checked == 5


def test_default_directory_is_the_configured_one(db, bare_tenant):
    _append(db, bare_tenant.id, 1)
    write_checkpoint(db, bare_tenant.id)
    settings = get_settings()
    assert checkpoint_path(bare_tenant.id).parent == settings.audit_checkpoint_dir
    assert checkpoint_path(bare_tenant.id).exists()
    assert verify_chain(db, bare_tenant.id).anchored


def test_whole_log_and_head_deleted_is_detected_given_a_checkpoint(db, bare_tenant, tamper, anchors, tmp_path):
    t = bare_tenant.id
    _append(db, t, 4)
    write_checkpoint(db, t, directory=anchors)
    tamper(t, delete(AUDIT_LOG).where(AUDIT_LOG.c.tenant_id == t), delete(HEADS).where(HEADS.c.tenant_id == t))
    result = verify_chain(db, t, checkpoint_dir=anchors)
    assert (result.ok, result.problem, result.broken_seq, result.broken_id, result.checked) == (
        False, TRUNCATED, 1, None, 0)
    assert "saw 4 records: the log was deleted" in result.message
    assert verify_chain(db, t, checkpoint_dir=tmp_path / "elsewhere").ok  # what the database alone proves
    with pytest.raises(AuditChainBroken) as err:
        write_checkpoint(db, t, directory=anchors)
    assert err.value.result.problem == TRUNCATED


def test_cut_tail_with_rewound_head_is_detected(db, bare_tenant, tamper, anchors, tmp_path):
    t = bare_tenant.id
    recs = _append(db, t, 6)
    write_checkpoint(db, t, directory=anchors)
    tamper(t, delete(AUDIT_LOG).where(AUDIT_LOG.c.tenant_id == t, AUDIT_LOG.c.seq >= 4),
           update(HEADS).where(HEADS.c.tenant_id == t).values(last_seq=3, last_hash=recs[2].hash))
    result = verify_chain(db, t, checkpoint_dir=anchors)
    assert (result.problem, result.broken_seq, result.broken_id, result.checked) == (TRUNCATED, 4, None, 3)
    assert "ends at record 3" in result.message and "removed from the end" in result.message
    assert verify_chain(db, t, checkpoint_dir=tmp_path / "elsewhere").ok  # what the database alone proves


def test_record_rehashed_with_plain_sha256_is_refused(db, bare_tenant, tamper):
    t = bare_tenant.id
    recs = _append(db, t, 4)
    forged = _fields(recs[2], action="step.forged")
    tamper(t, update(AUDIT_LOG).where(_where(t, 3)).values(action="step.forged", hash=hash_content(forged)))
    result = verify_chain(db, t)
    assert (result.problem, result.broken_seq, result.broken_id) == (HASH_MISMATCH, 3, recs[2].id)


def test_tail_downgraded_to_unkeyed_sha256_is_refused(db, bare_tenant, tamper):
    """No key needed to recompute SHA-256: the attacker marks records 3.. unkeyed, recomputes them and the head."""
    t = bare_tenant.id
    recs = _append(db, t, 5)
    _rewrite(tamper, t, recs, 3, _plain_sha256, action="step.forged")
    result = verify_chain(db, t)
    assert (result.ok, result.problem, result.broken_seq, result.broken_id) == (False, UNKEYED_RECORD, 3, recs[2].id)
    assert "without the audit key" in result.message


def test_whole_chain_downgraded_is_refused_given_a_checkpoint(db, bare_tenant, tamper, anchors):
    t = bare_tenant.id
    recs = _append(db, t, 3)
    write_checkpoint(db, t, directory=anchors)
    recs += _append(db, t, 2, start=4)
    _rewrite(tamper, t, recs, 1, _plain_sha256, action="step.forged")
    result = verify_chain(db, t, checkpoint_dir=anchors)
    assert (result.problem, result.broken_seq, result.broken_id) == (CHECKPOINT_MISMATCH, 3, recs[2].id)


def test_chain_recomputed_with_a_wrong_key_is_refused(db, bare_tenant, tamper):
    t = bare_tenant.id
    recs = _append(db, t, 4)
    guess = os.urandom(32)
    _rewrite(tamper, t, recs, 2, lambda f: (f["key_id"], hash_content(f, guess)), action="step.forged")
    result = verify_chain(db, t)
    assert (result.problem, result.broken_seq, result.broken_id) == (HASH_MISMATCH, 2, recs[1].id)


def test_rewrite_by_a_key_holder_is_caught_at_the_next_checkpoint(db, bare_tenant, tamper, anchors):
    """Even with the audit key (an insider), a chain rewritten consistently up to a checkpoint is detected there."""
    t = bare_tenant.id
    recs = _append(db, t, 4)
    write_checkpoint(db, t, directory=anchors)
    _rewrite(tamper, t, recs, 2, lambda f: (f["key_id"], hash_content(f, record_key(f["key_id"], t))),
             action="step.forged")
    result = verify_chain(db, t, checkpoint_dir=anchors)
    assert (result.problem, result.broken_seq, result.broken_id) == (CHECKPOINT_MISMATCH, 4, recs[3].id)
    assert "rewritten" in result.message


def _forge_seq(doc: dict) -> dict:
    return dict(doc, seq=1, count=1)


def _resign_with_other_key(doc: dict) -> dict:
    unsigned = json.dumps({k: v for k, v in doc.items() if k != "sig"}, sort_keys=True, separators=(",", ":"))
    return dict(doc, sig=hmac.new(os.urandom(32), unsigned.encode(), hashlib.sha256).hexdigest())


@pytest.mark.parametrize("forge, message", [
    (_forge_seq, "bad signature"),
    (_resign_with_other_key, "bad signature"),
    (lambda doc: dict(doc, key_id="stolen"), "cannot be checked: audit key 'stolen' is not configured"),
    (lambda doc: dict(doc, tenant_id=str(uuid.uuid4())), "belongs to another tenant"),
    (lambda doc: {"seq": 9}, "unreadable"),
])
def test_forged_checkpoint_is_refused(db, bare_tenant, anchors, forge, message):
    t = bare_tenant.id
    _append(db, t, 3)
    write_checkpoint(db, t, directory=anchors)
    path = checkpoint_path(t, anchors)
    path.write_text(json.dumps(forge(json.loads(path.read_text()))) + "\n")
    result = verify_chain(db, t, checkpoint_dir=anchors)
    assert (result.ok, result.problem) == (False, CHECKPOINT_INVALID)
    assert f"{t}.jsonl line 1" in result.message and message in result.message
    with pytest.raises(CheckpointInvalid, match=message):
        write_checkpoint(db, t, directory=anchors)


def test_a_broken_chain_gets_no_checkpoint(db, bare_tenant, tamper, anchors):
    t = bare_tenant.id
    _append(db, t, 3)
    tamper(t, update(AUDIT_LOG).where(_where(t, 2)).values(action="forged"))
    with pytest.raises(AuditChainBroken) as err:
        write_checkpoint(db, t, directory=anchors)
    assert (err.value.result.problem, err.value.result.broken_seq) == (HASH_MISMATCH, 2)
    assert not checkpoint_path(t, anchors).exists()


def test_checkpointing_checks_the_records_since_the_last_checkpoint(db, bare_tenant, tamper, anchors):
    t = bare_tenant.id
    _append(db, t, 3)
    write_checkpoint(db, t, directory=anchors)
    _append(db, t, 2, start=4)
    tamper(t, update(AUDIT_LOG).where(_where(t, 5)).values(action="forged"))
    with pytest.raises(AuditChainBroken) as err:
        write_checkpoint(db, t, directory=anchors)
    assert (err.value.result.problem, err.value.result.broken_seq) == (HASH_MISMATCH, 5)
    assert [c.seq for c in load_checkpoints(t, anchors)] == [3]


def test_empty_chain_checkpoint_pins_that_no_legacy_record_exists(db, bare_tenant, tamper, anchors):
    t = bare_tenant.id
    cp, written = write_checkpoint(db, t, directory=anchors)
    assert written and (cp.seq, cp.hash, cp.count) == (0, ZERO_HASH, 0)
    assert verify_chain(db, t, checkpoint_dir=anchors).ok
    _legacy(tamper, t, 1)  # an unkeyed "pre-release" record that appears later is a forgery
    result = verify_chain(db, t, checkpoint_dir=anchors)
    assert (result.problem, result.broken_seq) == (UNKEYED_RECORD, 1)


# ---------------------------------------------------------------- legacy records --------------------------------------
def _legacy(tamper, tenant_id, n: int, *, after: tuple[int, str] = (0, ZERO_HASH)) -> list[dict]:
    """Write ``n`` unkeyed records (plain SHA-256, key_id '') as the previous release did, and move the head."""
    seq, prev = after
    rows, statements = [], []
    for _ in range(n):
        seq += 1
        row = {"tenant_id": tenant_id, "id": uuid7(), "seq": seq, "occurred_at": utcnow(), "actor_type": "system",
               "actor_id": None, "action": f"old.{seq}", "entity_type": None, "entity_id": None, "before": None,
               "after": {"n": seq}, "request_id": None, "client_addr": None, "prev_hash": prev, "key_id": ""}
        row["hash"] = prev = hash_content(row)
        rows.append(row)
        statements.append(insert(AUDIT_LOG).values(**row))
    if after[0] == 0:
        statements.append(insert(HEADS).values(tenant_id=tenant_id, id=uuid7(), last_seq=seq, last_hash=prev))
    else:
        statements.append(update(HEADS).where(HEADS.c.tenant_id == tenant_id).values(last_seq=seq, last_hash=prev))
    tamper(tenant_id, *statements)
    return rows


def test_legacy_records_still_verify_and_keyed_records_follow_them(db, bare_tenant, tamper, anchors):
    t = bare_tenant.id
    old = _legacy(tamper, t, 3)
    result = verify_chain(db, t, checkpoint_dir=anchors)
    assert result.ok and result.checked == 3 and not result.anchored
    new = _append(db, t, 2, start=4)
    assert new[0].prev_hash == old[-1]["hash"] and new[0].key_id == get_settings().audit_key_id
    cp, _ = write_checkpoint(db, t, directory=anchors)
    result = verify_chain(db, t, checkpoint_dir=anchors)
    assert result.ok and result.checked == 5 and result.anchored and cp.seq == 5


def test_legacy_record_edited_is_still_named(db, bare_tenant, tamper):
    t = bare_tenant.id
    old = _legacy(tamper, t, 3)
    tamper(t, update(AUDIT_LOG).where(_where(t, 2)).values(action="forged"))
    result = verify_chain(db, t)
    assert (result.problem, result.broken_seq, result.broken_id) == (HASH_MISMATCH, 2, old[1]["id"])


def test_unkeyed_record_past_the_last_checkpoint_is_refused(db, bare_tenant, tamper, anchors):
    """A legacy chain anchored by a checkpoint: an unkeyed record added after it is a forgery, even once the
    application has appended a keyed record on top of it."""
    t = bare_tenant.id
    old = _legacy(tamper, t, 2)
    write_checkpoint(db, t, directory=anchors)
    smuggled = _legacy(tamper, t, 1, after=(2, old[-1]["hash"]))
    _append(db, t, 1, start=4)
    result = verify_chain(db, t, checkpoint_dir=anchors)
    assert (result.problem, result.broken_seq, result.broken_id) == (UNKEYED_RECORD, 3, smuggled[0]["id"])
    assert "past the checkpoint" in result.message
