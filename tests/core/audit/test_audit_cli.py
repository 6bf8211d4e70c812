"""`surety audit checkpoint` / `surety audit verify` with checkpoints, and the day-end batch's checkpoint."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import delete, update
from typer.testing import CliRunner

from surety.core.audit.checkpoint import checkpoint_path, load_checkpoints
from surety.core.audit.log import audit
from surety.core.audit.models import AuditChainHead, AuditRecord
from surety.core.batch import run_day_end
from surety.core.cli.main import app

AUDIT_LOG = AuditRecord.__table__
HEADS = AuditChainHead.__table__
runner = CliRunner()


def _append(db, tenant_id, n: int) -> None:
    with db.tenant_session(tenant_id) as s:
        for i in range(n):
            audit(s, f"step.{i}")


def test_checkpoint_then_verify_detects_a_deleted_log(db, bare_tenant, tamper, tmp_path):
    t, anchors = bare_tenant.id, tmp_path / "anchors"
    _append(db, t, 3)
    unanchored = runner.invoke(app, ["audit", "verify", "--tenant", bare_tenant.slug,
                                     "--checkpoint-dir", str(anchors)])
    assert unanchored.exit_code == 0 and "not anchored" in unanchored.output

    r = runner.invoke(app, ["audit", "checkpoint", "--tenant", bare_tenant.slug, "--checkpoint-dir", str(anchors)])
    assert r.exit_code == 0, r.output
    assert f"{bare_tenant.slug}: audit checkpoint at record 3" in r.output
    assert json.loads(checkpoint_path(t, anchors).read_text())["seq"] == 3
    again = runner.invoke(app, ["audit", "checkpoint", "--tenant", bare_tenant.slug,
                                "--checkpoint-dir", str(anchors)])
    assert "unchanged at record 3" in again.output
    ok = runner.invoke(app, ["audit", "verify", "--tenant", bare_tenant.slug, "--checkpoint-dir", str(anchors)])
    assert ok.exit_code == 0 and "chain intact" in ok.output and "anchored by 1 signed checkpoint" in ok.output

    tamper(t, delete(AUDIT_LOG).where(AUDIT_LOG.c.tenant_id == t), delete(HEADS).where(HEADS.c.tenant_id == t))
    broken = runner.invoke(app, ["audit", "verify", "--tenant", bare_tenant.slug, "--checkpoint-dir", str(anchors)])
    assert broken.exit_code == 3 and "truncated" in broken.output and "seq=1" in broken.output
    refused = runner.invoke(app, ["audit", "checkpoint", "--tenant", bare_tenant.slug,
                                  "--checkpoint-dir", str(anchors)])
    assert refused.exit_code == 3 and "chain broken at record 3" in refused.output
    assert "is missing" in refused.output and "not checkpointed" in refused.output


def test_day_end_batch_writes_a_checkpoint_per_tenant(db, bare_tenant, tamper):
    t = bare_tenant.id
    _append(db, t, 2)
    lines = list(run_day_end(db, dt.date(2026, 3, 2), tenant_slug=bare_tenant.slug))
    assert f"{bare_tenant.slug}: audit checkpoint at record 2" in lines
    assert [c.seq for c in load_checkpoints(t)] == [2]
    assert f"{bare_tenant.slug}: audit checkpoint unchanged at record 2" in list(
        run_day_end(db, dt.date(2026, 3, 2), tenant_slug=bare_tenant.slug))

    _append(db, t, 1)
    tamper(t, update(AUDIT_LOG).where(AUDIT_LOG.c.tenant_id == t, AUDIT_LOG.c.seq == 3).values(action="forged"))
    lines = list(run_day_end(db, dt.date(2026, 3, 3), tenant_slug=bare_tenant.slug))
    assert any(line.startswith(f"{bare_tenant.slug}: audit checkpoint refused: chain broken at record 3")
               for line in lines)
    assert [c.seq for c in load_checkpoints(t)] == [2]
