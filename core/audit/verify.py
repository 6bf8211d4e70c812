"""Walking a tenant's audit chain and naming the first broken link."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from surety.core.audit.canonical import ZERO_HASH, record_hash
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

_COLUMNS = (
    "id", "seq", "tenant_id", "occurred_at", "actor_type", "actor_id", "action", "entity_type", "entity_id",
    "before", "after", "request_id", "client_addr", "prev_hash", "hash",
)


@dataclass(frozen=True)
class VerifyResult:
    """``ok``, or the first broken record (``broken_seq``; ``broken_id`` when the record exists), a ``problem``
    code and a message. ``checked`` is the number of records found intact before the first break."""

    ok: bool
    checked: int
    problem: str | None = None
    broken_seq: int | None = None
    broken_id: uuid.UUID | None = None
    message: str = ""

    def __bool__(self) -> bool:
        return self.ok

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
                 batch_size: int = 1000) -> VerifyResult:
    """Check every record of ``tenant_id`` in seq order, fetched in batches of ``batch_size``.

    Records and chain head are read by one statement, so the walk sees one consistent state even while other
    transactions append. ``progress(done, total)`` is called after each batch.
    """
    stmt = (
        select(*(getattr(AuditRecord, c) for c in _COLUMNS),
               AuditChainHead.last_seq.label("head_seq"), AuditChainHead.last_hash.label("head_hash"))
        .outerjoin(AuditChainHead, AuditChainHead.tenant_id == AuditRecord.tenant_id)
        .where(AuditRecord.tenant_id == tenant_id)
        .order_by(AuditRecord.seq)
        .execution_options(yield_per=batch_size)
    )
    checked, expected_prev, last_id = 0, ZERO_HASH, None
    head: tuple[int, str] | None = None
    with db.tenant_session(tenant_id) as session:
        total = session.scalar(select(func.count()).where(AuditRecord.tenant_id == tenant_id)) if progress else 0
        result = session.execute(stmt)
        try:
            for batch in result.partitions():
                for row in batch:
                    head = None if row.head_seq is None else (row.head_seq, row.head_hash)
                    problem = _check(row, checked + 1, expected_prev, head)
                    if problem:
                        return VerifyResult(False, checked, problem[0], row.seq, row.id, problem[1])
                    checked, expected_prev, last_id = row.seq, row.hash, row.id
                if progress:
                    progress(checked, max(total, checked))
        finally:
            result.close()
        if checked == 0:
            row = session.execute(select(AuditChainHead.last_seq, AuditChainHead.last_hash)).one_or_none()
            head = None if row is None else (row.last_seq, row.last_hash)

    if checked == 0 and (head is None or head[0] == 0):
        return VerifyResult(True, 0, message="The audit chain is empty.")
    if head is None:
        return VerifyResult(False, checked, HEAD_MISMATCH, None, None,
                            "The chain head is missing: the chain cannot be proven complete.")
    if head[0] > checked:
        return VerifyResult(False, checked, HEAD_MISMATCH, checked + 1, None,
                            f"The chain ends at record {checked} but its head says {head[0]}: "
                            "records were removed from the end.")
    if head[1] != expected_prev:
        return VerifyResult(False, checked - 1, HEAD_MISMATCH, checked, last_id,
                            f"Record {checked} does not match the chain head: the end of the chain was altered.")
    return VerifyResult(True, checked, message=f"All {checked} records are intact.")


def _check(row, expected_seq: int, expected_prev: str, head: tuple[int, str] | None) -> tuple[str, str] | None:
    if head is not None and row.seq > head[0]:
        return HEAD_MISMATCH, f"Record {row.seq} lies past the chain head ({head[0]}): it was added outside the chain."
    if row.seq != expected_seq:
        missing = f"{expected_seq}" if row.seq == expected_seq + 1 else f"{expected_seq}-{row.seq - 1}"
        after = f"follows record {expected_seq - 1}" if expected_seq > 1 else "starts the chain"
        return SEQ_GAP, f"Record {row.seq} {after}: record(s) {missing} were deleted."
    if record_hash(row) != row.hash:
        return HASH_MISMATCH, f"Record {row.seq} does not match its hash: it was edited."
    if row.prev_hash != expected_prev:
        return (PREV_HASH_MISMATCH,
                f"Record {row.seq} does not link to record {row.seq - 1}: records were reordered or inserted.")
    return None
