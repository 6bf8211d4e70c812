"""The mixed workload of the load test (``make load``): what each request is, as a real client sends it, for
Surety (``POST /graphql`` with the query, variables and a logged-in user's bearer token) and for the hand-written
baseline (``POST /<path>`` with the same token and a JSON body asking for the same thing).

70% reads (customer search 20%, project page 20%, inbox 20%, leaders' dashboard 10%) and 30% writes (customer
create, application submit, task approve, 10% each). Drafts to submit and tasks to approve come from per-tenant
pools the runner fills from the database between steps, so no two requests take the same draft or task.

Not a test module (pytest collects ``test_*.py`` only).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections import deque
from dataclasses import dataclass, field

from strawberry import relay

from surety.plugins.customers.testing import make_id

PAGE = 20

SEARCH = """query Search($p: String!) {
  customers(first: 20, filter: {namePrefix: $p}) {
    edges { node { id kind name phone tags } } pageInfo { hasNextPage endCursor } } }"""

PROJECTS = """query Projects {
  guaranteeProjects(first: 20) {
    edges { node { id projectNo status amount customer { id kind name } product { code category } bank { name }
                   counterGuarantees { kind valuation } } }
    pageInfo { hasNextPage endCursor } } }"""

INBOX = """query Inbox {
  myTasks(first: 20) {
    edges { node { id stepKey kind title status dueDate createdAt instance { id title } } }
    pageInfo { hasNextPage endCursor } } }"""

DASHBOARD = """query Dashboard($from: Date!, $to: Date!) {
  guaranteeDashboard(dateFrom: $from, dateTo: $to) {
    inForce { count balance } newBusiness { count loanAmount }
    releases { fullCount partialCount releasedAmount repaidAmount compensatedAmount guaranteeReleased }
    compensation { count paidAmount rate }
    recovery { recovered cumulativeRecovered cumulativeCompensation rate writtenOff }
    cycleTime { projects averageDays }
    people { userId name inApproval effective inForceBalance openTasks claimableTasks overdueTasks }
    units { orgUnitId name inApproval effective inForceBalance openTasks }
    breakdowns { industry { key label inForceCount inForceBalance newCount newAmount }
                 bank { key label inForceCount inForceBalance newCount newAmount } } } }"""

CUSTOMER_CREATE = """mutation CustomerCreate($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id name } errors { code message field } } }"""

SUBMIT = """mutation Submit($id: ID!) {
  guaranteeApplicationSubmit(id: $id) { project { id projectNo status } errors { code message field } } }"""

APPROVE = """mutation Approve($input: WorkflowTaskActionInput!) {
  workflowTaskApprove(input: $input) { instance { id currentStep } errors { code message field } } }"""

LOGIN = """mutation Login($t: String!, $u: String!, $p: String!) {
  login(tenant: $t, username: $u, password: $p) { accessToken errors { code message } } }"""

#: kind -> (weight in percent, user who sends it: "manager", "approver" or "executive")
MIX = {
    "customer_search": (20, "manager"),
    "project_page": (20, "executive"),
    "inbox": (20, "approver"),
    "dashboard": (10, "executive"),
    "customer_create": (10, "manager"),
    "application_submit": (10, "manager"),
    "task_approve": (10, "approver"),
}
READS = ("customer_search", "project_page", "inbox", "dashboard")
PREFIXES = ("北京", "北京华", "北京城", "上海", "王", "李", "负载")


@dataclass
class Request:
    """One request of the workload, for either side."""

    kind: str
    token: str
    query: str
    variables: dict
    path: str
    body: dict
    #: The GraphQL mutation field whose payload ``errors`` must be empty.
    payload: str | None = None


@dataclass
class Tenant:
    slug: str
    tenant_id: uuid.UUID
    tokens: dict[str, str] = field(default_factory=dict)  # "manager" / "approver" / "executive" -> access token
    drafts: deque = field(default_factory=deque)
    #: Acceptance tasks of the real approval (Surety approves these; the baseline too when its own run out).
    tasks: deque = field(default_factory=deque)
    #: Acceptance tasks the baseline's hand-written submission opened (only the baseline approves these).
    baseline_tasks: deque = field(default_factory=deque)


def gid(type_name: str, value: uuid.UUID) -> str:
    return relay.to_base64(type_name, str(value))


class Workload:
    """Draws requests in the mix, round-robin over the tenants; ``used`` keeps drafts and tasks taken."""

    def __init__(self, tenants: list[Tenant], seed: int = 12, today: dt.date | None = None):
        self.tenants = tenants
        self.rnd = random.Random(seed)
        kinds = [k for k, (w, _) in MIX.items() for _ in range(w)]
        self.kinds = kinds
        self.today = today or dt.date.today()
        self.used: set[uuid.UUID] = set()
        self._people = itertools.count(1)
        self.short: dict[str, int] = {}  # kind -> requests turned into reads because a pool was empty

    def refill(self, drafts: dict[uuid.UUID, list[uuid.UUID]], real: dict[uuid.UUID, list[uuid.UUID]],
               baseline: dict[uuid.UUID, list[uuid.UUID]]) -> None:
        """Put the drafts and open tasks found in the database (and not taken yet) into the pools."""
        for t in self.tenants:
            t.drafts = deque(d for d in drafts.get(t.tenant_id, ()) if d not in self.used)
            t.tasks = deque(x for x in real.get(t.tenant_id, ()) if x not in self.used)
            t.baseline_tasks = deque(x for x in baseline.get(t.tenant_id, ()) if x not in self.used)

    def _take(self, pool: deque) -> uuid.UUID | None:
        while pool:
            item = pool.popleft()
            if item not in self.used:
                self.used.add(item)
                return item
        return None

    def _person(self) -> tuple[str, str, str]:
        n = next(self._people)  # unique in the run: name, ID number (sequence and birth date) and phone

        born = (dt.date(1960, 1, 1) + dt.timedelta(days=n // 1000)).strftime("%Y%m%d")
        return f"负载客户{n:06d}", make_id(n, born=born), f"139{n:08d}"

    def next(self, side: str, i: int) -> Request:
        """The ``i``-th request of a step for ``side`` ("graphql" or "baseline")."""
        tenant = self.tenants[i % len(self.tenants)]
        kind = self.kinds[self.rnd.randrange(len(self.kinds))]
        if kind == "application_submit":
            draft = self._take(tenant.drafts)
            if draft is None:
                self.short[kind] = self.short.get(kind, 0) + 1
                kind = "project_page"
        if kind == "task_approve":
            task = self._take(tenant.baseline_tasks) if side == "baseline" else None
            task = task or self._take(tenant.tasks)
            if task is None:
                self.short[kind] = self.short.get(kind, 0) + 1
                kind = "inbox"
        token = tenant.tokens[MIX[kind][1]]
        if kind == "customer_search":
            p = self.rnd.choice(PREFIXES)
            return Request(kind, token, SEARCH, {"p": p}, "/customers/search", {"prefix": p})
        if kind == "project_page":
            return Request(kind, token, PROJECTS, {}, "/projects/page", {})
        if kind == "inbox":
            return Request(kind, token, INBOX, {}, "/inbox", {})
        if kind == "dashboard":
            period = {"from": dt.date(self.today.year, 1, 1).isoformat(), "to": self.today.isoformat()}
            return Request(kind, token, DASHBOARD, period, "/dashboard", period)
        if kind == "customer_create":
            name, id_number, phone = self._person()
            data = {"kind": "individual", "name": name, "idNumber": id_number, "phone": phone}
            return Request(kind, token, CUSTOMER_CREATE, {"input": data}, "/customers/create", data,
                           payload="customerCreate")
        if kind == "application_submit":
            return Request(kind, token, SUBMIT, {"id": gid("GuaranteeProject", draft)}, "/applications/submit",
                           {"id": str(draft)}, payload="guaranteeApplicationSubmit")
        return Request(kind, token, APPROVE, {"input": {"taskId": gid("WorkflowTask", task), "comment": "同意受理"}},
                       "/tasks/approve", {"id": str(task)}, payload="workflowTaskApprove")


def classify(side: str, request: Request, status: int, body: dict | None) -> str | None:
    """None for a good answer, else the kind of error: ``http 503``, ``graphql``, ``payload``, ``baseline``."""
    if status != 200:
        return f"http {status}"
    if body is None:
        return "not json"
    if side == "graphql":
        if body.get("errors"):
            return "graphql"
        if request.payload and (body.get("data") or {}).get(request.payload, {}).get("errors"):
            return "payload"
        return None
    return "baseline" if "error" in body else None
