"""The attachments service without HTTP: upload, list, download, delete; permissions, audit, isolation, guards and
no half-saved files."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from surety.core.attachments import service
from surety.core.attachments.models import Attachment
from surety.core.audit.query import records
from surety.core.context import acting
from surety.core.errors import NotFound, PermissionDenied, ValidationFailed
from surety.core.settings import get_settings

DOCUMENT = "test:document"


def _rows(team) -> int:
    with team.session() as s:
        return s.scalar(select(func.count()).select_from(Attachment))


def test_upload_stores_sniffed_metadata_and_blob(team, sample):
    data = sample("docx")
    with team.session() as s, acting(team.actor("clerk")):
        row = service.upload(s, team.actor("clerk"), DOCUMENT, "c-1", "../借款合同.docx", data)
    assert row.filename == "借款合同.docx"
    assert row.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert row.size == len(data) and row.sha256 == hashlib.sha256(data).hexdigest()
    assert row.storage_backend == "local" and row.uploaded_by == f"user:{team.users['clerk'].id}"
    assert row.uploaded_by_name == "clerk" and row.deleted_at is None
    blob = team.blob_dir() / row.storage_key
    assert blob.read_bytes() == data
    assert [p.name for p in team.blobs()] == [str(row.id)]  # no temporary files left behind

    with team.session() as s:
        rec = records(s, action="attachment.upload")[0]
        assert rec.entity_type == "attachment" and rec.entity_id == str(row.id)
        assert rec.actor_id == str(team.users["clerk"].id)
        assert rec.after == {"entity_type": DOCUMENT, "entity_id": "c-1", "filename": "借款合同.docx",
                             "content_type": row.content_type, "size": len(data), "sha256": row.sha256,
                             "storage_backend": "local"}


def test_list_and_download_are_audited(team, sample):
    png, pdf = sample("png"), sample("pdf")
    clerk = team.actor("clerk")
    with team.session() as s:
        first = service.upload(s, clerk, DOCUMENT, "c-1", "scan.png", png)
        second = service.upload(s, clerk, DOCUMENT, "c-1", "report.pdf", pdf)
        service.upload(s, clerk, DOCUMENT, "c-2", "other.pdf", pdf)
    with team.session() as s:
        listed = service.list_for(s, clerk, DOCUMENT, "c-1")
        assert [a.id for a in listed] == [first.id, second.id]
        assert service.list_for(s, clerk, "customers:guarantor", "c-1") == []

    with team.session() as s, acting(clerk, request_id="req-42", client_addr="10.0.0.9"):
        row, data = service.download(s, clerk, second.id)
    assert data == pdf and row.content_type == "application/pdf"
    with team.session() as s:
        downloads = records(s, action="attachment.download")
        assert len(downloads) == 1
        rec = downloads[0]
        assert rec.entity_id == str(second.id) and rec.actor_id == str(team.users["clerk"].id)
        assert rec.request_id == "req-42" and rec.client_addr == "10.0.0.9"
        assert rec.after == {"entity_type": DOCUMENT, "entity_id": "c-1", "filename": "report.pdf", "size": len(pdf)}


def test_disguised_file_is_refused_and_nothing_is_saved(team, sample):
    with pytest.raises(ValidationFailed, match="named as a PDF document .* Windows executable") as err:
        with team.session() as s:
            service.upload(s, team.actor("clerk"), DOCUMENT, "c-1", "invoice.pdf", sample("exe"))
    assert err.value.field == "file"
    assert _rows(team) == 0 and team.blobs() == []


def test_oversize_and_empty_are_refused_and_nothing_is_saved(team, sample, monkeypatch):
    monkeypatch.setattr(service, "_max_bytes", lambda: 1000)
    with pytest.raises(ValidationFailed, match=r"the limit for an attachment is 1000 bytes"):
        with team.session() as s:
            service.upload(s, team.actor("clerk"), DOCUMENT, "c-1", "big.pdf", sample("pdf", ) + b" " * 1000)
    with pytest.raises(ValidationFailed, match="is empty"):
        with team.session() as s:
            service.upload(s, team.actor("clerk"), DOCUMENT, "c-1", "empty.pdf", b"")
    assert _rows(team) == 0 and team.blobs() == []
    assert get_settings().attachment_max_bytes == 20 * 1024 * 1024  # the default the service uses otherwise


def test_default_limit_is_twenty_megabytes(team, sample):
    data = sample("pdf") + b"\n" * (20 * 1024 * 1024 + 1 - len(sample("pdf")))
    with pytest.raises(ValidationFailed, match=r"limit for an attachment is 20 MB"):
        with team.session() as s:
            service.upload(s, team.actor("clerk"), DOCUMENT, "c-1", "big.pdf", data)
    assert team.blobs() == []


def test_permissions_are_required_and_denials_audited(team, sample):
    viewer = team.actor("viewer")
    for call in (lambda s: service.upload(s, viewer, DOCUMENT, "c-1", "scan.png", sample("png")),
                 lambda s: service.list_for(s, viewer, DOCUMENT, "c-1")):
        with pytest.raises(PermissionDenied, match="core:attachment:(upload|read)"):
            with team.session() as s:
                call(s)
    with team.session() as s:
        row = service.upload(s, team.actor("clerk"), DOCUMENT, "c-1", "scan.png", sample("png"))
    with pytest.raises(PermissionDenied, match="core:attachment:read"):
        with team.session() as s:
            service.download(s, viewer, row.id)
    with pytest.raises(PermissionDenied, match="core:attachment:delete"):  # a clerk may upload but not delete
        with team.session() as s:
            service.delete(s, team.actor("clerk"), row.id)
    with team.session() as s:
        denied = [r.after["permission"] for r in records(s, action="authz.denied")]
        assert sorted(denied) == ["core:attachment:delete", "core:attachment:read", "core:attachment:read",
                                  "core:attachment:upload"]
        assert records(s, action="attachment.download") == []
    assert _rows(team) == 1 and len(team.blobs()) == 1


def test_soft_delete_hides_the_attachment_and_is_audited(team, sample):
    admin = team.actor("admin")
    with team.session() as s:
        keep = service.upload(s, admin, DOCUMENT, "c-1", "a.png", sample("png"))
        gone = service.upload(s, admin, DOCUMENT, "c-1", "b.pdf", sample("pdf"))
    with team.session() as s:
        service.delete(s, admin, gone.id)
    with team.session() as s:
        assert [a.id for a in service.list_for(s, admin, DOCUMENT, "c-1")] == [keep.id]
        with pytest.raises(NotFound):
            service.download(s, admin, gone.id)
        with pytest.raises(NotFound):
            service.delete(s, admin, gone.id)
        row = s.scalar(select(Attachment).where(Attachment.id == gone.id))
        assert row.deleted_at is not None and row.deleted_by == f"user:{team.users['admin'].id}"
        rec = records(s, action="attachment.delete")[0]
        assert rec.entity_id == str(gone.id) and rec.before["filename"] == "b.pdf"
    assert len(team.blobs()) == 2  # soft delete keeps the bytes (retention)


def test_another_tenants_attachment_is_not_found(team, other_team, sample):
    with team.session() as s:
        row = service.upload(s, team.actor("clerk"), DOCUMENT, "c-1", "scan.png", sample("png"))
    stranger = other_team.actor("admin")
    with other_team.session() as s:
        with pytest.raises(NotFound, match="No attachment with that id"):
            service.download(s, stranger, row.id)
        with pytest.raises(NotFound):
            service.delete(s, stranger, row.id)
        assert service.list_for(s, stranger, DOCUMENT, "c-1") == []
        assert records(s, action="attachment.download") == []
    with team.session() as s:
        assert s.scalar(select(Attachment).where(Attachment.id == row.id)).deleted_at is None
    # The blobs are kept per tenant: the other tenant's folder has nothing.
    assert other_team.blobs() == [] and len(team.blobs()) == 1


def test_malformed_ids_and_entities(team, sample):
    admin = team.actor("admin")
    with team.session() as s:
        with pytest.raises(NotFound):
            service.download(s, admin, "not-a-uuid")
        with pytest.raises(ValidationFailed, match="entity_type") as err:
            service.upload(s, admin, "../etc", "c-1", "a.png", sample("png"))
        assert err.value.field == "entity_type"
        with pytest.raises(ValidationFailed, match="entity_id"):
            service.list_for(s, admin, DOCUMENT, "a b/../c")
    assert team.blobs() == []


def test_blob_is_removed_when_the_transaction_rolls_back(team, sample):
    with pytest.raises(RuntimeError, match="later failure"):
        with team.session() as s:
            row = service.upload(s, team.actor("clerk"), DOCUMENT, "c-1", "scan.png", sample("png"))
            assert (team.blob_dir() / row.storage_key).exists()  # written first ...
            raise RuntimeError("later failure")
    assert team.blobs() == [] and _rows(team) == 0  # ... and removed with the rollback


def test_blob_is_removed_when_its_savepoint_rolls_back_but_the_rest_commits(team, sample):
    clerk = team.actor("clerk")
    with team.session() as s:
        kept = service.upload(s, clerk, DOCUMENT, "c-1", "kept.png", sample("png"))
        try:
            with s.begin_nested():
                service.upload(s, clerk, DOCUMENT, "c-1", "dropped.pdf", sample("pdf"))
                raise ValueError("savepoint fails")
        except ValueError:
            pass
        with s.begin_nested():  # a released savepoint keeps its blob ...
            released = service.upload(s, clerk, DOCUMENT, "c-1", "released.pdf", sample("pdf"))
    assert sorted(p.name for p in team.blobs()) == sorted([str(kept.id), str(released.id)])
    assert _rows(team) == 2

    with pytest.raises(RuntimeError):  # ... until the outer transaction rolls back
        with team.session() as s:
            # (Write before the savepoint: with pysqlite's default transaction handling a SAVEPOINT that opens
            # the transaction is committed by its RELEASE; PostgreSQL has no such quirk.)
            service.upload(s, clerk, DOCUMENT, "c-1", "outer.png", sample("png"))
            with s.begin_nested():
                service.upload(s, clerk, DOCUMENT, "c-1", "later.pdf", sample("pdf"))
            assert len(team.blobs()) == 4
            raise RuntimeError("outer failure")
    assert len(team.blobs()) == 2 and _rows(team) == 2


def test_blob_is_removed_when_the_row_insert_fails(team, sample, monkeypatch):
    def broken_audit(*_a, **_kw):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(service, "audit", broken_audit)
    with team.db.session(team.tenant_id) as s:
        s.begin()
        with pytest.raises(RuntimeError, match="audit unavailable"):
            service.upload(s, team.actor("clerk"), DOCUMENT, "c-1", "scan.png", sample("png"))
        # Removed at once, even before the caller rolls back (a caller that swallowed the error and committed
        # would otherwise keep a blob without a row).
        assert team.blobs() == []
        s.rollback()
    assert _rows(team) == 0


def test_entity_guards_are_consulted(team, sample):
    seen = []

    def only_mine(session, actor, entity_id):
        seen.append((actor.username, entity_id))
        if entity_id != "mine":
            raise NotFound("No customer with that id.", field="entity_id")

    admin = team.actor("admin")
    with team.session() as s:
        theirs = service.upload(s, admin, DOCUMENT, "theirs", "a.png", sample("png"))
    service.register_entity_guard(DOCUMENT, only_mine)
    service.register_entity_guard(DOCUMENT, only_mine)  # idempotent
    try:
        with team.session() as s:
            mine = service.upload(s, admin, DOCUMENT, "mine", "a.png", sample("png"))
            assert [a.id for a in service.list_for(s, admin, DOCUMENT, "mine")] == [mine.id]
            with pytest.raises(NotFound, match="No customer"):
                service.list_for(s, admin, DOCUMENT, "theirs")
            with pytest.raises(NotFound, match="No customer"):
                service.download(s, admin, theirs.id)
            with pytest.raises(NotFound, match="No customer"):
                service.upload(s, admin, DOCUMENT, "theirs", "b.png", sample("png"))
            with pytest.raises(NotFound, match="No customer"):
                service.delete(s, admin, theirs.id)
            # Other entity types are not affected by this guard.
            service.upload(s, admin, "test:other", "theirs", "c.png", sample("png"))
    finally:
        service.unregister_entity_guard(DOCUMENT, only_mine)
    assert seen.count(("admin", "mine")) == 2 and seen.count(("admin", "theirs")) == 4
    with team.session() as s:
        assert len(service.list_for(s, admin, DOCUMENT, "theirs")) == 1  # guard gone
    assert len(team.blobs()) == 3


def test_a_wildcard_guard_runs_for_every_entity_type_with_the_type(team, sample):
    seen = []

    def no_secrets(session, actor, entity_type, entity_id):
        seen.append((entity_type, entity_id))
        if entity_type == "test:secret":
            raise NotFound("No such entity.", field="entity_id")

    admin = team.actor("admin")
    service.register_entity_guard(service.WILDCARD, no_secrets)
    try:
        with team.session() as s:
            service.upload(s, admin, DOCUMENT, "d-1", "a.png", sample("png"))
            with pytest.raises(NotFound):
                service.upload(s, admin, "test:secret", "s-1", "a.png", sample("png"))
    finally:
        service.unregister_entity_guard(service.WILDCARD, no_secrets)
    assert seen == [(DOCUMENT, "d-1"), ("test:secret", "s-1")]


def test_permission_check_comes_before_the_guard(team):
    calls = []
    service.register_entity_guard(DOCUMENT, lambda s, a, i: calls.append(i))
    try:
        with pytest.raises(PermissionDenied):
            with team.session() as s:
                service.list_for(s, team.actor("viewer"), DOCUMENT, "c-1")
    finally:
        service._guards.pop(DOCUMENT, None)
    assert calls == []


def test_blob_is_removed_when_a_session_without_explicit_begin_is_closed(team, sample):
    clerk = team.actor("clerk")
    with team.session() as s:  # warm the permission cache, so the upload's first SQL is the insert
        service.list_for(s, clerk, DOCUMENT, "c-1")
    s = team.db.session(team.tenant_id)
    service.upload(s, clerk, DOCUMENT, "c-1", "scan.png", sample("png"))
    assert len(team.blobs()) == 1
    s.close()  # never committed
    assert team.blobs() == [] and _rows(team) == 0
