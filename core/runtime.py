"""Process tuning for a serving worker.

Garbage collection: a worker holds a large, long-lived heap built at start-up (the GraphQL schema, SQLAlchemy
mappers, plugin modules). CPython's full collections walk all of it: ~150 ms pauses every ~100 requests were
measured (docs/benchmarks.md). After start-up :func:`tune_gc` moves what exists into the permanent generation
(``gc.freeze``, so full collections skip it) and makes young collections rarer (request garbage is mostly freed by
reference counting; cycles still get collected).
"""

from __future__ import annotations

import gc

#: Allocations between young-generation collections (CPython's default is 700), and the generation-1 and -2 ratios.
GC_THRESHOLDS = (10_000, 20, 20)


def tune_gc() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
