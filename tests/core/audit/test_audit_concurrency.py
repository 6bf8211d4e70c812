"""Concurrent appends to one tenant's chain stay linear (the chain head is locked while appending)."""

from __future__ import annotations

import threading

from sqlalchemy import select

from surety.core.audit.log import audit
from surety.core.audit.models import AuditRecord
from surety.core.audit.verify import verify_chain

THREADS = 16
PER_THREAD = 3


def test_concurrent_appends_form_one_valid_chain(db, bare_tenant):
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                with db.tenant_session(bare_tenant.id) as s:  # one transaction per append
                    audit(s, "thread.append", entity_id=f"{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []

    total = THREADS * PER_THREAD
    with db.tenant_session(bare_tenant.id) as s:
        rows = s.execute(select(AuditRecord.seq, AuditRecord.entity_id).order_by(AuditRecord.seq)).all()
    assert [r.seq for r in rows] == list(range(1, total + 1))
    assert len({r.entity_id for r in rows}) == total
    result = verify_chain(db, bare_tenant.id)
    assert result.ok and result.checked == total
