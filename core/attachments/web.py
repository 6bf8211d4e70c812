"""Plain-HTTP upload and download of attachments (GraphQL lists and deletes them; docs/attachments.md).

* ``POST /attachments``: ``multipart/form-data`` with ``entity_type``, ``entity_id`` (the entity's UUID, its Relay
  global id as every GraphQL call takes it, or another key) and one ``file`` part; answers 201 with
  ``{"attachment": {...}}``. The form is checked as a whole: every field's problems come back at once (422).
* ``GET /attachments/{id}`` (the UUID or the Relay global id): the bytes, with the sniffed Content-Type,
  ``Content-Disposition: attachment`` and ``X-Content-Type-Options: nosniff``. Each download is audited.

Callers authenticate exactly as for GraphQL (``Authorization: Bearer <access token or API key>``, through
:func:`surety.core.web.authenticate`). Errors have GraphQL's shape, ``{"errors": [{"message", "extensions":
{"code", "field"}}]}`` (one entry per problem), with an HTTP status that matches the code.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from urllib.parse import quote

import structlog
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.relay import GlobalID, to_base64

from surety.core.attachments import service
from surety.core.attachments.models import Attachment
from surety.core.attachments.sniff import inspect_file
from surety.core.context import Actor, acting
from surety.core.db.session import Database, get_database
from surety.core.errors import MASKED_MESSAGE, DomainError, PermissionDenied, Unauthenticated, ValidationFailed
from surety.core.i18n import render_error, translate
from surety.core.settings import get_settings
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


_TYPE_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")


class FormInvalid(Exception):
    """Several problems with one request's fields, answered together."""

    def __init__(self, problems: list[DomainError]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _status(exc: DomainError) -> int:
    return 413 if exc.details.get("reason") == "too_large" else _STATUS.get(exc.code, 400)


def error_response(exc: DomainError | FormInvalid) -> JSONResponse:
    """``{"errors": [...]}``, one entry per problem. Several problems answer 413 when a file is too large, else 422
    when any is a validation failure, else the first one's status."""
    problems = exc.problems if isinstance(exc, FormInvalid) else [exc]
    statuses = [_status(p) for p in problems]
    if len(problems) == 1:
        status = statuses[0]
    elif 413 in statuses:
        status = 413
    elif any(p.code == "VALIDATION_FAILED" for p in problems):
        status = 422
    else:
        status = statuses[0]
    return JSONResponse({"errors": [{"message": render_error(p), "extensions": p.extensions} for p in problems]},
                        status_code=status)


def _global_id(value: str) -> GlobalID | None:
    """``value`` as a Relay global id (strict base64 of ``<TypeName>:<id>``), None when it is not one."""
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # not base64, or not UTF-8 once decoded
        return None
    type_name, sep, node_id = text.partition(":")
    if not sep or not node_id or not _TYPE_NAME.fullmatch(type_name):
        return None
    return GlobalID(type_name, node_id)


def entity_key(entity_type: str | None, entity_id: str) -> str:
    """The key attachments of an entity are stored under: a Relay global id (as GraphQL returns it) becomes the
    UUID inside it, decoded by ``decode_node_id`` like every GraphQL input; a UUID or any other key is kept as given.
    A global id of a type that is not the entity type's resource (``Customer`` for ``customers:customer``,
    ``GuaranteeProject`` for ``guarantee:project``) is refused (not checked when ``entity_type`` is None: unknown),
    as is one whose id is not a UUID."""
    entity_id = entity_id.strip()
    try:
        uuid.UUID(entity_id)
        return entity_id  # a raw UUID, as before
    except ValueError:
        pass
    gid = _global_id(entity_id)
    if gid is None:
        return entity_id
    resource = (entity_type or "").partition(":")[2].replace("_", "").lower()
    if entity_type is not None and not (resource and gid.type_name.lower().endswith(resource)):
        raise ValidationFailed("entity_id is the id of a {type_name}, not of a {entity_type}.",
                               field="entity_id", type_name=gid.type_name, entity_type=entity_type)
    return str(decode_node_id(gid, gid.type_name, field="entity_id"))


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
        except (DomainError, FormInvalid) as exc:
            return error_response(exc)
        except BodyTooLarge:
            raise  # the middleware answers 413
        except Exception:
            log.exception("attachments.unexpected_error", path=request.url.path)
            return JSONResponse({"errors": [{"message": translate(MASKED_MESSAGE),
                                             "extensions": {"code": "INTERNAL_ERROR"}}]}, status_code=500)

    return wrapped


async def _read_upload(form) -> tuple[str, str, UploadFile, bytes]:
    """The upload form's entity type, entity key (``entity_key``), file and bytes; every problem of every field
    (missing or malformed entity type and id, no file, an empty, oversize or disguised file) raised together."""
    problems: list[DomainError] = []

    def check(fn, *args):
        try:
            return fn(*args)
        except DomainError as exc:
            problems.append(exc)
            return None

    entity_type = form.get("entity_type") or form.get("entityType")
    entity_id = form.get("entity_id") or form.get("entityId")
    file = form.get("file")
    if not isinstance(entity_type, str) or not entity_type.strip():
        problems.append(ValidationFailed("Send 'entity_type' as a form field (e.g. 'customers:customer').",
                                         field="entity_type"))
        entity_type = ""
    elif check(service._check_entity, entity_type, "0") is None:  # the type alone; the id is checked below
        entity_type = ""
    else:
        entity_type = entity_type.strip()
    if not isinstance(entity_id, str) or not entity_id.strip():
        problems.append(ValidationFailed("Send 'entity_id' as a form field (the entity's id or global id).",
                                         field="entity_id"))
        entity_id = None
    else:
        entity_id = check(entity_key, entity_type or None, entity_id)
        if entity_id is not None:
            check(service._check_entity, "any:entity", entity_id)  # the id alone
    data = b""
    if not isinstance(file, UploadFile):
        problems.append(ValidationFailed("Send the file as a multipart part named 'file'.", field="file"))
    else:
        data = await file.read()
        check(inspect_file, file.filename, data, get_settings().attachment_max_bytes)
    if problems:
        raise FormInvalid(problems)
    return entity_type, entity_id, file, data


def attachment_routes(db: Database | None = None) -> list[Route]:
    """The two routes, bound to ``db`` (default: the process-wide database)."""

    async def upload(request: Request) -> Response:
        caller = await _caller(db, request)
        try:
            form = await request.form(max_files=1, max_fields=10)
        except MultiPartException as exc:
            raise ValidationFailed("Malformed multipart body: {reason}", field="file",
                                   reason=exc.message) from None
        try:
            entity_type, entity_id, file, data = await _read_upload(form)
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

