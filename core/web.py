"""The ASGI application: GraphQL at /graphql (GraphiQL in development), attachment upload and download
(/attachments), /healthz, request context, body limit (larger for the upload route)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping

import jwt
import structlog
from cross_web import HTTPException
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from strawberry.asgi import GraphQL

from surety.core import limits
from surety.core.admission import DEFAULT_QUEUE, AdmissionGate, AdmissionMiddleware, slots_for
from surety.core.db.session import Database, get_database, pool_capacity
from surety.core.errors import DomainError, Unauthenticated
from surety.core.i18n import N_, negotiate, reset_locale, set_locale, translate
from surety.core.identity.api_keys import authenticate_api_key
from surety.core.identity.auth import resolve_access
from surety.core.identity.operators import resolve_platform
from surety.core.logging import configure_logging
from surety.core.request_threads import RequestThreads
from surety.core.runtime import tune_gc
from surety.core.settings import Settings, get_settings
from surety.core.web_console import console_routes
from surety.graphql import graphiql
from surety.graphql.context import Context
from surety.graphql.errors import localize, localize_formatted, with_codes
from surety.graphql.schema import build_schema
from surety.tenants.registry import enabled_plugins

log = structlog.get_logger("surety.web")


def _token_type(token: str) -> str | None:
    """The ``typ`` claim of a JWT, unverified: only to route to the right verifier, which checks everything."""
    try:
        return jwt.decode(token, options={"verify_signature": False}).get("typ")
    except jwt.PyJWTError:
        return None


def authenticate(db: Database, authorization: str | None, client_addr: str | None = None,
                 session_for: Callable[[uuid.UUID], Session] | None = None) -> dict:
    """Resolve an ``Authorization: Bearer ...`` header to context fields. Never raises: a bad credential is kept
    as ``auth_error`` and raised when a field needs a caller (so ``login`` still works with a stale header).
    Refused API keys count against ``client_addr`` (core/identity/ratelimit.py). An access token not in the
    principal cache, and a tenant's enabled plugins not in theirs, are read in the session ``session_for`` opens (the
    request's own: see :meth:`SuretyGraphQL.get_context`)."""
    if not authorization:
        return {}
    scheme, _, credential = authorization.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        return {"auth_error": Unauthenticated("Use 'Authorization: Bearer <token>'.")}
    try:
        if credential.startswith("sk_"):
            principal = authenticate_api_key(db, credential, client_addr=client_addr)
        elif _token_type(credential) == "platform":
            return {"operator_id": str(resolve_platform(db, credential).id)}
        else:
            principal = resolve_access(db, credential, session_for=session_for)
    except DomainError as exc:
        return {"auth_error": exc}
    return {"actor": principal.actor(),
            "enabled_plugins": enabled_plugins(db, principal.tenant_id, session_for=session_for)}


#: Strawberry's own refusals of a request, for the catalogue (shown through :func:`request_error`).
STRAWBERRY_REASONS = (
    N_("Unable to parse request body as JSON"), N_("Batching is not enabled"), N_("Too many operations"),
    N_("No GraphQL query found in the request"), N_("Unable to parse the multipart body"),
    N_("File(s) missing in form data"), N_("GraphQL only supports GET and POST requests."), N_("Not Found"),
    N_("Unsupported content type"),
)


def request_error(message: str, status: int = 400, code: str = "BAD_REQUEST", **params: object) -> JSONResponse:
    """A refused HTTP request answered the GraphQL way: ``{"errors": [{"message", "extensions": {"code"}}]}``, the
    message (a template with ``params``) in the request's locale."""
    return JSONResponse({"errors": [{"message": translate(message, params), "extensions": {"code": code}}]},
                        status_code=status)


class RequestRefused(HTTPException):
    """A 400 of ours with a message template and its parameters (rendered by :func:`request_error`)."""

    def __init__(self, template: str, **params: object):
        super().__init__(400, template)
        self.params = params


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # Python's json reads NaN and Infinity; no database stores them


class SuretyGraphQL(GraphQL):
    """Strawberry's ASGI view with our context, a body parser that refuses what is not a GraphQL request (not JSON,
    not an object, nested deeper than ``limits.MAX_BODY_DEPTH``) with a 400, GraphQL-shaped bodies for every
    refusal at the HTTP level (Strawberry answers plain text) and a code on every error."""

    def __init__(self, schema, db: Database | None, settings: Settings, threads: RequestThreads):
        super().__init__(schema, graphql_ide="graphiql" if settings.development else None,
                         allow_queries_via_get=False)
        self._db = db
        self._threads = threads

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL (development only) loading its scripts from the package, not a CDN (graphql/graphiql.py)."""
        return HTMLResponse(graphiql.graphiql_html())

    async def __call__(self, scope, receive, send):
        """The body is read here, on the server's loop (where the size limit applies); the operation runs on a
        request thread (core/request_threads.py) and the response is written back here."""
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)
        body = await _read_body(receive)
        response, bound = await self._threads.run(self._respond_in_thread, scope, _replay(body))
        structlog.contextvars.bind_contextvars(**bound)  # the access log line names the tenant and user too
        await response(scope, receive, send)

    async def _respond_in_thread(self, scope, receive):
        response = await self._respond(scope, receive)
        bound = structlog.contextvars.get_contextvars()
        return response, {key: bound[key] for key in ("tenant_id", "user") if key in bound}

    async def _respond(self, scope, receive):
        request = Request(scope=scope, receive=receive)
        try:
            return await self.run(request)
        except HTTPException as exc:
            return request_error(exc.reason, exc.status_code, **getattr(exc, "params", {}))
        finally:
            # The operation's end commits or rolls back the request's session; a request refused before any
            # operation ran (a body that is not JSON, say) still has the one the token check opened.
            context = getattr(request.state, _CONTEXT_KEY, None)
            if context is not None:
                context.close_session()

    async def process_result(self, request: Request, result):
        """The response body, every error in it with an ``extensions.code`` (``graphql.errors.with_codes``) and its
        message in the request's locale (``graphql.errors.localize``; the errors were logged in English before)."""
        if result.errors:
            localize(result.errors)
        body = await super().process_result(request, result)
        if body.get("errors"):
            body["errors"] = localize_formatted(with_codes(body["errors"]))
        return body

    def parse_json(self, data: str | bytes):
        """The request body as JSON: an object (one operation) or a list (a batch, which Strawberry refuses), no
        deeper than ``limits.MAX_BODY_DEPTH``; anything else is a 400."""
        try:
            body = json.loads(data, parse_constant=_no_constant)
        except RecursionError:
            raise RequestRefused("The request body nests deeper than {depth} levels.",
                                 depth=limits.MAX_BODY_DEPTH) from None
        except ValueError:  # not JSON (NaN included), or not UTF-8
            raise RequestRefused("Unable to parse request body as JSON") from None
        if not isinstance(body, (dict, list)):
            raise RequestRefused("A GraphQL request body is a JSON object: {{\"query\": ..., \"variables\": ...}}.")
        if limits.depth(body) > limits.MAX_BODY_DEPTH:
            raise RequestRefused("The request body nests deeper than {depth} levels.", depth=limits.MAX_BODY_DEPTH)
        for item in body if isinstance(body, list) else (body,):
            if isinstance(item, dict) and not isinstance(item.get("operationName"), (str, type(None))):
                raise RequestRefused("The GraphQL operation's `operationName` must be a string or null.")
        return body

    async def get_context(self, request: Request, response) -> Context:
        """The request's context. An access token the principal cache does not know is checked, and enabled plugins
        the registry's cache does not hold are read, in the request's own session (begun here on the first such
        read, adopted by the context when the caller is accepted, closed when not): a statement each in the
        request's transaction, not a transaction each of their own."""
        db = self._db or get_database()
        opened: dict[uuid.UUID, Session] = {}

        def request_session(tenant_id: uuid.UUID) -> Session:
            if tenant_id not in opened:
                opened[tenant_id] = db.session(tenant_id)
                opened[tenant_id].begin()
            return opened[tenant_id]

        try:
            fields = authenticate(db, request.headers.get("authorization"),
                                  request.client.host if request.client else None, session_for=request_session)
        except BaseException:
            for session in opened.values():
                session.close()
            raise
        actor = fields.get("actor")
        if actor is not None:
            structlog.contextvars.bind_contextvars(tenant_id=str(actor.tenant_id), user=actor.subject)
        context = Context(db=db, request=request, response=response, request_id=request.state.request_id,
                          client_addr=request.client.host if request.client else None, **fields)
        for tenant_id, session in opened.items():
            if actor is not None and tenant_id == actor.tenant_id:
                context.adopt_session(session)
            else:  # a refused caller: nothing of the request may run in the session its check opened
                session.close()
        setattr(request.state, _CONTEXT_KEY, context)
        return context


#: ``request.state`` key of the request's GraphQL context (its session is closed when the request ends).
_CONTEXT_KEY = "surety_graphql_context"


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes):
    """An ASGI ``receive`` giving ``body`` once, then a disconnect."""
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class RequestContextMiddleware:
    """Request id (from X-Request-ID or new), structlog binding, access log, and a body-size limit (413):
    ``max_body_bytes``, or the limit ``path_limits`` gives the request's exact path (the attachment upload)."""

    def __init__(self, app, max_body_bytes: int, path_limits: Mapping[str, int] | None = None):
        self.app = app
        self.max_body = max_body_bytes
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        rid = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=rid)
        # The request's locale (core/i18n): every message a client reads is rendered in it, down to the request
        # thread that runs a GraphQL operation (core/request_threads.py copies the context).
        locale_token = set_locale(negotiate(headers.get(b"accept-language", b"").decode("latin-1")))
        try:
            return await self._call(scope, receive, send, headers, rid)
        finally:
            reset_locale(locale_token)

    async def _call(self, scope, receive, send, headers: dict, rid: str):
        limit = self.path_limits.get(scope.get("path", ""), self.max_body)
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await self._too_large(send, rid, limit)
        received = 0
        too_large = False

        async def limited_receive():
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge()
            return message

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, limited_receive, send_with_id)
        except BodyTooLarge:
            return await self._too_large(send, rid, limit)
        finally:
            fields = {"too_large": True} if too_large else {}
            log.info("request", method=scope.get("method"), path=scope.get("path"),
                     ms=round((time.perf_counter() - start) * 1000, 1), **fields)

    async def _too_large(self, send, rid: str, limit: int):
        response = JSONResponse(
            {"errors": [{"message": translate("Request body larger than {limit} bytes.", {"limit": limit}),
                         "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]},
            status_code=413, headers={"x-request-id": rid})
        await response({"type": "http"}, None, send)


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a body grows past its limit; route handlers must let it through."""


async def healthz(_request: Request) -> JSONResponse:
    """Liveness: answers from the event loop alone (no database, no admission queue)."""
    return JSONResponse({"status": "ok"})


def admission_gate(settings: Settings, db: Database) -> AdmissionGate:
    """The worker's gate, sized from the settings or from ``db``'s pool (core/admission.py)."""
    slots = slots_for(pool_capacity(db.engine), settings.max_concurrent_requests)
    return AdmissionGate(slots, settings.request_queue or DEFAULT_QUEUE, settings.request_queue_seconds)


def create_app(settings: Settings | None = None, db: Database | None = None, schema=None) -> Starlette:
    from surety.core.attachments.web import UPLOAD_PATH, attachment_routes, upload_body_limit  # noqa: PLC0415 - cycle: attachments.web imports this module

    settings = settings or get_settings()
    configure_logging(settings)
    schema = schema or build_schema(settings=settings)
    gate = admission_gate(settings, db or get_database())
    graphql_app = SuretyGraphQL(schema, db, settings, threads=RequestThreads(gate.slots))
    app = Starlette(routes=[Route("/graphql", graphql_app, methods=["GET", "POST"]), Route("/healthz", healthz),
                            *attachment_routes(db),
                            *([Mount(graphiql.STATIC_PATH, graphiql.static_files())] if settings.development else []),
                            *console_routes()])  # the web console last: every API route keeps priority
    app.add_middleware(AdmissionMiddleware, gate=gate)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes,
                       path_limits={UPLOAD_PATH: upload_body_limit(settings)})
    if settings.env != "test":  # a serving worker (tests build many apps in one process)
        tune_gc()
    return app
