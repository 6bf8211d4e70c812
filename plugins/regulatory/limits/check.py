"""The limit check before an approval (docs/regulatory/limits.md): would approving this workflow subject breach a
limit? The measures at the end of the business date with and without what approving the subject adds
(``core.ports.regulatory.proposed_exposures``: a business plugin answers for its subject types), for three limits:

- leverage: the whole liability balance over the net-asset base (10x, or 15x mainly small/micro);
- single party: the subject's customer's liability balance over the same base (10 %);
- related group: the customer with its related parties (one hop, customers plugin) over the base (15 %).

The single-party and group limits are the subject's customer's (the largest of them when the subject adds
exposures to several): another party's breach is the measures page's, not this approval's. Weights are
recomputed after the addition for the customers it touches (a customer crossing the 500万 threshold weighs 100 % on
all its loans); the other customers' weights cannot change. No permission check here: the approval engine reads it
(``fields``); :func:`read_check` is the checked read.

Cost (does not grow with the book when nothing changed): the whole book from the process cache (:mod:`book`: one
small statement per plugin keeping a book version, plus the answers of the plugins keeping none, e.g. the finance
stocks), the subject's proposed exposures, its customers' related parties and those customers' exposures
(``regulatory_customer_exposures``); the rules run on those few customers in memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.ports import customers as customers_door
from surety.core.ports import regulatory as door
from surety.core.ports.regulatory import Exposure
from surety.core.workflow.engine import business_today
from surety.plugins.regulatory.indicators import rules
from surety.plugins.regulatory.indicators.services import may_see_names, params_of
from surety.plugins.regulatory.limits import book
from surety.plugins.regulatory.limits.permissions import LIMIT
from surety.plugins.regulatory.settings import get_settings

ZERO = Decimal("0.00")
#: The limits the check answers, in order.
KEYS = ("leverage", "single_party", "related_group")


@dataclasses.dataclass(frozen=True)
class LimitCheck:
    """The check of one subject: ``known`` whether a plugin knows what approving it adds; ``proposed`` that; the
    limits ``before`` and ``after`` (in :data:`KEYS` order); the liability balance before and after; the subject's
    customers with their related parties."""

    subject_type: str
    subject_id: str
    as_of: dt.date
    known: bool
    proposed: tuple[Exposure, ...] = ()
    before: tuple[rules.Limit, ...] = ()
    after: tuple[rules.Limit, ...] = ()
    liability_before: Decimal = ZERO
    liability_after: Decimal = ZERO
    base: Decimal = ZERO
    customers: tuple[uuid.UUID, ...] = ()
    related: Mapping[uuid.UUID, tuple[uuid.UUID, ...]] = dataclasses.field(default_factory=dict)
    #: Names of ``customers`` (only in :func:`read_check`, for someone who may read customers).
    names: Mapping[uuid.UUID, str] = dataclasses.field(default_factory=dict)

    @property
    def breaches(self) -> list[str]:
        """The limits failing after approval."""
        return rules.breaches(self.after)

    @property
    def new_breaches(self) -> list[str]:
        """The limits failing after approval that passed before."""
        passed = {lim.key for lim in self.before if lim.passes}
        return [k for k in self.breaches if k in passed]

    def limit_after(self, key: str) -> rules.Limit | None:
        return next((lim for lim in self.after if lim.key == key), None)


def _party(by_customer: Mapping[uuid.UUID, Decimal], customers: Iterable[uuid.UUID]) -> Decimal:
    return max((rules.money(by_customer.get(c, ZERO)) for c in customers), default=ZERO)


def _group(by_customer: Mapping[uuid.UUID, Decimal], related: Mapping[uuid.UUID, tuple[uuid.UUID, ...]]) -> Decimal:
    return max((rules.money(sum((by_customer.get(m, ZERO) for m in {c, *others}), ZERO))
                for c, others in related.items()), default=ZERO)


def _limits(total: Decimal, by_customer: Mapping[uuid.UUID, Decimal], base: Decimal, params: rules.Params,
            customers: tuple[uuid.UUID, ...],
            related: Mapping[uuid.UUID, tuple[uuid.UUID, ...]]) -> tuple[rules.Limit, ...]:
    return (rules.leverage(total, base, params),
            rules.limit("single_party", _party(by_customer, customers), base, params.single_party_limit, rules.MAX),
            rules.limit("related_group", _group(by_customer, related), base, params.related_group_limit, rules.MAX))


def limit_check(session: Session, subject_type: str, subject_id: str, *, as_of: dt.date | None = None) -> LimitCheck:
    """The limits now and after approving the subject, at the end of ``as_of`` (default: today's business date).

    The whole book (its liability balance and the net-asset base) comes from :func:`book.book_of` (cached per
    versions); the subject's customers and their related parties' exposures from
    ``core.ports.regulatory.customer_exposures``; the liability balance after approval is the book's with those
    customers' lines recomputed (:func:`book.liability_after`)."""
    day = as_of or business_today()
    proposed = door.proposed_exposures(session, subject_type, str(subject_id))
    if proposed is None:
        return LimitCheck(subject_type, str(subject_id), day, known=False)
    proposed = tuple(proposed)
    params = params_of(get_settings(session))
    whole = book.book_of(session, day, params)
    customers = tuple(dict.fromkeys(e.customer_id for e in proposed))
    found = customers_door.related_many(session, customers)
    related = {c: tuple(sorted(found.get(c, {}), key=str)) for c in customers}
    theirs = book.customer_exposures(session, whole, {*customers, *(m for ms in related.values() for m in ms)})
    before = rules.liability_balance(theirs, params).by_customer
    after = rules.liability_balance([*theirs, *proposed], params).by_customer
    subject = set(customers)
    old = [e for e in theirs if e.customer_id in subject]
    total_after = book.liability_after(whole.liability, old, [*old, *proposed], params)
    return LimitCheck(subject_type, str(subject_id), day, True, proposed,
                      before=_limits(whole.liability.total, before, whole.base, params, customers, related),
                      after=_limits(total_after, after, whole.base, params, customers, related),
                      liability_before=whole.liability.total, liability_after=total_after, base=whole.base,
                      customers=customers, related=related)


def read_check(session: Session, actor: Actor, subject_type: str, subject_id: str) -> LimitCheck:
    """:func:`limit_check` for someone holding regulatory:limit:read, with the customers' names when they may read
    customers."""
    require(session, actor, LIMIT, "read")
    found = limit_check(session, subject_type, subject_id)
    if not found.customers or not may_see_names(session, actor):
        return found
    return dataclasses.replace(found, names=customers_door.names(session, found.customers))


def fields(check: LimitCheck) -> dict[str, Any]:
    """The check as workflow condition fields under ``regulatory`` (docs/workflow-expressions.md)."""
    if not check.known:
        return {"known": False, "breach": False, "new_breach": False, "breaches": []}
    after = {lim.key: lim for lim in check.after}
    before = {lim.key: lim for lim in check.before}
    return {
        "known": True, "breach": bool(check.breaches), "new_breach": bool(check.new_breaches),
        "breaches": check.breaches, "leverage_before": before["leverage"].value,
        "leverage_after": after["leverage"].value, "leverage_limit": after["leverage"].limit,
        "single_party_after": after["single_party"].value, "related_group_after": after["related_group"].value,
        "liability_after": check.liability_after,
    }


def subject_fields(session: Session, subject_type: str, subject_id: str) -> dict[str, Any]:
    """The ``regulatory`` fields of a workflow subject (hook ``surety_workflow_subject_extra``)."""
    return fields(limit_check(session, subject_type, subject_id))
