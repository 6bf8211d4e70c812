"""The `surety` command line against the test database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets

import pytest
import structlog
from sqlalchemy import create_engine, delete, select, text
from typer.testing import CliRunner

from surety.core import batch
from surety.core.audit.models import AuditRecord
from surety.core.authz import rules
from surety.core.authz.models import AuthzState
from surety.core.cli import main as cli_main
from surety.core.cli.main import app
from surety.core.hookspecs import PluginManifest, ScheduledJob
from surety.core.identity.auth import login
from surety.core.logging import configure_logging
from surety.core.plugins import PluginRegistry, build_plugin_manager, get_registry, hookimpl, reset_registry
from surety.core.redaction import redact
from surety.core.settings import get_settings
from surety.core.workflow.models import WorkflowDefinition
from surety.graphql.schema import export_sdl
from surety.tenants import service
from surety.tenants.service import get_tenant_by_slug

runner = CliRunner()


def run(*args: str, input: str | None = None):
    result = runner.invoke(app, list(args), input=input)
    return result


@pytest.fixture
def slug(db):
    s = f"cli-{secrets.token_hex(3)}"
    r = run("tenant", "create", s, "--name", "CLI Guarantee", "--admin-password", "Correct-Horse-9")
    assert r.exit_code == 0, r.output
    return s


def test_tenant_lifecycle(db, slug):
    listed = run("tenant", "list")
    assert listed.exit_code == 0 and slug in listed.output
    assert "suspended" in run("tenant", "suspend", slug).output
    assert "active" in run("tenant", "resume", slug).output
    dup = run("tenant", "create", slug, "--name", "Again", "--admin-password", "Correct-Horse-9")
    assert dup.exit_code == 1 and "already exists" in dup.output
    unknown = run("tenant", "enable-plugin", slug, "nope")
    assert unknown.exit_code == 1 and "Unknown plugin" in unknown.output
    missing = run("tenant", "suspend", "no-such-tenant")
    assert missing.exit_code != 0


def test_user_create_and_weak_password(db, slug):
    ok = run("user", "create", "clerk", "--tenant", slug, "--role", "read_only", "--password", "Strong-Pass-77")
    assert ok.exit_code == 0, ok.output
    weak = run("user", "create", "clerk2", "--tenant", slug, "--password", "short")
    assert weak.exit_code == 1 and "error" in weak.output


def test_audit_verify_and_export(db, slug, tmp_path):
    ok = run("audit", "verify", "--tenant", slug)
    assert ok.exit_code == 0 and "chain intact" in ok.output
    out = tmp_path / "audit.jsonl"
    r = run("audit", "export", "--tenant", slug, "--from", "2000-01-01", "--to", "2100-01-01", "--format", "jsonl",
            "-o", str(out))
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert "tenant.provisioned" in {x["action"] for x in lines}
    bad = run("audit", "export", "--tenant", slug, "--from", "2000-01-01", "--to", "2100-01-01", "--format", "pdf",
              "-o", str(out))
    assert bad.exit_code == 1


def test_audit_verify_names_the_broken_record(db, slug):
    tenant = get_tenant_by_slug(db, slug)
    engine = create_engine(db.owner_url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant.id)})
        conn.execute(text("UPDATE audit_log SET action = 'forged' WHERE tenant_id = :t AND seq = 2"),
                     {"t": tenant.id if conn.dialect.name == "postgresql" else tenant.id.hex})
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    engine.dispose()
    r = run("audit", "verify", "--tenant", slug)
    assert r.exit_code == 3 and "seq=2" in r.output


def test_keys_rotate_is_audited(db, slug):
    r = run("keys", "rotate", "--tenant", slug)
    assert r.exit_code == 0 and "re-encrypted" in r.output

    t = get_tenant_by_slug(db, slug)
    with db.tenant_session(t.id) as s:
        assert s.scalar(select(AuditRecord.id).where(AuditRecord.action == "keys.rotated")) is not None


def test_schema_export_writes_the_sdl(tmp_path):
    target = tmp_path / "schema.graphql"
    r = run("schema", "export", "--output", str(target))
    assert r.exit_code == 0 and target.read_text() == export_sdl()


def test_demo_is_idempotent_and_prints_credentials(db):
    first = run("demo")
    assert first.exit_code == 0, first.output
    second = run("demo")
    assert second.exit_code == 0 and "demo tenant exists" in second.output

    line = next(x for x in first.output.splitlines() if "username: admin" in x)
    password = line.split("password:")[1].strip()
    assert login(db, "demo", "admin", password).access_token


def test_batch_runs_each_enabled_plugins_day_end_jobs(db, slug, monkeypatch):
    seen = []
    job = ScheduledJob(name="probe", run=lambda session, day: seen.append(day))
    counted = ScheduledJob(name="counter", run=lambda session, day: {"sent": 2, "late": 1})
    monkeypatch.setattr(batch, "day_end_jobs",
                        lambda enabled: [("core", job), ("core", counted)] if "core" in enabled else [])
    monkeypatch.setattr(batch, "business_today", lambda: dt.date(2027, 1, 5))
    r = run("batch", "run", "--date", "2026-12-31", "--tenant", slug)
    assert r.exit_code == 0 and "core.probe done for 2026-12-31\n" in r.output
    assert "core.counter done for 2026-12-31: sent 2, late 1" in r.output
    assert seen == [dt.date(2026, 12, 31)]


def test_logs_redact_sensitive_values_and_bind_request_context(capsys):
    configure_logging(dataclasses.replace(get_settings(), log_json=True))
    structlog.contextvars.bind_contextvars(request_id="rid-1")
    structlog.get_logger("t").info("login", username="zhang", password="hunter2",
                                   nested={"phone": "13800138000", "ok": 1})
    structlog.contextvars.clear_contextvars()
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["request_id"] == "rid-1" and line["password"] == "[REDACTED]"
    assert line["nested"] == {"phone": "[REDACTED]", "ok": 1}
    assert "hunter2" not in json.dumps(line) and "13800138000" not in json.dumps(line)


def test_logs_redact_keys_a_plugin_declares():
    class NotePlugin:
        @hookimpl
        def surety_manifest(self):
            return PluginManifest(key="note_plugin", version="0")

        @hookimpl
        def surety_sensitive_keys(self):
            return ["guarantor_note"]

    previous = get_registry()
    assert redact({"guarantor_note": "x"}) == {"guarantor_note": "x"}
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("note_plugin", NotePlugin())])))
    try:
        assert redact({"a": [{"guarantor_note": "x"}]}) == {"a": [{"guarantor_note": "[REDACTED]"}]}
    finally:
        reset_registry(previous)


def test_tenant_sync_brings_a_tenant_up_to_the_installed_release(db, slug):
    tenant = get_tenant_by_slug(db, slug)
    if "guarantee" not in tenant.enabled_plugins:
        assert run("tenant", "enable-plugin", slug, "customers").exit_code == 0
        assert run("tenant", "enable-plugin", slug, "guarantee").exit_code == 0
    # As a tenant provisioned by an earlier release: a process, a default grant and the grant bookkeeping missing.
    with db.tenant_session(tenant.id) as s:
        s.execute(delete(WorkflowDefinition).where(WorkflowDefinition.key.in_(["guarantee.compensation",
                                                                                "core.simple_approval"])))
        rules.remove_grant(s, "finance", "guarantee:compensation", "pay")
        rules.get_state(s).granted_defaults = []
        rules.policy_changed(s)
    r = run("tenant", "sync", slug)
    assert r.exit_code == 0, r.output
    with db.tenant_session(tenant.id) as s:
        assert s.scalar(select(WorkflowDefinition.status).where(
            WorkflowDefinition.key == "guarantee.compensation")) == "published"
        assert "guarantee:compensation:pay" in rules.grants(s)["finance"]
        assert "finance guarantee:compensation:pay" in s.scalar(select(AuthzState)).granted_defaults
        synced = s.scalars(select(AuditRecord).where(AuditRecord.action == "tenant.synced")).one()
        # The guarantee plugin's provisioning hook (its upgrade backfill) reinstalled it before core looked.
        backfilled = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.upgrade.backfilled")
                               .order_by(AuditRecord.seq.desc())).first()
        assert backfilled.after["workflow_definitions"] == 1
        assert synced.after["definitions_installed"] == ["core.simple_approval"]
    again = run("tenant", "sync", slug)  # nothing left to do
    assert again.exit_code == 0 and slug in again.output
    with db.tenant_session(tenant.id) as s:
        second = s.scalars(select(AuditRecord).where(AuditRecord.action == "tenant.synced")
                           .order_by(AuditRecord.seq.desc())).first()
        assert second.after["definitions_installed"] == []


def test_tenant_sync_reports_a_failing_tenant_and_goes_on(db, slug, monkeypatch):
    real = service.sync_tenant

    def flaky(db_, one):
        if one == slug:
            raise RuntimeError("boom")
        return real(db_, one)

    monkeypatch.setattr(service, "sync_tenant", flaky)
    other = f"cli-{secrets.token_hex(3)}"
    assert run("tenant", "create", other, "--name", "Other", "--admin-password", "Correct-Horse-9").exit_code == 0
    monkeypatch.setattr(service, "list_tenants",
                        lambda db_: [service.get_tenant_by_slug(db_, x) for x in (slug, other)])
    r = run("tenant", "sync")
    assert r.exit_code == 1
    assert f"{slug}: not synced: boom" in r.output and f"{other}: synced" in r.output
    assert "1 tenant(s) not synced" in r.output


def test_serve_gives_workers_time_to_import_before_the_health_check(monkeypatch):
    """uvicorn kills a worker that has not answered its health check in time; a new worker imports the whole
    application first (~7 s on a busy 2-core machine), so `serve` allows 60 s instead of uvicorn's 5."""
    calls = []
    monkeypatch.setattr(cli_main.serving, "run", lambda *a, **kw: calls.append((a, kw)))
    result = CliRunner().invoke(app, ["serve", "--workers", "2", "--port", "8765"])
    assert result.exit_code == 0, result.output
    (args, kwargs), = calls
    assert args == ("surety.core.web:create_app",)
    assert kwargs["workers"] == 2 and kwargs["port"] == 8765 and kwargs["factory"] is True
    assert kwargs["timeout_worker_healthcheck"] == 60
