"""Request threads: where GraphQL operations run, off the server's event loop.

Database calls are synchronous; GraphQL resolvers ``await`` DataLoaders between them. On one shared event loop a
request that waits inside the database (for a row lock another in-flight request holds, a pool connection, a slow
statement) blocks the loop, and with it every request that holds what it waits for: a mutation holding the tenant's
audit-chain or number-sequence row lock sits at an ``await`` resolving its payload while the next mutation of that
tenant blocks the loop on the same lock, so neither ever moves again (measured with ``make load``: at 25 req/s the
workers served 9 req/s at 40% CPU, p50 4.6 s).

So each operation runs on one of a fixed set of threads, each with an event loop of its own (its DataLoaders batch
there). A request waiting in the database blocks only its thread; the others, and the server's loop (which reads
bodies, admits requests, writes responses and answers /healthz), go on. The number of threads equals the admission
gate's slots (core/admission.py), so the pool arithmetic there still holds and threads never queue.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class RequestThreads:
    """``await threads.run(fn, *args)`` runs the coroutine ``fn(*args)`` to completion on a pool thread's own event
    loop, in a copy of the caller's context (request id, acting user, connection budget, the request's locale), and
    returns its result."""

    def __init__(self, threads: int, name: str = "surety-request"):
        if threads < 1:
            raise ValueError("at least one request thread")
        self.threads = threads
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._local = threading.local()

    def _loop(self) -> asyncio.AbstractEventLoop:
        loop = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        return loop

    def _complete(self, fn: Callable[..., Awaitable[T]], args: tuple) -> T:
        loop = self._loop()
        try:
            return loop.run_until_complete(fn(*args))
        finally:  # nothing of this request may resume during the next one on this thread
            leftover = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in leftover:
                task.cancel()
            if leftover:
                loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self._executor, context.run, self._complete, fn, args)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
