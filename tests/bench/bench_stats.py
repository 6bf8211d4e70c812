"""Timing helpers and the result row shared by every benchmark."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

from sqlalchemy import event


@dataclass
class Figure:
    """One row of the results table: a Surety figure, its baseline measured in the same run, and the target."""

    what: str
    surety: float
    baseline: float
    unit: str
    target: str
    passed: bool
    #: ``surety - baseline``, shown next to the ratio when the target is a difference (the audit figure).
    difference: float | None = None
    #: Extra facts printed under the table (sample counts, spread, profile of a miss).
    notes: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        return self.surety / self.baseline if self.baseline else float("inf")

    @property
    def comparison(self) -> str:
        text = f"{self.ratio:.2f}x"
        if self.difference is not None:
            text += f" ({self.difference:+.2f} {self.unit})"
        return text


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def percentile(samples: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), nearest rank."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def per_call_ns(fn: Callable[[], object], calls: int) -> list[int]:
    """Each call timed on its own (nanoseconds); the timer's own cost is included, equally for both sides."""
    out = []
    clock = time.perf_counter_ns
    for _ in range(calls):
        start = clock()
        fn()
        out.append(clock() - start)
    return out


def batch_mean_us(fn: Callable[[], object], batch: int, rounds: int, warmup: int = 1) -> list[float]:
    """Mean microseconds per call over ``rounds`` batches of ``batch`` calls (for sub-microsecond work)."""
    for _ in range(warmup * batch):
        fn()
    gc.collect()
    out = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(batch):
            fn()
        out.append((time.perf_counter_ns() - start) / batch / 1000)
    return out


def interleaved_ms(a: Callable[[], object], b: Callable[[], object], runs: int, warmup: int
                   ) -> tuple[list[float], list[float]]:
    """Run ``a`` and ``b`` alternately (so drift and noise hit both), timing each call in milliseconds."""
    for _ in range(warmup):
        a()
        b()
    gc.collect()
    ta, tb = [], []
    clock = time.perf_counter
    for i in range(runs):
        first, second = (a, b) if i % 2 == 0 else (b, a)
        s = clock()
        first()
        e = clock()
        second()
        f = clock()
        (ta if first is a else tb).append((e - s) * 1000)
        (tb if first is a else ta).append((f - e) * 1000)
    return ta, tb


class SqlMeter:
    """Counts the statements an engine runs, and the time spent executing them, while the block is active
    (used on untimed repeats, so the listeners never slow the timed ones)."""

    def __init__(self, engine):
        self.engine = engine
        self.statements = 0
        self.seconds = 0.0
        #: Wall time of the whole block, so ``elapsed - seconds`` is the time spent outside SQL execution.
        self.elapsed = 0.0
        self._start = 0.0
        self._entered = 0.0
        #: Seconds spent per statement text, to name the slowest one.
        self.by_statement: dict[str, float] = {}

    def _before(self, *_args) -> None:
        self._start = time.perf_counter()

    def _after(self, _conn, _cursor, statement, *_args) -> None:
        spent = time.perf_counter() - self._start
        self.statements += 1
        self.seconds += spent
        self.by_statement[statement] = self.by_statement.get(statement, 0.0) + spent

    def slowest(self) -> tuple[str, float]:
        """The statement that took the most time in total (its first 80 characters, one line) and that time."""
        if not self.by_statement:
            return "", 0.0
        statement, spent = max(self.by_statement.items(), key=lambda kv: kv[1])
        return " ".join(statement.split())[:80], spent

    def __enter__(self) -> Self:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        self._entered = time.perf_counter()
        return self

    def __exit__(self, *_exc) -> None:
        self.elapsed = time.perf_counter() - self._entered
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)
