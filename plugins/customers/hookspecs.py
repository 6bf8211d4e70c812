"""Hooks the ``customers`` plugin declares for other plugins (returned from ``surety_plugin_hookspecs``).

Other plugins call them through the door surety.core.ports.customers (typed functions, the tenant's enabled plugins);
docs/customers.md lists each hook with its exact signature.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from surety.core.hookspecs import hookspec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from surety.core.context import Actor
    from surety.core.ports.customers import CustomerColumns, DemoCorporate


@hookspec
def customers_exposure(session: Session, customer_ids: Iterable[uuid.UUID]) -> Mapping[uuid.UUID, Decimal]:
    """Return this plugin's outstanding exposure (yuan, Decimal) for each of ``customer_ids`` it has business with
    (omit customers without exposure). The group view sums the answers of every enabled plugin."""


@hookspec
def customers_screen(session: Session, customer_id: uuid.UUID, business: str) -> Iterable[str] | None:
    """Screen ``customer_id`` before new ``business`` (e.g. ``guarantee:application``): raise a DomainError to
    refuse it, or return flags (short strings) to attach to it. The customers plugin implements it itself: a
    blacklisted customer raises ``CustomerBlacklisted`` (code ``CUSTOMER_BLACKLISTED``), a watchlisted one returns
    ``["watchlist"]``. Call it through ``screen_customer`` or the hook caller; flags of every plugin are joined."""


@hookspec(firstresult=True)
def customers_summaries(session: Session, customer_ids: Iterable[uuid.UUID]) -> Mapping[uuid.UUID, Mapping[str, Any]]:
    """Return what other plugins may show of each of ``customer_ids`` that exists in the tenant (deleted ones
    included, with ``deleted`` true), in one query: ``id``, ``kind`` (``individual``/``corporate``), ``name``,
    ``org_unit_id``, ``owner_id``, ``industry``, ``region``, ``size``, ``deleted``. No identity numbers, phones or
    addresses. The customers plugin implements it; no permission check (the caller checks its own)."""


@hookspec(firstresult=True)
def customers_latest_ratios(session: Session, customer_id: uuid.UUID) -> Mapping[str, Any] | None:
    """Return the ratios of the customer's latest financial statement (annual preferred, else the latest of any
    period type): ``period_type``, ``period_end`` (date), and ``debt_ratio``, ``current_ratio``, ``quick_ratio``,
    ``roe``, ``revenue_growth`` (Decimal or None when not computable); None when the customer has no statement.
    The customers plugin implements it; no permission check."""


@hookspec(firstresult=True)
def customers_related(session: Session, customer_id: uuid.UUID) -> Mapping[uuid.UUID, str]:
    """Return the customers related to ``customer_id`` one hop away (either direction; deleted ones left out),
    each with its relation type (e.g. ``same_legal_rep``, ``shareholder``). The customers plugin implements it; no
    permission check (the caller checks its own)."""


@hookspec(firstresult=True)
def customers_related_many(session: Session,
                           customer_ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Mapping[uuid.UUID, str]]:
    """Return, for each of ``customer_ids``, the customers related to it one hop away as ``customers_related``
    answers for one (customers without any left out), reading the relations of all of them at once. The customers
    plugin implements it; no permission check."""


@hookspec(firstresult=True)
def customers_get(session: Session, actor: Actor, customer_id: uuid.UUID) -> Mapping[str, Any]:
    """Return the summary (as ``customers_summaries`` gives it) of a live customer ``actor`` may read: raise
    PermissionDenied without customers:customer:read, NotFound when the customer is absent, deleted or outside the
    actor's data scope. The customers plugin implements it."""


@hookspec(firstresult=True)
def customers_columns(session: Session) -> CustomerColumns:
    """Return the customers table for a join in another plugin's report query (``CustomerColumns`` of
    surety.core.ports.customers: the ORM entity, so the tenant filter applies, and its columns). The customers
    plugin implements it."""


@hookspec(firstresult=True)
def customers_demo_corporates(session: Session, actor: Actor,
                              corporates: Sequence[DemoCorporate]) -> Mapping[str, Mapping[str, Any]]:
    """Demo data: create (as ``actor``) each of ``corporates`` that no live customer has the name of, with a valid
    generated credit code and its statement; return name -> summary of every live customer. The customers plugin
    implements it."""
