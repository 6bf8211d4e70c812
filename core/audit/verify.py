"""Walking a tenant's audit chain, against its signed checkpoints, and naming the first broken link."""

from __future__ import annotations

import hmac
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from surety.core.audit.canonical import ZERO_HASH, record_hash
from surety.core.audit.checkpoint import Checkpoint, CheckpointInvalid, load_checkpoints
from surety.core.audit.keys import LEGACY_KEY_ID, AuditKeyUnavailable, record_mac
from surety.core.audit.models import AuditChainHead, AuditRecord
from surety.core.db.session import Database

#: The stored hash does not match the record's content: the record was edited.
HASH_MISMATCH = "hash_mismatch"
#: A sequence number is missing: a record was deleted.
SEQ_GAP = "seq_gap"
#: The record does not link to its predecessor: records were reordered or one was inserted.
PREV_HASH_MISMATCH = "prev_hash_mismatch"
#: The chain does not end where its head says: records were removed at (or added past) the end.
HEAD_MISMATCH = "head_mismatch"
#: The chain is shorter than a checkpoint saw it: records were removed from the end, or the whole log deleted.
TRUNCATED = "truncated"
#: The record at a checkpoint's seq is not the one the checkpoint saw: the chain was rewritten up to there.
CHECKPOINT_MISMATCH = "checkpoint_mismatch"
#: A checkpoint does not parse or its signature does not match: forged or altered.
CHECKPOINT_INVALID = "checkpoint_invalid"
#: An unkeyed (plain SHA-256) record after a keyed record or past the last checkpoint: legacy records only form the
#: start of a chain (written before this release), so this one was rewritten or added without the audit key.
UNKEYED_RECORD = "unkeyed_record"
#: The record names an audit key this process does not hold, so it cannot be checked.
UNKNOWN_KEY = "unknown_key"

_COLUMNS = (
    "id", "seq", "tenant_id", "occurred_at", "actor_type", "actor_id", "action", "entity_type", "entity_id",
    "before", "after", "request_id", "client_addr", "prev_hash", "hash", "key_id",
)


@dataclass(frozen=True)
class VerifyResult:
    """``ok``, or the first broken record (``broken_seq``; ``broken_id`` when the record exists), a ``problem``
    code and a message. ``checked`` is the number of records found intact before the first break; ``last_hash``
    the hash of the last of them; ``checkpoints`` the number of signed checkpoints the chain was checked against
    (none: the chain is not anchored, and records removed from its end cannot be detected)."""

    ok: bool
    checked: int
    problem: str | None = None
    broken_seq: int | None = None
    broken_id: uuid.UUID | None = None
    message: str = ""
    last_hash: str = ZERO_HASH
    checkpoints: int = 0

    def __bool__(self) -> bool:
        return self.ok

    @property
    def anchored(self) -> bool:
        return self.checkpoints > 0

    # Short names used by the CLI.
    @property
    def seq(self) -> int | None:
        return self.broken_seq

    @property
    def record_id(self) -> uuid.UUID | None:
        return self.broken_id

    @property
    def reason(self) -> str:
        return f"{self.problem}: {self.message}" if self.problem else self.message


def verify_chain(db: Database, tenant_id: uuid.UUID, *, progress: Callable[[int, int], None] | None = None,
                 batch_size: int = 1000, checkpoint_dir: str | os.PathLike | None = None) -> VerifyResult:
    """Check every record of ``tenant_id`` in seq order, fetched in batches of ``batch_size``, and the chain
    against every checkpoint in ``checkpoint_dir`` (default: the configured directory).

    Records and chain head are read by one statement, so the walk sees one consistent state even while other
    transactions append. ``progress(done, total)`` is called after each batch.
    """
    try:
        checkpoints = load_checkpoints(tenant_id, checkpoint_dir)
    except CheckpointInvalid as exc:
        return VerifyResult(False, 0, CHECKPOINT_INVALID, None, None, str(exc))
    return walk_chain(db, tenant_id, checkpoints, progress=progress, batch_size=batch_size)


def walk_chain(db: Database, tenant_id: uuid.UUID, checkpoints: Sequence[Checkpoint], *,
               start: Checkpoint | None = None, progress: Callable[[int, int], None] | None = None,
               batch_size: int = 1000) -> VerifyResult:
    """:func:`verify_chain` with the (already checked) ``checkpoints``. With ``start``, the walk begins at that
    checkpoint's record instead of the first: everything before is taken as pinned by it (checkpoint writing)."""
    walk = _Walk(tenant_id, checkpoints, start)
    stmt = (
        select(*(getattr(AuditRecord, c) for c in _COLUMNS),
               AuditChainHead.last_seq.label("head_seq"), AuditChainHead.last_hash.label("head_hash"))
        .outerjoin(AuditChainHead, AuditChainHead.tenant_id == AuditRecord.tenant_id)
        .where(AuditRecord.tenant_id == tenant_id)
        .order_by(AuditRecord.seq)
        .execution_options(yield_per=batch_size)
    )
    if walk.start_seq > 0:
        stmt = stmt.where(AuditRecord.seq >= walk.start_seq)
    head: tuple[int, str] | None = None
    with db.tenant_session(tenant_id) as session:
        total = session.scalar(select(func.count()).where(AuditRecord.tenant_id == tenant_id)) if progress else 0
        result = session.execute(stmt)
        try:
            for batch in result.partitions():
                for row in batch:
                    head = None if row.head_seq is None else (row.head_seq, row.head_hash)
                    problem = walk.check(row, head)
                    if problem:
                        return walk.broken(problem[0], row.seq, row.id, problem[1])
                if progress:
                    progress(walk.checked, max(total, walk.checked))
        finally:
            result.close()
        if walk.rows == 0:
            row = session.execute(select(AuditChainHead.last_seq, AuditChainHead.last_hash)).one_or_none()
            head = None if row is None else (row.last_seq, row.last_hash)
    return walk.finish(head)


class _Walk:
    """The state of one walk: the last intact record, the checkpoints by seq, whether a keyed record was met."""

    def __init__(self, tenant_id: uuid.UUID, checkpoints: Sequence[Checkpoint], start: Checkpoint | None):
        self.tenant_id = tenant_id
        self.checkpoints = sorted(checkpoints, key=lambda cp: cp.seq)
        self.start_seq = start.seq if start is not None else 0
        self.start = start if self.start_seq > 0 else None
        self.at_seq: dict[int, list[Checkpoint]] = {}
        for cp in self.checkpoints:
            if cp.seq > 0:
                self.at_seq.setdefault(cp.seq, []).append(cp)
        self.pinned_seq = self.checkpoints[-1].seq if self.checkpoints else 0
        self.checked = max(self.start_seq - 1, 0)
        self.expected_prev: str | None = ZERO_HASH if self.start is None else None  # None: not checked
        self.last_hash, self.last_id, self.rows = ZERO_HASH, None, 0
        self.keyed_seen = False
        self.keys: dict[str, hmac.HMAC | None] = {}

    def broken(self, problem: str, seq: int | None, record_id: uuid.UUID | None, message: str) -> VerifyResult:
        return VerifyResult(False, self.checked, problem, seq, record_id, message, self.last_hash,
                            len(self.checkpoints))

    def _key(self, key_id: str) -> hmac.HMAC | None:
        if key_id not in self.keys:
            self.keys[key_id] = record_mac(key_id, self.tenant_id)
        return self.keys[key_id]

    def check(self, row, head: tuple[int, str] | None) -> tuple[str, str] | None:
        problem = self._check(row, head)
        if problem is None:
            self.rows += 1
            self.checked, self.last_hash, self.last_id, self.expected_prev = row.seq, row.hash, row.id, row.hash
        return problem

    def _check(self, row, head: tuple[int, str] | None) -> tuple[str, str] | None:
        expected_seq = self.checked + 1
        if head is not None and row.seq > head[0]:
            return (HEAD_MISMATCH,
                    f"Record {row.seq} lies past the chain head ({head[0]}): it was added outside the chain.")
        if row.seq != expected_seq:
            missing = f"{expected_seq}" if row.seq == expected_seq + 1 else f"{expected_seq}-{row.seq - 1}"
            after = f"follows record {expected_seq - 1}" if expected_seq > 1 else "starts the chain"
            return SEQ_GAP, f"Record {row.seq} {after}: record(s) {missing} were deleted."
        try:
            key = self._key(row.key_id)
        except AuditKeyUnavailable as exc:
            return UNKNOWN_KEY, f"Record {row.seq} cannot be checked: {exc}."
        if record_hash(row, key) != row.hash:
            return HASH_MISMATCH, f"Record {row.seq} does not match its hash: it was edited."
        if self.expected_prev is not None and row.prev_hash != self.expected_prev:
            return (PREV_HASH_MISMATCH,
                    f"Record {row.seq} does not link to record {row.seq - 1}: records were reordered or inserted.")
        for cp in self.at_seq.get(row.seq, ()):
            if cp.hash != row.hash or cp.count != row.seq:
                return (CHECKPOINT_MISMATCH,
                        f"Record {row.seq} is not the one {cp.describe()} saw: the chain was rewritten up to here.")
        if row.key_id != LEGACY_KEY_ID:
            self.keyed_seen = True
        elif self.keyed_seen:
            return (UNKEYED_RECORD, f"Record {row.seq} carries a plain SHA-256 hash after keyed records: "
                                    "it was rewritten or added without the audit key.")
        elif self.checkpoints and row.seq > self.pinned_seq:
            return (UNKEYED_RECORD, f"Record {row.seq} carries a plain SHA-256 hash past "
                                    f"{self.checkpoints[-1].describe()}: it was rewritten or added without the "
                                    "audit key.")
        return None

    def finish(self, head: tuple[int, str] | None) -> VerifyResult:
        checked, n_cp = self.checked, len(self.checkpoints)
        beyond = [cp for cp in self.checkpoints if cp.seq > checked]
        if beyond:
            cp = beyond[-1]
            if checked == 0:
                message = f"The audit log is empty but {cp.describe()} saw {cp.count} records: the log was deleted."
            elif self.rows == 0:  # a walk from a checkpoint found not even that checkpoint's record
                message = f"Record {checked + 1}, which {cp.describe()} saw, is missing: records were removed."
            else:
                message = (f"The chain ends at record {checked} but {cp.describe()} saw {cp.count} records: "
                           "records were removed from the end.")
            return self.broken(TRUNCATED, checked + 1, None, message)
        if checked == 0 and (head is None or head[0] == 0):
            return VerifyResult(True, 0, message="The audit chain is empty.", checkpoints=n_cp)
        if head is None:
            return self.broken(HEAD_MISMATCH, None, None,
                               "The chain head is missing: the chain cannot be proven complete.")
        if head[0] > checked:
            return self.broken(HEAD_MISMATCH, checked + 1, None,
                               f"The chain ends at record {checked} but its head says {head[0]}: "
                               "records were removed from the end.")
        if head[1] != self.last_hash:
            return VerifyResult(False, checked - 1, HEAD_MISMATCH, checked, self.last_id,
                                f"Record {checked} does not match the chain head: the end of the chain was altered.",
                                checkpoints=n_cp)
        return VerifyResult(True, checked, message=f"All {checked} records are intact.", last_hash=self.last_hash,
                            checkpoints=n_cp)
