"""Per-request DataLoaders from plain batch functions, so a field of a list row costs one query per request, not
one per row.

A batch function takes the request context and the keys wanted in one tick of the event loop and returns a dict
of what it found: ``fetch(ctx, keys) -> {key: value}``. It runs the same permission checks and data-scope filters
as the single-row path it replaces (a loader must never show more than the field did). Keys it leaves out get
``default`` (a value, or a callable such as ``list`` for a fresh one each time)::

    rows = await load(info, "customers.lists", _lists, self.row.id, default=list)

The loader is created once per request under ``name`` (``Context.loader``); use one name per batch function.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

Fetch = Callable[[Any, Sequence[Hashable]], dict]


def batch_loader(fetch: Fetch, default: Any = None):
    """A ``Context.loader`` factory: a DataLoader whose batches call ``fetch(ctx, keys)`` once."""

    def factory(ctx) -> DataLoader:
        async def load_batch(keys):
            found = fetch(ctx, list(keys))
            return [found[k] if k in found else (default() if callable(default) else default) for k in keys]

        return DataLoader(load_fn=load_batch)

    return factory


async def load(info, name: str, fetch: Fetch, key: Hashable, default: Any = None) -> Any:
    """``key``'s value from the request's loader ``name`` (created on first use with ``fetch``)."""
    return await info.context.loader(name, batch_loader(fetch, default)).load(key)
