"""The door to the ``customers`` plugin: what other plugins (guarantee, microloan, ...) may know and do about
customers, as plain typed functions. Each calls a hook the customers plugin declares
(plugins/customers/hookspecs.py) for the plugins enabled for the session's tenant; nothing here imports the plugin,
and no other plugin needs to import it either. docs/customers.md ("For other plugins"), docs/adr/0008.

Without the customers plugin enabled for the tenant, reads answer "nothing" ({} / None / no flags) and the
functions that must have an answer raise :class:`CustomersNotEnabled`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.core.errors import DomainError
from surety.core.hooks import declared, tenant_hook, tenant_hook_each, tenant_plugins

KEY = "customers"


class CustomersNotEnabled(DomainError):
    """The tenant has not enabled the customers plugin (or it is not installed)."""

    code = "CUSTOMERS_NOT_ENABLED"


class CustomerSummary(TypedDict):
    """What other plugins may show of a customer: no identity numbers, phones or addresses."""

    id: uuid.UUID
    kind: str  # individual / corporate
    name: str
    org_unit_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    industry: str | None
    region: str | None
    size: str | None
    deleted: bool


class LatestRatios(TypedDict):
    """The ratios of a customer's latest financial statement (annual preferred); a ratio is None when it cannot be
    computed."""

    period_type: str
    period_end: dt.date
    debt_ratio: Decimal | None
    current_ratio: Decimal | None
    quick_ratio: Decimal | None
    roe: Decimal | None
    revenue_growth: Decimal | None


@dataclasses.dataclass(frozen=True)
class CustomerColumns:
    """The customers table for a join in another plugin's query: ``entity`` to join (an ORM entity, so the tenant
    filter applies to it), and its columns. Join on both ``tenant_id`` and ``id`` (composite keys, docs/adr/0002)."""

    entity: Any
    tenant_id: Any
    id: Any
    kind: Any
    industry: Any
    region: Any
    size: Any
    deleted_at: Any


@dataclasses.dataclass(frozen=True)
class DemoCorporate:
    """A corporate customer for another plugin's demo data: ``seq`` picks a valid generated credit code, ``fields``
    are further fields as the customers plugin takes them (industry, region, size, registered_capital, tags), and
    ``statement_lines`` (when given) one financial statement ending ``statement_period_end``."""

    name: str
    seq: int
    fields: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    statement_period_end: dt.date | None = None
    statement_lines: Mapping[str, Any] = dataclasses.field(default_factory=dict)


def enabled(session: Session) -> bool:
    """Whether the session's tenant has the customers plugin (installed and enabled)."""
    return declared("customers_summaries") and KEY in tenant_plugins(session)


def _call(session: Session, name: str, **kwargs: Any) -> Any:
    """Hook ``name`` for the tenant's plugins; None when no installed plugin declares it."""
    if not declared(name):
        return None
    return tenant_hook(session, name)(session=session, **kwargs)


def _required(session: Session, name: str, **kwargs: Any) -> Any:
    if not enabled(session):
        raise CustomersNotEnabled("The customers plugin is not enabled for this tenant.")
    return _call(session, name, **kwargs)


def summaries(session: Session, customer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, CustomerSummary]:
    """The summary of each of ``customer_ids`` the tenant holds (deleted ones included, ``deleted`` true), in one
    query; ids it does not hold are left out. {} for no ids or without the customers plugin. No permission check:
    the caller checks its own."""
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return {}
    found = _call(session, "customers_summaries", customer_ids=ids) or {}
    return {cid: CustomerSummary(**summary) for cid, summary in found.items()}  # type: ignore[typeddict-item]


def summary(session: Session, customer_id: uuid.UUID) -> CustomerSummary | None:
    """One customer's summary (:func:`summaries`); None when the tenant has no such customer."""
    return summaries(session, [customer_id]).get(customer_id)


def names(session: Session, customer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Customers' names (:func:`summaries`)."""
    return {cid: s["name"] for cid, s in summaries(session, customer_ids).items()}


def get(session: Session, actor: Actor, customer_id: uuid.UUID) -> CustomerSummary:
    """The summary of a live customer ``actor`` may read (customers:customer:read and the actor's data scope):
    PermissionDenied without the permission, NotFound when absent, deleted or out of scope,
    :class:`CustomersNotEnabled` without the plugin."""
    found = _required(session, "customers_get", actor=actor, customer_id=customer_id)
    return CustomerSummary(**found)  # type: ignore[typeddict-item]


def latest_ratios(session: Session, customer_id: uuid.UUID) -> LatestRatios | None:
    """The ratios of the customer's latest financial statement; None without a statement or the plugin."""
    found = _call(session, "customers_latest_ratios", customer_id=customer_id)
    return LatestRatios(**found) if found else None  # type: ignore[typeddict-item]


def related(session: Session, customer_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The live customers one hop from ``customer_id`` (either direction) -> relation type (``same_legal_rep``,
    ``shareholder``, ``same_phone`` ...); {} without any or without the plugin. No permission check."""
    found = _call(session, "customers_related", customer_id=customer_id) or {}
    return {uuid.UUID(str(k)): str(v) for k, v in dict(found).items()}


def related_many(session: Session, customer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[uuid.UUID, str]]:
    """:func:`related` for many customers in a few queries: ``{customer id: {related id: relation type}}``, customers
    without a related one left out; {} without the plugin. No permission check."""
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return {}
    found = _call(session, "customers_related_many", customer_ids=ids) or {}
    return {uuid.UUID(str(k)): {uuid.UUID(str(o)): str(t) for o, t in dict(v).items()} for k, v in dict(found).items()}


def screen(session: Session, customer_id: uuid.UUID, business: str) -> list[str]:
    """Screen the customer before new ``business`` (e.g. ``guarantee:application``) with every enabled plugin: the
    flags they return, joined without repeats (``["watchlist"]``), or the first refusal they raise
    (``CustomerBlacklisted``, code ``CUSTOMER_BLACKLISTED``). No flags without the plugin."""
    flags: list[str] = []
    for result in _call(session, "customers_screen", customer_id=customer_id, business=business) or ():
        for flag in result or ():
            if flag not in flags:
                flags.append(flag)
    return flags


def exposure(session: Session, customer_ids: Iterable[uuid.UUID]) -> dict[str, dict[uuid.UUID, Decimal]]:
    """Each enabled plugin's outstanding exposure (yuan) per customer of ``customer_ids`` it has business with:
    ``{plugin key: {customer id: amount}}``, plugins without any left out."""
    ids = list(dict.fromkeys(customer_ids))
    out: dict[str, dict[uuid.UUID, Decimal]] = {}
    if not ids or not declared("customers_exposure"):
        return out
    for key, caller in tenant_hook_each(session, "customers_exposure"):
        for result in caller(session=session, customer_ids=list(ids)):
            for cid, amount in (result or {}).items():
                if cid in ids:
                    mine = out.setdefault(key, {})
                    mine[cid] = mine.get(cid, Decimal("0.00")) + Decimal(amount)
    return out


def columns(session: Session) -> CustomerColumns:
    """The customers table for a join in a report query (e.g. figures by industry and region); the customers plugin
    must be enabled (:class:`CustomersNotEnabled`)."""
    return _required(session, "customers_columns")


def ensure_demo_corporates(session: Session, actor: Actor,
                           corporates: Sequence[DemoCorporate]) -> dict[str, CustomerSummary]:
    """For demo data: create those of ``corporates`` that no live customer has the name of (as ``actor``, who needs
    customers:customer:create and customers:statement:manage), each with its statement; returns name -> summary of
    every live customer of the tenant afterwards. :class:`CustomersNotEnabled` without the plugin."""
    found = _required(session, "customers_demo_corporates", actor=actor, corporates=list(corporates))
    return {name: CustomerSummary(**s) for name, s in found.items()}  # type: ignore[typeddict-item]
