"""Admission control: how many requests a worker runs at once, how many wait, and the 503 for the rest.

Why (docs/architecture.md, "Request model"): each admitted GraphQL operation runs on a request thread
(core/request_threads.py) and holds up to ``CONNECTIONS_PER_REQUEST`` pool connections. If more requests ran than
the pool can serve, a request would wait at checkout for a connection that another request holds while that one
waits for something else: the gate admits at most ``pool capacity // CONNECTIONS_PER_REQUEST`` requests (by default
at most ``DEFAULT_MAX_SLOTS``), so every admitted request finds its connections free and a checkout never waits on
another request. The rest wait in a bounded first-come-first-served queue for a bounded time; beyond either bound
they get ``503 Service Unavailable`` with ``Retry-After`` at once instead of hanging.

Each admitted request carries a connection budget (:func:`surety.core.db.session.connection_budget`): a request that
holds more than ``CONNECTIONS_PER_REQUEST`` connections at once is logged (and fails the tests), because it would
break the arithmetic above.

``/healthz`` bypasses the gate and never touches the database, so liveness answers while the worker is saturated.
"""

from __future__ import annotations

import asyncio
import collections
import math

import structlog
from starlette.responses import JSONResponse

from surety.core.db.session import connection_budget
from surety.core.i18n import N_, translate

log = structlog.get_logger("surety.admission")

#: Connections one request may hold at the same time: its authentication lookups (closed before the next opens), the
#: request's session, and an audit record written in a transaction of its own (``audit_detached``) while the request
#: session is open; one spare.
CONNECTIONS_PER_REQUEST = 3

#: Requests run at once when not configured, at most (each on a request thread of its own: core/request_threads.py).
#: Enough to overlap one request's database waits with another's Python work; more threads only contend for the GIL
#: with each other and with the server's loop (which then reads requests and writes responses late). Measured with
#: ``make load`` (docs/benchmarks.md, 2026-12-03): at 150 req/s offered, 2 slots served 126 req/s (p99 217 ms),
#: 3 slots 112 and 4 slots 111 (p99 540-555 ms), at the same CPU.
DEFAULT_MAX_SLOTS = 2

#: Requests that may wait for a slot when not configured, per worker (with the default slots, some 8 requests' time).
DEFAULT_QUEUE = 16

BUSY_MESSAGE = N_("The server is busy; retry shortly.")


def slots_for(pool_capacity: int | None, configured: int | None = None) -> int:
    """Requests to run at once: ``configured`` if given, else what the pool can serve (``None``: a pool that opens
    what is asked), at most :data:`DEFAULT_MAX_SLOTS`. A configured value above the pool's share is lowered to it:
    that is what keeps checkouts from waiting."""
    share = None if pool_capacity is None else max(1, pool_capacity // CONNECTIONS_PER_REQUEST)
    wanted = configured or DEFAULT_MAX_SLOTS
    return wanted if share is None else min(wanted, share)


class AdmissionGate:
    """At most ``slots`` holders; up to ``max_waiting`` callers queue for at most ``max_wait`` seconds, in order.

    A released slot passes straight to the oldest waiter, so a newcomer never overtakes the queue.
    """

    def __init__(self, slots: int, max_waiting: int, max_wait: float):
        if slots < 1 or max_waiting < 0 or max_wait < 0:
            raise ValueError("slots >= 1, max_waiting >= 0 and max_wait >= 0")
        self.slots = slots
        self.max_waiting = max_waiting
        self.max_wait = max_wait
        self.in_use = 0
        self._waiters: collections.deque[asyncio.Future] = collections.deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self) -> bool:
        """Take a slot (True) or give up because the queue is full or the wait ran out (False)."""
        if self.in_use < self.slots and not self._waiters:
            self.in_use += 1
            return True
        if len(self._waiters) >= self.max_waiting:
            return False
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self.max_wait):
                await waiter
            return True
        except TimeoutError:
            # The slot may have been handed over in the same tick the deadline fired: then it is ours.
            return waiter.done() and not waiter.cancelled()
        except asyncio.CancelledError:  # the client went away while waiting
            if waiter.done() and not waiter.cancelled():
                self.release()
            raise
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes on: in_use unchanged
                return
        self.in_use -= 1


def busy_response(retry_after: float) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": translate(BUSY_MESSAGE), "extensions": {"code": "SERVICE_UNAVAILABLE"}}]},
        status_code=503, headers={"retry-after": str(max(1, math.ceil(retry_after)))})


class AdmissionMiddleware:
    """Runs every HTTP request except ``exempt`` paths through an :class:`AdmissionGate`, with the request's
    connection budget set."""

    def __init__(self, app, gate: AdmissionGate, exempt: frozenset[str] = frozenset({"/healthz"})):
        self.app = app
        self.gate = gate
        self.exempt = exempt

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            return await self.app(scope, receive, send)
        if not await self.gate.acquire():
            log.warning("request.refused_busy", in_flight=self.gate.in_use, waiting=self.gate.waiting,
                        path=scope.get("path"))
            return await busy_response(self.gate.max_wait or 1)(scope, receive, send)
        try:
            with connection_budget(CONNECTIONS_PER_REQUEST):
                await self.app(scope, receive, send)
        finally:
            self.gate.release()
