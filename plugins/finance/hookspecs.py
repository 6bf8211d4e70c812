"""Hooks the ``finance`` plugin declares for other plugins (returned from ``surety_plugin_hookspecs``).

Call them for the session's tenant with ``surety.core.hooks.tenant_hook(session, name)(**kwargs)``; docs/plugins.md
lists each with its exact signature."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from surety.core.hookspecs import hookspec


@hookspec(firstresult=True)
def finance_liability_balance(session: Session, as_of: dt.date) -> Decimal | None:
    """The tenant's guarantee liability balance (在保余额, yuan) at the end of ``as_of``: the base of the
    担保赔偿准备金 (compensation reserve) the finance plugin books at year end. None when this plugin does not keep
    guarantees (the next enabled plugin is asked)."""
