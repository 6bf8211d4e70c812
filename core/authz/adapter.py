"""A read-only Casbin adapter that loads one tenant's rules through a tenant-bound ORM session."""

from __future__ import annotations

import uuid

from casbin.persist import Adapter
from casbin.persist.adapter import load_policy_line
from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.authz.models import CasbinRule

_FIELDS = ("v0", "v1", "v2", "v3", "v4", "v5")


def rule_line(rule: CasbinRule) -> str:
    """The Casbin text line of a rule: ``p, role:admin, <tenant>, core:user, read``."""
    values = [getattr(rule, f) for f in _FIELDS]
    while values and not values[-1]:
        values.pop()
    return ", ".join([rule.ptype, *values])


class TenantRuleAdapter(Adapter):
    """Loads only ``tenant_id``'s rules (the session's tenant filter, and the domain column checked again).

    Rules are written by :mod:`surety.core.authz.rules` through the ORM, never through Casbin's management API, so
    every save method is refused. The session is dropped after loading: cached enforcers hold no session.
    """

    def __init__(self, session: Session, tenant_id: uuid.UUID):
        self.session: Session | None = session
        self.domain = str(tenant_id)

    def load_policy(self, model) -> None:
        if self.session is None:
            raise RuntimeError("TenantRuleAdapter loads once; build a new enforcer to reload")
        rows = self.session.scalars(select(CasbinRule).order_by(CasbinRule.ptype, CasbinRule.id))
        for rule in rows:
            domain = rule.v1 if rule.ptype.startswith("p") else rule.v2
            if domain == self.domain:
                load_policy_line(rule_line(rule), model)
        self.session = None

    def _read_only(self, *args, **kwargs):
        raise NotImplementedError("Casbin rules are written through surety.core.authz.rules, not the enforcer")

    save_policy = add_policy = remove_policy = remove_filtered_policy = _read_only
