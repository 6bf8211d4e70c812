"""The figures of one load step (throughput, latency percentiles, errors) and the knee. Pure functions, unit-tested
in tests/load/test_load_stats.py; not a test module itself."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

#: The knee: the highest rate whose p99 stays under this, with no errors (and every lower rate as well).
KNEE_P99_MS = 150.0


def percentile(samples: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by nearest rank: the smallest sample with at least q% of samples at or
    below it. NaN for no samples."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Step:
    """One side at one arrival rate."""

    side: str
    rate: float
    seconds: float
    sent: int = 0
    #: Latency of every answered request (ms), good or not, from the moment it was sent.
    latencies_ms: list[float] = field(default_factory=list)
    #: The same latencies by request kind (``customer_search``, ``project_page``, ...).
    kind_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    #: Wall time from the first request sent to the last one answered (or timed out).
    wall: float = 0.0
    #: How late requests were sent against their schedule (ms): the load generator's own lag.
    lag_ms: list[float] = field(default_factory=list)
    #: CPU seconds used by the load generator and by the server processes during the step.
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    #: CPU seconds of the server's busiest processes in the step, busiest first (the workers).
    process_cpu: list[float] = field(default_factory=list)
    #: CPU seconds of the machine's PostgreSQL processes in the step.
    database_cpu: float = 0.0
    note: str = ""

    @property
    def ok(self) -> int:
        return self.sent - sum(self.errors.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def throughput(self) -> float:
        """Good answers per second over the step's wall time."""
        return self.ok / self.wall if self.wall else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    @property
    def passed(self) -> bool:
        return self.sent > 0 and self.error_count == 0 and self.p(99) < KNEE_P99_MS


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings of processes' CPU (pid -> seconds): the growth of every process in the
    second reading (a new one from 0). A process that exited in between is left out, its last seconds unknown: the
    figure is a lower bound then, never negative (a sum over both readings went below zero when PostgreSQL
    backends of closed connections exited)."""
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())


def knee(steps: list[Step]) -> float | None:
    """The highest rate that passes (p99 under ``KNEE_P99_MS``, no errors) with every lower rate passing too;
    None when the lowest rate already fails."""
    best = None
    for step in sorted(steps, key=lambda s: s.rate):
        if not step.passed:
            break
        best = step.rate
    return best


def kind_medians(graphql: Step | None, baseline: Step | None) -> str:
    """Each request kind's median latency (nearest rank, as the table's p50) on both sides of one rate, with their
    ratio: the per-endpoint comparison (a kind answered by fewer than 5 requests on either side is left out)."""
    if graphql is None or baseline is None:
        return ""
    parts = []
    for kind, mine in graphql.kind_ms.items():
        theirs = baseline.kind_ms.get(kind, [])
        if len(mine) >= 5 and len(theirs) >= 5:
            g, b = percentile(mine, 50), percentile(theirs, 50)
            parts.append(f"{kind} {g:.1f} / {b:.1f} ms ({g / b:.1f}x)")
    return ", ".join(parts)

