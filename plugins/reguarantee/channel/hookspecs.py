"""Hooks the ``reguarantee`` plugin declares for other plugins (returned from ``surety_plugin_hookspecs``): what the
filing channel asks the sender's business plugin (docs/reguarantee/channel.md).

Call them for the session's tenant with ``surety.core.hooks.tenant_hook(session, name)(**kwargs)``; docs/plugins.md
lists each with its exact signature."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.core.hookspecs import hookspec


@hookspec(firstresult=True)
def reguarantee_filing_row(session: Session, actor: Actor, project_id: uuid.UUID) -> Mapping[str, Any] | None:
    """The data of a re-guarantee filing row for the tenant's project ``project_id``, as ``actor`` may read it.
    The keys of a filing row (project_ref, loan_contract_no, customer_name, customer_kind, scope, region, industry,
    bank_name, loan_amount, guarantee_amount, loan_rate, start_date, end_date, cover_ratio, fields; amounts Decimal
    yuan, dates ``date``) as far as the plugin keeps them: the sender completes the rest. None when this plugin has
    no such project in force (the next enabled plugin is asked); raise a DomainError when the project is outside
    what ``actor`` may read."""
