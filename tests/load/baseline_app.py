"""The hand-written baseline of the load test (``make load``): a plain Starlette app serving the workload's seven
requests with SQLAlchemy Core on the same database, as the same non-owner role, with the same tenancy and the same
bearer check. Served by uvicorn with 2 workers next to Surety (``uvicorn --factory baseline_app:create_app``).

Per request: the bearer token checked by ``core.identity.auth.resolve_access`` (the same function, its own
transaction, as Surety), then one transaction with ``app.tenant_id`` set (``set_config(..., true)``, so RLS applies)
running the hand-written SQL of the request, the caller's roles and data scope read in one statement. Endpoints are
plain ``def`` functions, which Starlette runs in its thread pool: the ordinary way to call a blocking driver from a
Starlette app. What it leaves out on purpose (that is what the ratio prices): GraphQL parsing, validation and
execution, the ORM, Casbin, audit records, domain events, related-party detection, the workflow engine's routing.

``LOAD_DASHBOARD_SQL`` names a pickle of the statements the leaders' dashboard runs per tenant (recorded by the
runner from ``plugins.guarantee.dashboard.dashboard`` with their parameters): the baseline replays the same SQL on a
raw connection, without the ORM and the Python that builds and folds it.

Not a test module (pytest collects ``test_*.py`` only).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import uuid
from decimal import Decimal

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from surety.core.crypto.blind_index import blind_index
from surety.core.crypto.masking import mask
from surety.core.db.base import uuid7
from surety.core.db.session import TENANT_KEY, bind_tenant_context, get_database
from surety.core.errors import DomainError
from surety.core.identity.auth import decode_access_token, resolve_access
from surety.core.plugins import load_all_models
from surety.core.workflow.models import (
    WorkflowDefinition,
    WorkflowInstance,
    WorkflowStepRun,
    WorkflowTask,
    WorkflowTaskCandidate,
)
from surety.plugins.customers.models import Customer
from surety.plugins.customers.validators import normalise_name
from surety.plugins.guarantee.project.models import GuaranteeProject

PAGE = 20

_SCOPE = text("""
SELECT r.data_scope FROM casbin_rule c
JOIN roles r ON r.tenant_id = c.tenant_id AND c.v1 = 'role:' || r.key
WHERE c.tenant_id = :t AND c.ptype = 'g' AND c.v0 = :subject
""")

_SEARCH = text("""
SELECT id, kind, name, phone, tags FROM customers
WHERE tenant_id = :t AND deleted_at IS NULL AND name_norm >= :p AND name_norm < :q
  AND (:all_rows OR owner_id = :owner)
ORDER BY name_norm, id LIMIT :limit
""")

#: bench row 13's baseline: the page of projects joined to customer, product and bank, counter-guarantees as JSON.
_PROJECTS = text("""
SELECT p.id, p.project_no, p.status, p.amount, c.id AS customer_id, c.kind AS customer_kind, c.name AS customer_name,
       pr.code AS product_code, pr.category AS product_category, b.name AS bank_name,
       COALESCE((SELECT json_agg(json_build_object('kind', g.kind, 'valuation', g.valuation)
                                 ORDER BY g.created_at, g.id)
                 FROM guarantee_counter_guarantees g
                 WHERE g.tenant_id = p.tenant_id AND g.project_id = p.id), '[]') AS counter_guarantees
FROM guarantee_projects p
JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id
JOIN guarantee_products pr ON pr.tenant_id = p.tenant_id AND pr.id = p.product_id
LEFT JOIN guarantee_banks b ON b.tenant_id = p.tenant_id AND b.id = p.bank_id
WHERE p.tenant_id = :t
ORDER BY p.created_at DESC, p.id DESC
LIMIT :limit
""")

_INBOX = text("""
SELECT t.id, t.step_key, t.kind, t.title, t.status, t.due_date, t.created_at, i.id AS instance_id,
       i.title AS instance_title
FROM workflow_tasks t
JOIN workflow_task_candidates k ON k.tenant_id = t.tenant_id AND k.task_id = t.id
JOIN workflow_instances i ON i.tenant_id = t.tenant_id AND i.id = t.instance_id
WHERE t.tenant_id = :t AND k.user_id = :u AND k.active AND t.status = 'open'
ORDER BY t.created_at, t.id LIMIT :limit
""")


def _json(value):
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _rows(rows) -> list[dict]:
    return [{k: _json(v) for k, v in row._mapping.items()} for row in rows]


def _unauthenticated() -> Response:
    return JSONResponse({"error": "unauthenticated"}, status_code=401)


class Baseline:
    """The endpoints, bound to one ``Database`` (the app role's engine)."""

    def __init__(self, db, dashboard_sql: dict | None = None):
        self.db = db
        self.dashboard_sql = dashboard_sql or {}

    # ------------------------------------------------------------ plumbing ------------------------------------------

    def _run(self, request: Request, work) -> Response:
        """Authenticate, open the tenant's transaction with RLS set, read the caller's scope, do ``work`` (in the
        thread pool; ``bind_tenant_context`` lets the encrypted columns find the tenant's keys). A token the
        principal cache does not know is checked in that same transaction, as Surety does (core/web.py)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return _unauthenticated()
        try:
            tenant_id = decode_access_token(token).tenant_id
        except DomainError:
            return _unauthenticated()
        with bind_tenant_context(tenant_id), self.db.engine.connect() as conn, conn.begin():
            conn.execute(select(func.set_config("app.tenant_id", str(tenant_id), True)))
            checks: list[Session] = []

            def session_for(tenant: uuid.UUID) -> Session:  # the check's ORM query, on this connection
                checks.append(Session(bind=conn, info={TENANT_KEY: tenant}))
                return checks[-1]

            try:
                principal = resolve_access(self.db, token, session_for=session_for)
            except DomainError:
                return _unauthenticated()
            finally:
                for check in checks:
                    check.close()
            actor = principal.actor()
            scopes = set(conn.scalars(_SCOPE, {"t": principal.tenant_id, "subject": actor.subject}))
            if not scopes:
                return JSONResponse({"error": "forbidden"}, status_code=403)
            body = work(conn, principal, actor, scopes)
        return JSONResponse(body)

    # ------------------------------------------------------------ reads ---------------------------------------------

    def customer_search(self, request: Request, data: dict) -> Response:
        prefix = normalise_name(data["prefix"])
        stmt = _SEARCH.columns(Customer.__table__.c.id, Customer.__table__.c.kind, Customer.__table__.c.name,
                               Customer.__table__.c.phone, Customer.__table__.c.tags)  # decrypts phone

        def work(conn, principal, actor, scopes):
            rows = conn.execute(stmt, {"t": principal.tenant_id, "p": prefix,
                                       "q": prefix[:-1] + chr(ord(prefix[-1]) + 1), "all_rows": "tenant" in scopes,
                                       "owner": actor.id_uuid, "limit": PAGE + 1}).all()
            return {"customers": [{"id": str(r.id), "kind": r.kind, "name": r.name, "phone": mask(r.phone, "phone"),
                                   "tags": r.tags} for r in rows[:PAGE]], "hasNextPage": len(rows) > PAGE}

        return self._run(request, work)

    def project_page(self, request: Request, data: dict) -> Response:
        def work(conn, principal, actor, scopes):
            rows = conn.execute(_PROJECTS, {"t": principal.tenant_id, "limit": PAGE + 1}).all()
            return {"projects": _rows(rows[:PAGE]), "hasNextPage": len(rows) > PAGE}

        return self._run(request, work)

    def inbox(self, request: Request, data: dict) -> Response:
        def work(conn, principal, actor, scopes):
            rows = conn.execute(_INBOX, {"t": principal.tenant_id, "u": actor.id_uuid, "limit": PAGE + 1}).all()
            return {"tasks": _rows(rows[:PAGE]), "hasNextPage": len(rows) > PAGE}

        return self._run(request, work)

    def dashboard(self, request: Request, data: dict) -> Response:
        def work(conn, principal, actor, scopes):
            out = []
            for statement, params in self.dashboard_sql.get(principal.tenant_id, ()):
                out.append(_rows(conn.exec_driver_sql(statement, params).all()))
            return {"dashboard": out}

        return self._run(request, work)

    # ------------------------------------------------------------ writes --------------------------------------------

    def customer_create(self, request: Request, data: dict) -> Response:
        def work(conn, principal, actor, scopes):
            t = principal.tenant_id
            now = dt.datetime.now(dt.UTC)
            row = dict(tenant_id=t, id=uuid7(), kind=data["kind"], name=data["name"],
                       name_norm=normalise_name(data["name"]), id_number=data["idNumber"],
                       id_number_bidx=blind_index(t, data["idNumber"], "id_number"),
                       phone=data.get("phone"), phone_bidx=blind_index(t, data.get("phone"), "phone"),
                       family=[], shareholders=[], key_people=[], tags=[], owner_id=actor.id_uuid,
                       org_unit_id=uuid.UUID(str(actor.org_unit_id)) if actor.org_unit_id else None, version=1,
                       created_at=now, updated_at=now)
            conn.execute(insert(Customer.__table__), row)
            return {"id": str(row["id"])}

        return self._run(request, work)

    def application_submit(self, request: Request, data: dict) -> Response:
        """Lock the draft, check it, take the number, mark it submitted, open the acceptance task for the
        department head of the project's unit (instance, step run, task, candidate)."""
        project_id = uuid.UUID(data["id"])
        P = GuaranteeProject.__table__

        def work(conn, principal, actor, scopes):
            t, now = principal.tenant_id, dt.datetime.now(dt.UTC)
            project = conn.execute(select(P).where(P.c.tenant_id == t, P.c.id == project_id).with_for_update()).one()
            if project.status != "draft" or actor.id_uuid not in (project.manager_a_id, project.manager_b_id):
                return {"error": "not a draft of yours"}
            counters = conn.scalar(text("SELECT count(*) FROM guarantee_counter_guarantees "
                                        "WHERE tenant_id = :t AND project_id = :p"), {"t": t, "p": project_id})
            if not counters:
                return {"error": "counter-guarantee required"}
            prefix = f"LB-{now:%Y}-"
            seq = conn.scalar(text(
                "INSERT INTO guarantee_number_sequences (tenant_id, id, prefix, last_value) VALUES (:t, :i, :p, 1) "
                "ON CONFLICT (tenant_id, prefix) DO UPDATE SET last_value = guarantee_number_sequences.last_value + 1 "
                "RETURNING last_value"), {"t": t, "i": uuid7(), "p": prefix})
            number = f"{prefix}{seq:06d}"
            definition = conn.execute(select(WorkflowDefinition.__table__.c.id, WorkflowDefinition.__table__.c.version)
                                      .where(WorkflowDefinition.__table__.c.tenant_id == t,
                                             WorkflowDefinition.__table__.c.key == "guarantee.approval",
                                             WorkflowDefinition.__table__.c.status == "published")
                                      .order_by(WorkflowDefinition.__table__.c.version.desc()).limit(1)).one()
            head = conn.scalar(text(
                "SELECT u.id FROM users u JOIN casbin_rule c ON c.tenant_id = u.tenant_id AND c.ptype = 'g' "
                "AND c.v0 = 'user:' || u.id::text AND c.v1 = 'role:department_head' "
                "WHERE u.tenant_id = :t AND u.org_unit_id = :unit LIMIT 1"), {"t": t, "unit": project.org_unit_id})
            instance_id, run_id, task_id = uuid7(), uuid7(), uuid7()
            conn.execute(insert(WorkflowInstance.__table__), dict(
                tenant_id=t, id=instance_id, definition_id=definition.id, definition_key="load.baseline",
                definition_version=definition.version, subject_type="guarantee:project", subject_id=str(project_id),
                subject={}, variables={}, title=f"担保项目 {number}", status="running", current_step="acceptance",
                initiator_id=actor.id_uuid, org_unit_id=project.org_unit_id, lock_version=0, last_seq=0,
                started_at=now))
            conn.execute(insert(WorkflowStepRun.__table__), dict(
                tenant_id=t, id=run_id, instance_id=instance_id, step_key="acceptance", kind="task", mode="all",
                required=1, status="open", started_at=now))
            conn.execute(insert(WorkflowTask.__table__), dict(
                tenant_id=t, id=task_id, instance_id=instance_id, step_run_id=run_id, step_key="acceptance",
                kind="task", title="受理 Acceptance", status="open", assignee_id=head, created_at=now))
            conn.execute(insert(WorkflowTaskCandidate.__table__), dict(
                tenant_id=t, id=uuid7(), task_id=task_id, user_id=head, active=True, reason="assigned"))
            conn.execute(update(P).where(P.c.tenant_id == t, P.c.id == project_id).values(
                project_no=number, status="in_approval", submitted_at=now, workflow_instance_id=instance_id))
            return {"id": str(project_id), "projectNo": number}

        return self._run(request, work)

    def task_approve(self, request: Request, data: dict) -> Response:
        """Close the task and its candidacies, open the next step (due diligence, for the project's manager A)."""
        task_id = uuid.UUID(data["id"])
        T, C, R = WorkflowTask.__table__, WorkflowTaskCandidate.__table__, WorkflowStepRun.__table__

        def work(conn, principal, actor, scopes):
            t, now = principal.tenant_id, dt.datetime.now(dt.UTC)
            task = conn.execute(update(T).where(T.c.tenant_id == t, T.c.id == task_id, T.c.status == "open")
                                .values(status="done", decision="approve", completed_at=now,
                                        completed_by=actor.id_uuid)
                                .returning(T.c.instance_id, T.c.step_run_id)).one_or_none()
            if task is None:
                return {"error": "no open task"}
            conn.execute(update(C).where(C.c.tenant_id == t, C.c.task_id == task_id).values(active=False))
            conn.execute(update(R).where(R.c.tenant_id == t, R.c.id == task.step_run_id)
                         .values(status="done", decision="approve", ended_at=now))
            manager = conn.scalar(text("SELECT manager_a_id FROM guarantee_projects p JOIN workflow_instances i "
                                       "ON i.tenant_id = p.tenant_id AND i.subject_id = p.id::text "
                                       "WHERE i.tenant_id = :t AND i.id = :i"), {"t": t, "i": task.instance_id})
            run_id = uuid7()
            conn.execute(insert(R), dict(tenant_id=t, id=run_id, instance_id=task.instance_id,
                                         step_key="due_diligence", kind="task", mode="all", required=1,
                                         status="open", started_at=now))
            next_id = uuid7()
            conn.execute(insert(T), dict(tenant_id=t, id=next_id, instance_id=task.instance_id, step_run_id=run_id,
                                         step_key="due_diligence", kind="task", title="尽职调查 Due diligence",
                                         status="open", assignee_id=manager, created_at=now))
            conn.execute(insert(C), dict(tenant_id=t, id=uuid7(), task_id=next_id, user_id=manager, active=True,
                                         reason="assigned"))
            return {"id": str(task_id), "next": str(next_id)}

        return self._run(request, work)


#: Path -> Baseline method.
ENDPOINTS = {"/customers/search": "customer_search", "/projects/page": "project_page", "/inbox": "inbox",
             "/dashboard": "dashboard", "/customers/create": "customer_create",
             "/applications/submit": "application_submit", "/tasks/approve": "task_approve"}


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(db=None, dashboard_sql: dict | None = None) -> Starlette:
    """The baseline app; without arguments (uvicorn's factory) on the settings' app database and the dashboard
    statements pickled at ``$LOAD_DASHBOARD_SQL``."""
    load_all_models()
    if dashboard_sql is None and os.environ.get("LOAD_DASHBOARD_SQL"):
        with open(os.environ["LOAD_DASHBOARD_SQL"], "rb") as fh:
            dashboard_sql = pickle.load(fh)
    b = Baseline(db or get_database(), dashboard_sql)

    def endpoint(handler):
        async def run(request: Request) -> Response:
            data = await request.json()
            return await run_in_threadpool(handler, request, data)

        return run

    routes = [Route(path, endpoint(getattr(b, name)), methods=["POST"]) for path, name in ENDPOINTS.items()]
    routes.append(Route("/healthz", healthz))
    return Starlette(routes=routes)


