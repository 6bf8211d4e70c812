"""Who sees a customer's personal data unmasked (docs/customers.md, "Personal data").

Every field is masked by default, for every role. Asked with ``reveal: true``, a field is shown in clear to a holder
of core:pii:reveal (any field of any customer in their data scope), and, by this plugin's rule, to the customer's own
manager: the user the customer is assigned to (``owner_id``) who may work on customers (customers:customer:update)
sees that customer's contact details (:data:`CONTACT_FIELDS`) without core:pii:reveal. Identity numbers and bank
accounts still need core:pii:reveal. Every reveal is audited (``pii.revealed``), the manager's with the basis
:data:`BASIS_MANAGER`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from surety.core.authz.check import allowed
from surety.core.context import ACTOR_USER, Actor
from surety.plugins.customers.permissions import CUSTOMER

#: The fields the customer's own manager may reveal: what they need to call on and visit the customer.
CONTACT_FIELDS = ("phone", "address")
#: The basis recorded on the audit of a reveal this rule allows.
BASIS_MANAGER = "customer_manager"


def serves(actor: Actor, customer: Any) -> bool:
    """Whether ``actor`` is the user ``customer`` is assigned to (its manager, ``owner_id``); an API key is nobody's
    manager."""
    return actor.type == ACTOR_USER and customer.owner_id is not None and customer.owner_id == actor.id_uuid


def reveal_basis(session: Session, actor: Actor, customer: Any, field: str) -> str | None:
    """Why ``actor`` may see ``field`` of ``customer`` unmasked without core:pii:reveal (:data:`BASIS_MANAGER`), or
    None when only core:pii:reveal allows it: a contact field of a customer the actor manages, the actor still
    allowed to work on customers."""
    if field not in CONTACT_FIELDS or customer.deleted_at is not None or not serves(actor, customer):
        return None
    return BASIS_MANAGER if allowed(session, actor, CUSTOMER, "update") else None
