"""Hooks the ``customers`` plugin declares for other plugins (returned from ``surety_plugin_hookspecs``).

Call them for a tenant's enabled plugins with ``get_registry().hook_for(name, enabled)(**kwargs)``. docs/customers.md
lists each with its exact signature.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from surety.core.hookspecs import hookspec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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
