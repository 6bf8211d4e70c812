"""The whole book's part of the limit check (docs/regulatory/limits.md, "Cost"): the liability balance of every
in-force exposure and the net-asset base at the end of a business date, cached in the process per tenant, date,
settings and the answering plugins' book versions, so a warm check reads the versions (one small statement per
plugin that keeps one) instead of rebuilding the book.

- Versions: each enabled plugin answers hook ``regulatory_book_version`` with a token that changes whenever its
  figures or exposures may have changed (guarantee: its newest ledger entries' ids), or not at all. A plugin's
  exposures (``regulatory_exposures``) and, for the plugins of :data:`BASE_PLUGINS` only (the base's measures are
  ``finance.*``), its figures (``regulatory_report_figures`` for the one-day period) are kept under ``(tenant,
  plugin, date, token)``; a plugin without a token is read afresh every time (never stale).
- The liability balance (``rules.liability_balance`` of every plugin's exposures) is kept under ``(tenant, date,
  settings, the tokens of the plugins that answered exposures)``, and only when each of those has a token.
- A new ledger entry (this process or another, committed or in the reading transaction) gives a new token: the next
  check loads afresh. Entries loaded by a transaction that then rolls back sit under a token nobody reads again.
- At most :data:`MAX_ENTRIES` entries (least recently used dropped first); values are immutable (tuples, frozen
  dataclasses).

:func:`liability_after` is the exact liability balance after adding exposures to a few customers, from the cached
book: each weights-table line's balance less the customers' old contribution plus their new one, then rounded per
line as ``rules.liability_balance`` does (the weights' thresholds are per customer and business type, so only those
customers' lines move).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from surety.core.db.session import session_tenant
from surety.core.hooks import declared, tenant_hook_each
from surety.core.plugins import get_registry
from surety.core.ports import regulatory as door
from surety.core.ports.regulatory import Exposure, Figure
from surety.plugins.regulatory.indicators import rules
from surety.plugins.regulatory.indicators.services import base_of

T = TypeVar("T")
ZERO = Decimal("0.00")
#: The measures of the net-asset base, and the plugins asked for figures: those the measures' keys name
#: (``<plugin>.<name>``, core.ports.regulatory.MEASURES); every plugin is asked for exposures.
BASE_MEASURES = ("finance.net_assets", "finance.equity_in_guarantee_companies")
BASE_PLUGINS = frozenset(m.split(".", 1)[0] for m in BASE_MEASURES)
#: Cache entries kept in the process (a plugin's answers for a date, or a book's liability balance).
MAX_ENTRIES = 64


@dataclasses.dataclass(frozen=True)
class Book:
    """The whole book at the end of ``as_of``: its liability balance and the net-asset base."""

    as_of: dt.date
    liability: rules.LiabilityBalance
    base: Decimal
    #: Every plugin's exposures (plugin key -> its answer), for a plugin that answers no customer exposures.
    exposures: Mapping[str, tuple[Exposure, ...]] = dataclasses.field(default_factory=dict)


class _Cache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # entries loaded (tests, benchmarks)

    def get(self, key: tuple, loader: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = loader()
        with self._lock:
            self.loads += 1
            self._entries[key] = value
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


_cache = _Cache()


def get_cache() -> _Cache:
    return _cache


def _params_key(params: rules.Params) -> str:
    """The settings as a key: equal for equal values (``10`` and ``10.0000`` alike)."""
    return json.dumps(dataclasses.asdict(params), sort_keys=True,
                      default=lambda v: str(v.normalize()) if isinstance(v, Decimal) else str(v))


def _each(session: Session, name: str) -> dict[str, Any]:
    return dict(tenant_hook_each(session, name)) if declared(name) else {}


def _answers(caller, **kwargs) -> tuple:
    return tuple(item for answer in caller(**kwargs) if answer for item in answer)


def _plugin_parts(session: Session, day: dt.date, figures_of, exposures_of) -> tuple[tuple[Figure, ...],
                                                                                   tuple[Exposure, ...]]:
    figures = _answers(figures_of, session=session, as_of=day, period_start=day) if figures_of else ()
    exposures = _answers(exposures_of, session=session, as_of=day) if exposures_of else ()
    return figures, exposures


def book_of(session: Session, day: dt.date, params: rules.Params) -> Book:
    """The whole book at the end of ``day`` (module docstring: cached per tenant, date, settings and versions)."""
    tenant = session_tenant(session)
    cacheable = isinstance(tenant, uuid.UUID)
    versions = door.book_versions(session) if cacheable else {}
    figures_of = _each(session, "regulatory_report_figures")
    exposures_of = _each(session, "regulatory_exposures")
    figures: list[Figure] = []
    exposure_versions: list[tuple[str, str | None]] = []
    by_plugin: dict[str, tuple[Exposure, ...]] = {}
    for key in dict.fromkeys([*figures_of, *exposures_of]):
        version = versions.get(key)

        def load(key=key):
            return _plugin_parts(session, day, figures_of.get(key) if key in BASE_PLUGINS else None,
                                 exposures_of.get(key))

        found_figures, found_exposures = (_cache.get(("plugin", tenant, key, day, version), load)
                                          if cacheable and version is not None else load())
        figures += found_figures
        if found_exposures:
            exposure_versions.append((key, version))
            by_plugin[key] = found_exposures

    def whole() -> rules.LiabilityBalance:
        return rules.liability_balance([e for items in by_plugin.values() for e in items], params)

    if cacheable and all(v is not None for _, v in exposure_versions):
        liability = _cache.get(("book", tenant, day, _params_key(params), tuple(exposure_versions)), whole)
    else:
        liability = whole()
    return Book(day, liability, base_of(figures).amount, MappingProxyType(by_plugin))


def customer_exposures(session: Session, whole: Book, customer_ids: Collection[uuid.UUID]) -> list[Exposure]:
    """The exposures of ``customer_ids`` in ``whole``: asked of the plugins (``core.ports.regulatory.
    customer_exposures``); a plugin whose exposures are in the book but which does not answer that hook has its
    book exposures filtered instead (correct, but a scan of its part of the book)."""
    found = door.customer_exposures(session, whole.as_of, customer_ids)
    hook = getattr(get_registry().pm.hook, "regulatory_customer_exposures", None)
    answering = {impl.plugin_name for impl in hook.get_hookimpls()} if hook is not None else set()
    wanted = set(customer_ids)
    return found + [e for key, items in whole.exposures.items() if key not in answering
                    for e in items if e.customer_id in wanted]


def liability_after(book: rules.LiabilityBalance, old: Iterable[Exposure], new: Iterable[Exposure],
                    params: rules.Params) -> Decimal:
    """The liability balance of ``book`` once some customers' exposures ``old`` (all of theirs in the book) become
    ``new`` (module docstring): equal to ``rules.liability_balance`` of the whole changed book."""
    balances = {line.rule: line.balance for line in book.lines}
    for line in rules.liability_balance(old, params).lines:
        balances[line.rule] = balances.get(line.rule, ZERO) - line.balance
    for line in rules.liability_balance(new, params).lines:
        balances[line.rule] = balances.get(line.rule, ZERO) + line.balance
    return sum((rules.money(balance * rule.weight) for rule, balance in balances.items()), ZERO)
