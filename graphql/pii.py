"""Personal data on GraphQL types: masked by default, shown in clear when the caller asks (``reveal: true``) and
holds core:pii:reveal; every reveal is audited (who, which record, which field) in a transaction of its own, so the
record stays even if the rest of the request fails. docs/core-helpers.md.

A field resolver::

    @strawberry.field(description="Mobile number; masked unless `reveal` (core:pii:reveal, audited).")
    def phone(self, info: strawberry.Info, reveal: bool = False) -> str | None:
        return shown(info, ENTITY, self.id, "phone", self.row.phone, "phone", reveal)
"""

from __future__ import annotations

from collections.abc import Callable

from surety.core.audit.log import audit_detached
from surety.core.crypto.masking import mask
from surety.graphql.auth import allowed, require

#: The permission a reveal needs.
REVEAL = "core:pii:reveal"


def reveal(info, entity_type: str, entity_id: str, field: str, value: str, *,
           basis: Callable[[], str | None] | None = None) -> str:
    """``value`` unmasked, after checking core:pii:reveal (PermissionDenied, audited, without it); the reveal is
    audited as ``pii.revealed`` on ``entity_type``/``entity_id`` with the field's name (never its value).

    ``basis``: the owning plugin's rule for callers without core:pii:reveal (e.g. a customer's own manager and its
    contact details, plugins/customers/pii.py); called only for them, it names why they may see the field (recorded
    on the audit as ``basis``) or returns None (then core:pii:reveal is required as usual)."""
    why = None if basis is None or allowed(info, REVEAL) else basis()
    if why is None:
        require(info, REVEAL)
    audit_detached(info.context.session, "pii.revealed", entity_type=entity_type, entity_id=entity_id,
                   after={"field": field, **({"basis": why} if why else {})})
    return value


def shown(info, entity_type: str, entity_id: str, field: str, value: str | None, kind: str,
          reveal_it: bool, *, basis: Callable[[], str | None] | None = None) -> str | None:
    """``value`` as the caller may see it: masked as ``kind`` (core/crypto/masking.py: ``id_number``, ``phone``,
    ``bank_account``, ``address``, ``name`` ...) unless ``reveal_it``, then :func:`reveal` (``basis``: see there).
    None stays None (and reveals nothing, so nothing is audited)."""
    if value is None or not reveal_it:
        return mask(value, kind)
    return reveal(info, entity_type, entity_id, field, value, basis=basis)
