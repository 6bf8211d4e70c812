"""Per-request DataLoaders from plain batch functions, so a field of a list row costs one query per request, not
one per row.

A batch function takes the request context and the keys wanted in one tick of the event loop and returns a dict
of what it found: ``fetch(ctx, keys) -> {key: value}``. It runs the same permission checks and data-scope filters
as the single-row path it replaces (a loader must never show more than the field did). Keys it leaves out get
``default`` (a value, or a callable such as ``list`` for a fresh one each time)::

    rows = await load(info, "customers.lists", _lists, self.row.id, default=list)

The loader is created once per request under ``name`` (``Context.loader``); use one name per batch function.

The related fields of a list's rows (a project's customer, product and bank; a loan's schedule) load synchronously
with :func:`page_related` over the rows the list field kept with :func:`remember_page`: one query per kind and
request, however many rows the page has.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from operator import attrgetter
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


# ---------------------------------------------------------------- related fields of a page's rows -----------------

Key = str | Callable[[Any], Hashable]
Batch = Callable[[Any, list], dict]


def remember_page(info, page: str, rows: Iterable) -> None:
    """Keep the rows a list field returned (a connection's page, a ``nodes`` answer) under ``page`` for the request,
    so that :func:`page_related` loads a related field for all of them at once (None rows are left out)."""
    info.context.loaders.setdefault(page, []).extend(r for r in rows if r is not None)


def page_related(info, page: str, name: str, batch: Batch, row: Any, key: Key) -> Any:
    """``row``'s value of the related field ``name``, loaded for every row the request listed under ``page``
    (:func:`remember_page`) and ``row`` itself with one call of ``batch(session, rows) -> {key: value}`` (``rows``
    one per distinct key not loaded yet), cached on the request. ``key`` is an attribute name or ``key(row)``; a row
    whose key is None has no value (None, nothing loaded). ``batch`` runs the checks and data-scope filters of the
    single-row path (a batch never shows more than the field did).

    Synchronous on purpose: a page of 50 rows with four related fields would otherwise schedule hundreds of
    DataLoader tasks, which cost more than the queries they batch (make bench, guarantee row 13). Use :func:`load`
    where the field is async anyway."""
    key_of = attrgetter(key) if isinstance(key, str) else key
    wanted = key_of(row)
    if wanted is None:
        return None
    cache = info.context.loaders.setdefault(f"{page}:{name}", {})
    if wanted not in cache:
        pending: dict[Hashable, Any] = {}
        for r in (*info.context.loaders.get(page, ()), row):
            k = key_of(r)
            if k is not None and k not in cache:
                pending.setdefault(k, r)
        found = batch(info.context.session, list(pending.values()))
        cache.update({k: found.get(k) for k in pending})
    return cache[wanted]
