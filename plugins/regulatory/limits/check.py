"""The limit check before an approval (docs/regulatory/limits.md): would approving this workflow subject breach a
limit? The measures at the end of the business date with and without what approving the subject adds
(``core.ports.regulatory.proposed_exposures``: a business plugin answers for its subject types), for three limits:

- leverage: the whole liability balance over the net-asset base (10x, or 15x mainly small/micro);
- single party: the subject's customer's liability balance over the same base (10 %);
- related group: the customer with its related parties (one hop, customers plugin) over the base (15 %).

The single-party and group limits are the subject's customer's (the largest of them when the subject adds
exposures to several): another party's breach is the measures page's, not this approval's. Weights are
recomputed for the whole book after the addition (a customer crossing the 500万 threshold weighs 100 % on all its
loans). No permission check here: the approval engine reads it (``fields``); :func:`read_check` is the checked read.

Cost: one read of the finance stocks, one of the exposures and one of the customer's related parties (plus the
business plugin's proposed exposures); the rules run twice in memory.
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
from surety.plugins.regulatory.indicators.services import base_of, may_see_names, params_of
from surety.plugins.regulatory.limits.permissions import LIMIT
from surety.plugins.regulatory.measures import gather
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


def _party(balance: rules.LiabilityBalance, customers: Iterable[uuid.UUID]) -> Decimal:
    return max((rules.money(balance.by_customer.get(c, ZERO)) for c in customers), default=ZERO)


def _group(balance: rules.LiabilityBalance, related: Mapping[uuid.UUID, tuple[uuid.UUID, ...]]) -> Decimal:
    return max((rules.money(sum((balance.by_customer.get(m, ZERO) for m in {c, *others}), ZERO))
                for c, others in related.items()), default=ZERO)


def _limits(balance: rules.LiabilityBalance, base: Decimal, params: rules.Params, customers: tuple[uuid.UUID, ...],
            related: Mapping[uuid.UUID, tuple[uuid.UUID, ...]]) -> tuple[rules.Limit, ...]:
    return (rules.leverage(balance.total, base, params),
            rules.limit("single_party", _party(balance, customers), base, params.single_party_limit, rules.MAX),
            rules.limit("related_group", _group(balance, related), base, params.related_group_limit, rules.MAX))


def limit_check(session: Session, subject_type: str, subject_id: str, *, as_of: dt.date | None = None) -> LimitCheck:
    """The limits now and after approving the subject, at the end of ``as_of`` (default: today's business date)."""
    day = as_of or business_today()
    proposed = door.proposed_exposures(session, subject_type, str(subject_id))
    if proposed is None:
        return LimitCheck(subject_type, str(subject_id), day, known=False)
    proposed = tuple(proposed)
    params = params_of(get_settings(session))
    base = base_of(gather.figures_for(session, day, day)).amount
    exposures = gather.exposures_for(session, day)
    before = rules.liability_balance(exposures, params)
    after = rules.liability_balance([*exposures, *proposed], params)
    customers = tuple(dict.fromkeys(e.customer_id for e in proposed))
    found = customers_door.related_many(session, customers)
    related = {c: tuple(sorted(found.get(c, {}), key=str)) for c in customers}
    return LimitCheck(subject_type, str(subject_id), day, True, proposed,
                      before=_limits(before, base, params, customers, related),
                      after=_limits(after, base, params, customers, related),
                      liability_before=before.total, liability_after=after.total, base=base, customers=customers,
                      related=related)


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
