"""Attachments for any entity: upload, list, download, delete (docs/attachments.md).

Every function runs in the caller's tenant-bound session and transaction and checks a ``core:attachment:*``
permission first, then the entity guards for the entity type: those plugins return from the
``surety_attachment_guards`` hook and those registered in code (:func:`register_entity_guard`).

No orphan blobs: :func:`upload` writes the bytes first, then inserts the row. The blob is recorded against the
session's current (innermost) transaction; if that transaction, or any transaction enclosing it, rolls back
(including a failed commit or a savepoint released by ``run_mutation``), a session event deletes the blob. Only the
outermost commit makes it permanent. A crash between the blob write and the commit can still leave a file without
a row; such files are unreachable (keys are random and never reused) and harmless.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable

import structlog
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from surety.core.attachments.models import Attachment
from surety.core.attachments.sniff import inspect_file
from surety.core.attachments.storage import default_backend, get_storage
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.base import uuid7
from surety.core.db.session import session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import NotFound, TenantNotBound, ValidationFailed
from surety.core.plugins import get_registry
from surety.core.settings import get_settings

log = structlog.get_logger(__name__)

OBJ = "core:attachment"
AUDIT_ENTITY = "attachment"
ACTION_UPLOAD = "attachment.upload"
ACTION_DOWNLOAD = "attachment.download"
ACTION_DELETE = "attachment.delete"

_ENTITY_TYPE = re.compile(r"^[a-z][a-z0-9_]*(:[a-z][a-z0-9_.]*)?$")
_ENTITY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")

#: ``guard(session, actor, entity_id)``: return to allow, raise a DomainError (NotFound, PermissionDenied) to refuse.
EntityGuard = Callable[[Session, Actor, str], None]
#: A guard a plugin returns for the entity type ``"*"`` runs for every entity type, and is also given the type:
#: ``guard(session, actor, entity_type, entity_id)`` (e.g. to keep a restricted kind of user to some types).
WILDCARD = "*"
_guards: dict[str, list[EntityGuard]] = {}


# ---------------------------------------------------------------- entity guards -------------------------------------

def register_entity_guard(entity_type: str, guard: EntityGuard) -> EntityGuard:
    """Add a check that runs, after the permission check, before any upload, list, download or delete of an
    attachment of ``entity_type``: ``guard(session, actor, entity_id)`` returns to allow and raises a DomainError
    to refuse (NotFound when the caller may not know the entity exists). For ``entity_type`` WILDCARD (``"*"``)
    it runs for every entity type as ``guard(session, actor, entity_type, entity_id)``. Registering the same guard
    twice is a no-op. Returns ``guard``."""
    if entity_type != WILDCARD:
        _check_entity(entity_type, "0")
    guards = _guards.setdefault(entity_type, [])
    if guard not in guards:
        guards.append(guard)
    return guard


def entity_uuid(entity_id: str) -> uuid.UUID:
    """For guards of entities keyed by UUID: the id as a UUID, NotFound when it is not one."""
    try:
        return uuid.UUID(entity_id)
    except ValueError:
        raise NotFound("No such entity.", field="entity_id") from None


def unregister_entity_guard(entity_type: str, guard: EntityGuard) -> None:
    guards = _guards.get(entity_type, [])
    if guard in guards:
        guards.remove(guard)


def _run_guards(session: Session, actor: Actor, entity_type: str, entity_id: str) -> None:
    results = [result for result in get_registry().hook.surety_attachment_guards() if result]
    for guard in [*(g for result in results for t, g in result.items() if t == WILDCARD),
                  *_guards.get(WILDCARD, ())]:
        guard(session, actor, entity_type, entity_id)
    hooked = [g for result in results for t, g in result.items() if t == entity_type]
    for guard in [*hooked, *_guards.get(entity_type, ())]:
        guard(session, actor, entity_id)


def _check_entity(entity_type: str, entity_id: str) -> tuple[str, str]:
    entity_type = str(entity_type or "").strip()
    entity_id = str(entity_id or "").strip()
    if len(entity_type) > 100 or not _ENTITY_TYPE.fullmatch(entity_type):
        raise ValidationFailed("entity_type must look like '<plugin>:<resource>' (lower case, e.g. "
                               "'customers:customer').", field="entity_type")
    if len(entity_id) > 64 or not _ENTITY_ID.fullmatch(entity_id):
        raise ValidationFailed("entity_id must be 1-64 letters, digits, '.', '_', ':' or '-' (e.g. a UUID).",
                               field="entity_id")
    return entity_type, entity_id


# ---------------------------------------------------------------- orphan-blob cleanup -------------------------------

_PENDING = "surety_attachment_blobs"


def _pending(session: Session) -> list[tuple[SessionTransaction, uuid.UUID, str, str]]:
    return session.info.setdefault(_PENDING, [])


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _remove_blob(tenant_id: uuid.UUID, backend: str, key: str) -> None:
    try:
        get_storage(backend).delete(tenant_id, key)
    except Exception:  # never hide the error that caused the rollback
        log.exception("attachment.orphan_cleanup_failed", tenant_id=str(tenant_id), backend=backend, key=key)


def _discard(session: Session, transaction: SessionTransaction) -> None:
    """Delete the blobs written in ``transaction`` or in transactions nested in it."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    keep = []
    for entry in pending:
        if _within(entry[0], transaction):
            _remove_blob(*entry[1:])
        else:
            keep.append(entry)
    pending[:] = keep


@event.listens_for(Session, "after_soft_rollback")
def _blobs_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    _discard(session, previous_transaction)


@event.listens_for(Session, "after_commit")
def _blobs_after_commit(session: Session) -> None:
    # Releasing a savepoint emits after_commit too (with the savepoint still current): its blobs stay pending
    # until the outermost transaction commits, which makes everything still pending permanent.
    if session.get_nested_transaction() is None:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _blobs_after_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without after_commit having cleared the list (closed, or a rollback that
    # emitted no soft rollback): nothing written in it was committed.
    if transaction.parent is None and session.info.get(_PENDING):
        _discard(session, transaction)


# ---------------------------------------------------------------- service -------------------------------------------

def _tenant(session: Session) -> uuid.UUID:
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenantNotBound("attachments are used in a tenant session")
    return tenant


def _max_bytes() -> int:
    return get_settings().attachment_max_bytes


def upload(session: Session, actor: Actor, entity_type: str, entity_id: str, filename: str | None,
           data: bytes) -> Attachment:
    """Attach ``data`` to the entity; returns the new (flushed) row. Needs ``core:attachment:upload`` and the
    entity guards. The content is sniffed (:func:`surety.core.attachments.sniff.inspect_file`): empty, oversize,
    unaccepted or disguised files are refused with ValidationFailed before anything is stored. Audited as
    ``attachment.upload`` with the metadata (never the content)."""
    tenant = _tenant(session)
    entity_type, entity_id = _check_entity(entity_type, entity_id)
    require(session, actor, OBJ, "upload")
    _run_guards(session, actor, entity_type, entity_id)
    data = bytes(data)
    sniffed = inspect_file(filename, data, _max_bytes())

    backend = default_backend()
    storage = get_storage(backend)
    attachment_id = uuid7()
    key = f"{attachment_id.hex[-2:]}/{attachment_id}"
    row = Attachment(id=attachment_id, tenant_id=tenant, entity_type=entity_type, entity_id=entity_id,
                     filename=sniffed.filename, content_type=sniffed.content_type, size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(), storage_backend=backend, storage_key=key,
                     uploaded_by=actor.subject[:80], uploaded_by_name=(actor.username or None), created_at=utcnow())

    session.connection()  # begin the transaction now (autobegin), so the blob is tied to it
    storage.put(tenant, key, data)
    _pending(session).append((session.get_nested_transaction() or session.get_transaction(), tenant, backend, key))
    try:
        session.add(row)
        session.flush()
        audit(session, ACTION_UPLOAD, entity_type=AUDIT_ENTITY, entity_id=row.id, actor=actor,
              after=_metadata(row))
    except BaseException:
        # Most callers roll back now anyway (and the rollback event would remove the blob), but one that swallows
        # the error and commits must not keep a blob without a row.
        pending = _pending(session)
        pending[:] = [e for e in pending if e[3] != key]
        _remove_blob(tenant, backend, key)
        raise
    return row


def _metadata(row: Attachment) -> dict:
    return {"entity_type": row.entity_type, "entity_id": row.entity_id, "filename": row.filename,
            "content_type": row.content_type, "size": row.size, "sha256": row.sha256,
            "storage_backend": row.storage_backend}


def list_for(session: Session, actor: Actor, entity_type: str, entity_id: str) -> list[Attachment]:
    """The entity's attachments (not deleted), oldest first. Needs ``core:attachment:read`` and the guards."""
    _tenant(session)
    entity_type, entity_id = _check_entity(entity_type, entity_id)
    require(session, actor, OBJ, "read")
    _run_guards(session, actor, entity_type, entity_id)
    stmt = (select(Attachment)
            .where(Attachment.entity_type == entity_type, Attachment.entity_id == entity_id,
                   Attachment.deleted_at.is_(None))
            .order_by(Attachment.created_at, Attachment.id))
    return list(session.scalars(stmt))


def get(session: Session, actor: Actor, attachment_id: uuid.UUID | str) -> Attachment:
    """One attachment's row (not deleted) of the session's tenant; NOT_FOUND otherwise (another tenant's id
    included). Needs ``core:attachment:read`` and the guards. Does not read the content and is not audited."""
    _tenant(session)
    require(session, actor, OBJ, "read")
    row = _find(session, attachment_id)
    _run_guards(session, actor, row.entity_type, row.entity_id)
    return row


def _find(session: Session, attachment_id: uuid.UUID | str) -> Attachment:
    try:
        ident = attachment_id if isinstance(attachment_id, uuid.UUID) else uuid.UUID(str(attachment_id))
    except ValueError:
        raise NotFound("No attachment with that id.", field="id") from None
    # A query, not session.get(): the tenant criteria apply even to an object already in the identity map.
    row = session.scalar(select(Attachment).where(Attachment.id == ident, Attachment.deleted_at.is_(None)))
    if row is None:
        raise NotFound("No attachment with that id.", field="id")
    return row


def download(session: Session, actor: Actor, attachment_id: uuid.UUID | str) -> tuple[Attachment, bytes]:
    """The row and its bytes. Needs ``core:attachment:read`` and the guards; audited as ``attachment.download``
    in the caller's transaction (commit it: no bytes leave without the record). The bytes are checked against the
    stored SHA-256."""
    tenant = _tenant(session)
    row = get(session, actor, attachment_id)
    try:
        data = get_storage(row.storage_backend).get(tenant, row.storage_key)
    except FileNotFoundError:
        log.error("attachment.blob_missing", attachment_id=str(row.id), backend=row.storage_backend)
        raise NotFound("The attachment's content is missing from storage.", field="id") from None
    if hashlib.sha256(data).hexdigest() != row.sha256:
        log.error("attachment.blob_corrupt", attachment_id=str(row.id), backend=row.storage_backend)
        raise RuntimeError(f"attachment {row.id} content does not match its SHA-256")
    audit(session, ACTION_DOWNLOAD, entity_type=AUDIT_ENTITY, entity_id=row.id, actor=actor,
          after={"entity_type": row.entity_type, "entity_id": row.entity_id, "filename": row.filename,
                 "size": row.size})
    return row, data


def delete(session: Session, actor: Actor, attachment_id: uuid.UUID | str) -> Attachment:
    """Soft-delete: the row is kept with ``deleted_at``/``deleted_by`` and no longer listed or downloadable; the
    stored bytes are kept (retention). Needs ``core:attachment:delete`` and the guards; audited as
    ``attachment.delete``."""
    _tenant(session)
    require(session, actor, OBJ, "delete")
    row = _find(session, attachment_id)
    _run_guards(session, actor, row.entity_type, row.entity_id)
    row.deleted_at = utcnow()
    row.deleted_by = actor.subject[:80]
    session.flush()
    audit(session, ACTION_DELETE, entity_type=AUDIT_ENTITY, entity_id=row.id, actor=actor,
          before=_metadata(row))
    return row
