"""Plain-HTTP upload and download of attachments (GraphQL lists and deletes them; docs/attachments.md).

* ``POST /attachments``: ``multipart/form-data`` with ``entity_type``, ``entity_id`` and one ``file`` part;
  answers 201 with ``{"attachment": {...}}``.
* ``GET /attachments/{id}``: the bytes, with the sniffed Content-Type, ``Content-Disposition: attachment`` and
  ``X-Content-Type-Options: nosniff``. Each download is audited.

Callers authenticate exactly as for GraphQL (``Authorization: Bearer <access token or API key>``, through
:func:`surety.core.web.authenticate`). Errors have GraphQL's shape, ``{"errors": [{"message", "extensions":
{"code", "field"}}]}``, with an HTTP status that matches the code.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import structlog
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.relay import to_base64

from surety.core.attachments import service
from surety.core.attachments.models import Attachment
from surety.core.context import Actor, acting
from surety.core.db.session import Database, get_database
from surety.core.errors import DomainError, PermissionDenied, Unauthenticated, ValidationFailed
from surety.core.web import BodyTooLarge, authenticate
from surety.graphql.auth import decode_node_id

log = structlog.get_logger("surety.attachments")

UPLOAD_PATH = "/attachments"
#: Room for the multipart framing and the small form fields on top of the largest file.
MULTIPART_OVERHEAD = 64 * 1024

_STATUS = {"VALIDATION_FAILED": 422, "UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404,
           "CONFLICT": 409, "TENANT_SUSPENDED": 403, "PLUGIN_NOT_ENABLED": 403}


def download_url(attachment_id: uuid.UUID | str) -> str:
    """The path that serves an attachment's bytes (relative to the API's origin)."""
    return f"{UPLOAD_PATH}/{attachment_id}"


def upload_body_limit(settings) -> int:
    """The request-body limit of ``POST /attachments``: the attachment limit plus multipart overhead."""
    return settings.attachment_max_bytes + MULTIPART_OVERHEAD


def error_response(exc: DomainError) -> JSONResponse:
    status = _STATUS.get(exc.code, 400)
    if exc.details.get("reason") == "too_large":
        status = 413
    return JSONResponse({"errors": [{"message": exc.message, "extensions": exc.extensions}]}, status_code=status)


def attachment_json(row: Attachment) -> dict:
    return {"id": to_base64("Attachment", str(row.id)), "uuid": str(row.id), "entityType": row.entity_type,
            "entityId": row.entity_id, "filename": row.filename, "contentType": row.content_type, "size": row.size,
            "sha256": row.sha256, "uploadedBy": row.uploaded_by, "uploadedByName": row.uploaded_by_name,
            "createdAt": row.created_at.isoformat(), "downloadUrl": download_url(row.id)}


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / RFC 5987)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in filename) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class _Caller:
    def __init__(self, db: Database, request: Request, actor: Actor):
        self.db, self.actor = db, actor
        self.request_id = request.scope.get("state", {}).get("request_id")
        self.client_addr = request.client.host if request.client else None

    def run(self, fn, *args):
        """``fn(session, actor, *args)`` in one tenant transaction, acting as the caller (audit context)."""
        with acting(self.actor, request_id=self.request_id, client_addr=self.client_addr), \
                self.db.tenant_session(self.actor.tenant_id) as session:
            return fn(session, self.actor, *args)


async def _caller(db: Database | None, request: Request) -> _Caller:
    database = db or get_database()
    fields = await run_in_threadpool(authenticate, database, request.headers.get("authorization"))
    actor = fields.get("actor")
    if actor is None:
        if fields.get("auth_error") is not None:
            raise fields["auth_error"]
        if fields.get("operator_id"):
            raise PermissionDenied("Attachments belong to a tenant; platform operators cannot use them.")
        raise Unauthenticated()
    structlog.contextvars.bind_contextvars(tenant_id=str(actor.tenant_id), user=actor.subject)
    return _Caller(database, request, actor)


def _handle(endpoint):
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except DomainError as exc:
            return error_response(exc)
        except BodyTooLarge:
            raise  # the middleware answers 413
        except Exception:
            log.exception("attachments.unexpected_error", path=request.url.path)
            return JSONResponse({"errors": [{"message": "Unexpected error.",
                                             "extensions": {"code": "INTERNAL_ERROR"}}]}, status_code=500)

    return wrapped


def attachment_routes(db: Database | None = None) -> list[Route]:
    """The two routes, bound to ``db`` (default: the process-wide database)."""

    async def upload(request: Request) -> Response:
        caller = await _caller(db, request)
        try:
            form = await request.form(max_files=1, max_fields=10)
        except MultiPartException as exc:
            raise ValidationFailed(f"Malformed multipart body: {exc.message}", field="file") from None
        try:
            entity_type = form.get("entity_type") or form.get("entityType")
            entity_id = form.get("entity_id") or form.get("entityId")
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise ValidationFailed("Send the file as a multipart part named 'file'.", field="file")
            if not isinstance(entity_type, str) or not isinstance(entity_id, str):
                raise ValidationFailed("Send 'entity_type' and 'entity_id' as form fields.", field="entity_type")
            data = await file.read()
            row = await run_in_threadpool(caller.run, service.upload, entity_type, entity_id, file.filename, data)
        finally:
            await form.close()
        return JSONResponse({"attachment": attachment_json(row)}, status_code=201,
                            headers={"location": download_url(row.id)})

    async def download(request: Request) -> Response:
        caller = await _caller(db, request)
        raw = request.path_params["attachment_id"]
        try:
            ident = uuid.UUID(raw)
        except ValueError:
            ident = decode_node_id(raw, "Attachment")  # a Relay global id works too
        row, data = await run_in_threadpool(caller.run, service.download, ident)
        headers = {
            "content-type": row.content_type,
            "content-disposition": content_disposition(row.filename),
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
            "content-security-policy": "default-src 'none'; sandbox",
            "etag": f'"{row.sha256}"',
        }
        return Response(data, headers=headers)

    return [
        Route(UPLOAD_PATH, _handle(upload), methods=["POST"], name="attachment_upload"),
        Route(UPLOAD_PATH + "/{attachment_id}", _handle(download), methods=["GET"], name="attachment_download"),
    ]

